import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { realClock, Store } from '../engine/index.js'
import { createToken } from '../server/auth.js'
import type { ChildServer } from './lib/child.js'
import { residentBytes, startChildServer } from './lib/child.js'
import { CUSTOMER, dbFile, ISV } from './lib/deliveries.js'
import { ActQueue, loadActs } from './lib/load.js'
import type { BenchOptions } from './lib/options.js'
import { byScale, TINY_REQUEST_TIMEOUT } from './lib/options.js'
import { measurePeerMemory } from './lib/peer-memory.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import { cloneInstances, createTemplates, MIX, sharedSeedFile, waitingIds } from './lib/seed.js'
import { BUILD_SCRIPT, startArguments } from './lib/start-command.js'
import { storedBytes } from './lib/stored-bytes.js'

const MB = 1_000_000

/** A database served during the benchmark: its file, server, tokens and the deliveries to drive. */
interface Population {
  readonly key: 'small' | 'large'
  readonly count: number
  readonly file: string
  readonly seeding: string
  readonly tokens: Record<'customer' | 'isv', string>
  readonly queue: ActQueue
}

/**
 * `memory`: resident memory of real servers (`delivery-center serve`, child processes) while they
 * serve acts, one with 1,000,000 instances in its database and one with 250,000 (instances live
 * in the database, so the two should hold about the same); the bytes stored per instance; and
 * beside them, the heap each in-memory peer holds per waiting instance.
 */
