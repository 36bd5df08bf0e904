// An engine process of `postgres.bench.ts`: `node --import tsx bench/lib/pg-driver.ts URL DRIVERS SECONDS [ungrouped]`.
// Opens the engine on the database, prints "ready", waits for a line on stdin, then completes
// basic deliveries with DRIVERS async loops for SECONDS and prints `{"deliveries":N,"seconds":S,"cpuSeconds":C}` (this process's CPU meanwhile).
import { createInterface } from 'node:readline'
import { ManualClock } from '../../engine/index.js'
import { completeDelivery, openEngine } from './deliveries.js'

const [url, drivers, seconds, grouping] = process.argv.slice(2)
if (url === undefined || drivers === undefined || seconds === undefined) throw new RangeError('Usage: pg-driver.ts URL DRIVERS SECONDS [ungrouped]')
const { engine, store } = await openEngine(url, grouping === 'ungrouped' ? { groupCommit: false } : {}, new ManualClock('2026-01-01T00:00:00Z'))
// One delivery first, so that the definitions are compiled and the pool's connections open before the clock starts.
await completeDelivery(engine)
process.stdout.write('ready\n')
const lines = createInterface({ input: process.stdin })
await new Promise((resolve) => lines.once('line', resolve))
const cpu = process.cpuUsage()
const started = performance.now()
const until = started + Number(seconds) * 1000
let deliveries = 0
await Promise.all(Array.from({ length: Number(drivers) }, async () => {
  while (performance.now() < until) {
    await completeDelivery(engine)
    deliveries++
  }
}))
const elapsed = (performance.now() - started) / 1000
const used = process.cpuUsage(cpu)
await store.close()
process.stdout.write(`${JSON.stringify({ deliveries, seconds: elapsed, cpuSeconds: (used.user + used.system) / 1e6 })}\n`)
lines.close()
