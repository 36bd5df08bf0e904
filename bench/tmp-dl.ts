import { Temporal } from 'temporal-polyfill'
import { ManualClock } from '../engine/index.js'
import { openEngine } from './lib/deliveries.js'
import { createTemplates } from './lib/seed.js'
import { clonePostgres, freshSchema, postgresCpuSeconds } from './lib/postgres.js'
const url = process.env.DATABASE_URL!
const count = Number(process.argv[2] ?? 20000)
const T0 = '2026-01-01T00:00:00Z'
const DUE = Temporal.Instant.from(T0).add({ hours: 14 * 24 })
const schema = await freshSchema(url, 'dl')
const [id] = await createTemplates(schema.url, ['confirm-delivery'], T0)
await clonePostgres(schema.url, id as string, count - 1)
const { engine, store } = await openEngine(schema.url, {}, new ManualClock(DUE))
const b = await postgresCpuSeconds(url); const cpu = process.cpuUsage()
const started = performance.now()
const { fired } = await engine.deadlines.advance()
const s = (performance.now() - started) / 1000
const u = process.cpuUsage(cpu); const a = await postgresCpuSeconds(url)
const ev = await (await import("../engine/store/dialects/postgres/connection.js")).withPostgresClient(schema.url, (c) => c.query("select count(*)::int n from event")); console.log("events", ev.rows[0]);
console.log(`${fired} in ${s.toFixed(2)} s = ${(fired / s).toFixed(0)}/s; node cpu ${((u.user + u.system) / 1e6).toFixed(2)} s, pg cpu ${(a! - b!).toFixed(2)} s`)
await store.close(); await schema.drop()