export async function run(options: BenchOptions): Promise<Report> {
  const seconds = byScale(options, 3, 0.3)
  const connections = byScale(options, 50, 5)
  const populations = [
    // A quarter of each population waits at submit-demand, three acts each: 250,000 give enough
    // fresh acts for six runs at about 5,000 acts/s.
    await prepare(options, 'small', byScale(options, 250_000, 100)),
    await prepare(options, 'large', byScale(options, 1_000_000, 400)),
  ]
  const rec = new Recorder()
  for (const p of populations) {
    const n = p.count.toLocaleString('en-US')
    rec.measure(`rss.idle.${p.key}`, { label: `server resident memory, idle, ${n} instances in the database`, unit: 'MB' })
    rec.measure(`rss.peak.${p.key}`, { label: `server resident memory, peak while serving acts, ${n} instances`, unit: 'MB', ...(p.key === 'large' ? { target: { op: '<=', value: 200 } as const } : {}) })
    rec.measure(`rps.${p.key}`, { label: `acts served meanwhile (${connections} connections), ${n} instances`, unit: '/s' })
  }
  rec.ratio('rss.peak', 'peak resident memory, large database / small database', 'rss.peak.large', 'rss.peak.small')

  // Served as `npm start` serves: compiled to JavaScript, with its node flags.
  const build = join(options.dir, 'build')
  execFileSync(process.execPath, [BUILD_SCRIPT, build], { stdio: 'inherit' })
  const servers: ChildServer[] = []
  try {
    for (const p of populations) {
      const server = await startChildServer([...startArguments(build), '--db', p.file, '--port', '0'], {
        stream: 'stderr', portPattern: /listening on http:\/\/[^:]+:(\d+)/, env: { ...process.env, LOG_LEVEL: 'info', DATABASE_URL: '' },
      })
      servers.push(server)
      await new Promise((resolve) => setTimeout(resolve, 500))
      rec.add(`rss.idle.${p.key}`, ((await residentBytes(server.child.pid as number))?.rss ?? NaN) / MB)
    }
    await repeat(rec, options.runs, async () => {
      for (const [index, p] of populations.entries()) {
        const server = servers[index] as ChildServer
        const pid = server.child.pid as number
        let peak = 0
        const sampler = setInterval(() => { void residentBytes(pid).then((m) => { peak = Math.max(peak, m?.rss ?? 0) }) }, 100)
        const result = await loadActs(server.port, p.queue, p.tokens, { seconds, connections, ...byScale<{ amount?: number; timeout?: number }>(options, {}, { amount: 20, timeout: TINY_REQUEST_TIMEOUT }) })
        clearInterval(sampler)
        peak = Math.max(peak, (await residentBytes(pid))?.rss ?? 0)
        rec.add(`rss.peak.${p.key}`, peak / MB)
        rec.add(`rps.${p.key}`, result.perSecond)
        rec.check(`${p.key}: every act answered 2xx`, result.failures === 0, `${result.failures} failures of ${result.requests}`)
      }
    })
  } finally {
    for (const server of servers) await server.stop()
  }

  const large = populations[1] as Population
  const stored = storedBytes(large.file)
  rec.measure('file', { label: 'database file (with WAL) / instances', unit: 'bytes' }).add('file', stored.file)
  rec.measure('state', { label: 'state JSON per instance (mean over all)', unit: 'bytes' }).add('state', stored.state)
  rec.measure('state-net', { label: 'state JSON of an instance waiting at confirm-delivery, besides its inputs', unit: 'bytes', target: { op: '<=', value: 2048 } }).add('state-net', stored.stateNet)
  rec.measure('events', { label: 'event JSON per instance (mean over all)', unit: 'bytes' }).add('events', stored.events)
  const parked = { bpmn: byScale(options, 200, 40), xstate: byScale(options, 2000, 1000) }
  const peers = await measurePeerMemory(parked)
  rec.measure('bpmn.heap', { label: 'bpmn-engine: heap per instance waiting on its last task', unit: 'bytes' }).add('bpmn.heap', peers.bpmnHeap)
  rec.measure('bpmn.state', { label: 'bpmn-engine: getState() JSON of a waiting instance', unit: 'bytes' }).add('bpmn.state', peers.bpmnState)
  rec.measure('xstate.heap', { label: 'XState v5: heap per actor waiting in its last state', unit: 'bytes' }).add('xstate.heap', peers.xstateHeap)
  rec.measure('xstate.state', { label: 'XState v5: getPersistedSnapshot() JSON of a waiting actor', unit: 'bytes' }).add('xstate.state', peers.xstateState)
  rec.ratio('bpmn/state', 'bpmn-engine getState() / delivery-center state JSON, waiting instance', 'bpmn.state', 'state-net')
  rec.note(`Databases: a quarter of the instances at each step of basic, a quarter completed; ${populations.map((p) => `${p.count.toLocaleString('en-US')} ${p.seeding}`).join('; ')}. Servers: as \`npm start\` serves, compiled to JavaScript (\`node ${startArguments('dist').join(' ')} --db FILE --port 0\`; real clock, scheduler on, request logs at info to a drained pipe); RSS read from /proc/PID/status every 100 ms.`)
  rec.note(`Stored sizes are measured once, after the runs, on the large database; the peers' heap per instance in this process over ${parked.bpmn} parked bpmn-engine instances and ${parked.xstate} XState actors, each side after a full GC.`)
  return rec.report('memory', 'resident memory of a server with many instances in its database, and bytes stored per instance', {
    connections, 'seconds per run': seconds, runs: options.runs, 'warm-up runs': 1,
  })
}

/** Seeds (or reuses the growth benchmark's) database of `count` instances, with tokens and deliveries to drive. */
async function prepare(options: BenchOptions, key: Population['key'], count: number): Promise<Population> {
  const shared = options.sharedDir ? sharedSeedFile(options.sharedDir, count) : undefined
  let file = dbFile(options.dir, `memory-${key}`)
  let seeding = 'reused from the growth benchmark'
  if (shared && existsSync(shared)) file = shared
  else {
    const templates = await createTemplates(file, MIX, realClock.now().toString())
    seeding = `seeded in ${cloneInstances(file, templates, count - templates.length).toFixed(1)} s`
  }
  const store = await Store.openSqlite(file)
  const at = realClock.now().toString()
  const tokens = { customer: await createToken(store, CUSTOMER, at), isv: await createToken(store, ISV, at) }
  await store.close()
  return { key, count, file, seeding, tokens, queue: new ActQueue(waitingIds(file, byScale(options, 60_000, 100))) }
}
