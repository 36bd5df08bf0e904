import { join } from 'node:path'
import { createToken } from '../server/auth.js'
import { realClock, Store } from '../engine/index.js'
import type { ChildServer } from './lib/child.js'
import { cpuSeconds, startChildServer } from './lib/child.js'
import { startNodeFlags } from './lib/start-command.js'
import { CUSTOMER, dbFile, ISV } from './lib/deliveries.js'
import { ActQueue, loadActs } from './lib/load.js'
import type { BenchOptions } from './lib/options.js'
import { byScale, TINY_REQUEST_TIMEOUT } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import { cloneInstances, createTemplates, waitingIds } from './lib/seed.js'

const SERVER = join(import.meta.dirname, 'http-server.ts')

/** The servers compared, each in its own child process, loaded one at a time. */
const TARGETS = [
  { key: 'echo', label: 'bare Hono JSON echo route', args: ['echo', '-'] },
  { key: 'layer', label: 'the act server answering every act with one view computed once (the HTTP layer alone)', args: ['layer', 'DB', 'info'] },
  { key: 'floor-bare', label: 'a bare Hono route around the minimal durable act (read the row; write state, event, whom it waits on; group commit at FULL)', args: ['floor-bare', 'DB'] },
  { key: 'floor', label: 'the act server around the minimal durable act (the HTTP layer and the least an act writes)', args: ['floor', 'DB', 'info'] },
  { key: 'act', label: 'POST /v1/instances/{id}/act, FULL + group commit, request logs on (as served)', args: ['act', 'DB', 'info'] },
  { key: 'act-quiet', label: 'POST /v1/instances/{id}/act, FULL + group commit, request logs off', args: ['act', 'DB', 'silent'] },
  { key: 'act-thread', label: 'POST /v1/instances/{id}/act, FULL + group commit on the writer thread (--writer-thread, opt-in), request logs on', args: ['act', 'DB', 'info', 'writer-thread'] },
] as const

/**
 * Runs `load` and measures the CPU it took: the server's, all its threads (seconds, from /proc;
 * undefined elsewhere), and this process's, the load generator's (seconds).
 */
async function withCpu<T>(server: ChildServer, load: () => Promise<T>): Promise<{ result: T; cpu: { server: number | undefined; load: number; seconds: number } }> {
  const pid = server.child.pid as number
  const serverBefore = await cpuSeconds(pid)
  const loadBefore = process.cpuUsage()
  const startedAt = performance.now()
  const result = await load()
  const seconds = (performance.now() - startedAt) / 1000
  const { user, system } = process.cpuUsage(loadBefore)
  const serverAfter = await cpuSeconds(pid)
  const used = serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore
  return { result, cpu: { server: used, load: (user + system) / 1e6, seconds } }
}

/**
 * `http`: acts over real HTTP on loopback with autocannon (50 connections, keep-alive), against
 * a bare Hono JSON echo served the same way in the same run. Each server runs in a child process
 * (`bench/http-server.ts`); autocannon runs in this one, so each has a core of the two.
 */
export async function run(options: BenchOptions): Promise<Report> {
  const connections = byScale(options, 50, 5)
  const seconds = byScale(options, 2, 0.3)
  // Three acts each: besides the 3,000 the echo, the layer and the floors go round, enough for
  // 6 series of 2 s on three act servers at up to 16,000 acts/s (25 % of a 64,000 req/s echo).
  const instances = byScale(options, 200_000, 900)
  const file = dbFile(options.dir, 'http')
  const [template] = await createTemplates(file, ['submit-demand'], realClock.now().toString())
  const seedSeconds = cloneInstances(file, [template as string], instances - 1)
  const store = await Store.openSqlite(file)
  const at = realClock.now().toString()
  const tokens = { customer: await createToken(store, CUSTOMER, at), isv: await createToken(store, ISV, at) }
  await store.close()
  const ids = waitingIds(file, instances)
  // The echo and the HTTP layer alone go round the first instances (the layer acts on the first
  // only); each floor goes round instances of its own, acting on them as long as the run lasts;
  // the act servers drive the others through their steps.
  const reserved = byScale(options, 1000, 50)
  const queue = new ActQueue(ids.slice(3 * reserved))
  const cycle = (from: number): ActQueue => new ActQueue(ids.slice(from * reserved, (from + 1) * reserved), { cycle: true })
  const cycled: Partial<Record<(typeof TARGETS)[number]['key'], ActQueue>> = { echo: cycle(0), layer: cycle(0), 'floor-bare': cycle(1), floor: cycle(2) }

  // `--servers=echo,layer` runs only those (to profile one, say); every figure needs the echo beside it.
  const only = options.params.servers?.split(',')
  const unknownServer = only?.find((key) => !TARGETS.some((t) => t.key === key))
  if (unknownServer !== undefined) throw new RangeError(`There is no server "${unknownServer}"; the servers are ${TARGETS.map((t) => t.key).join(', ')}.`)
  const targets = only ? TARGETS.filter((t) => only.includes(t.key)) : TARGETS

  const rec = new Recorder()
  for (const t of targets) {
    rec.measure(`${t.key}.rps`, { label: `${t.label}: requests`, unit: '/s' })
    rec.measure(`${t.key}.p50`, { label: `${t.label}: p50 latency`, unit: 'ms' })
    rec.measure(`${t.key}.p99`, { label: `${t.label}: p99 latency`, unit: 'ms', ...(t.key === 'act' ? { target: { op: '<=', value: 50 } as const } : {}) })
    rec.measure(`${t.key}.cpu`, { label: `${t.label}: server CPU per request (all its threads, user + kernel)`, unit: 'µs' })
    rec.measure(`${t.key}.cores`, { label: `${t.label}: server CPU in use`, unit: 'cores' })
    rec.measure(`${t.key}.load-cpu`, { label: `${t.label}: load generator CPU per request`, unit: 'µs' })
  }
  rec.ratio('act/echo', 'act (as served) / bare echo, requests per second', 'act.rps', 'echo.rps', { op: '>=', value: 0.25 })
  rec.ratio('layer/echo', 'the HTTP layer alone / bare echo, requests per second', 'layer.rps', 'echo.rps', { op: '>=', value: 0.6 })
  rec.ratio('act/layer', 'act (as served) / the HTTP layer alone, requests per second', 'act.rps', 'layer.rps')
  rec.ratio('floor-bare/echo', 'the minimal durable act on a bare route / bare echo, requests per second', 'floor-bare.rps', 'echo.rps')
  rec.ratio('floor/echo', 'the minimal durable act in the act server / bare echo, requests per second', 'floor.rps', 'echo.rps')
  rec.ratio('act/floor', 'act (as served) / the minimal durable act in the act server, requests per second', 'act.rps', 'floor.rps')
  rec.ratio('act-quiet/echo', 'act (request logs off) / bare echo, requests per second', 'act-quiet.rps', 'echo.rps')
  rec.ratio('act-thread/echo', 'act (writer thread, opt-in) / bare echo, requests per second', 'act-thread.rps', 'echo.rps')

  // As `npm start` runs node, and e.g. --server-node-flags=--cpu-prof,--cpu-prof-dir=/tmp/prof
  // to profile the servers.
  const serverFlags = [...startNodeFlags(), ...options.params['server-node-flags']?.split(',') ?? []]
  const servers: ChildServer[] = []
  const failures = new Map<string, number>()
  try {
    const started = await Promise.allSettled(targets.map((t) => startChildServer(
      [...serverFlags, '--import', 'tsx', SERVER, ...t.args.map((a) => (a === 'DB' ? file : a))], { stream: 'stdout', portPattern: /"port":(\d+)/ },
    )))
    for (const outcome of started) if (outcome.status === 'fulfilled') servers.push(outcome.value)
    const failed = started.find((outcome) => outcome.status === 'rejected')
    if (failed) throw failed.reason
    await repeat(rec, options.runs, async () => {
      for (const [index, t] of targets.entries()) {
        const server = servers[index] as ChildServer
        const { result, cpu } = await withCpu(server, () => loadActs(server.port, cycled[t.key] ?? queue, tokens, {
          seconds, connections, echo: t.key === 'echo', ...byScale<{ amount?: number; timeout?: number }>(options, {}, { amount: 50, timeout: TINY_REQUEST_TIMEOUT }),
        }))
        // /proc counts CPU in 10 ms ticks: meaningless over the few requests of a tiny run.
        if (options.scale === 'full' && result.requests > 0) {
          if (cpu.server !== undefined) {
            rec.add(`${t.key}.cpu`, (cpu.server / result.requests) * 1e6)
            rec.add(`${t.key}.cores`, cpu.server / cpu.seconds)
          }
          rec.add(`${t.key}.load-cpu`, (cpu.load / result.requests) * 1e6)
        }
        if (result.failures > 0) failures.set(t.key, (failures.get(t.key) ?? 0) + result.failures)
        rec.add(`${t.key}.rps`, result.perSecond)
        rec.add(`${t.key}.p50`, result.p50)
        rec.add(`${t.key}.p99`, result.p99)
      }
    })
  } finally {
    for (const server of servers) await server.stop()
  }
  const failed = [...failures].map(([key, count]) => `${count} from ${key}`).join(', ') || 'none'
  rec.check('every request was a valid act answered 2xx', failures.size === 0, `non-2xx responses, errors or timeouts: ${failed}; ${queue.sent.toLocaleString('en-US')} acts sent to the act servers' ${(ids.length - 3 * reserved).toLocaleString('en-US')} instances`)
  rec.note(`Instances: ${ids.length.toLocaleString('en-US')} basic deliveries at submit-demand, seeded by cloning a real one (${seedSeconds.toFixed(1)} s); each is driven submit -> finish -> confirm, an act being sent only after the previous one for that instance was answered. The echo and the HTTP layer alone are sent the same requests, going round the first ${reserved.toLocaleString('en-US')} instances; each floor goes round ${reserved.toLocaleString('en-US')} of its own.`)
  rec.note(`Servers: child processes of this one (bench/http-server.ts, run with the node flags npm start gives, ${startNodeFlags().join(' ')}), built with createApp() as server/main.ts does (bearer token lookup, idempotency middleware, body limit, request id, secure headers) and served by @hono/node-server; autocannon runs in the parent. Both share the 2 cores.`)
  return rec.report('http', 'acts per second over HTTP on loopback, against a bare Hono JSON echo', {
    connections, 'seconds per series': seconds, runs: options.runs, 'warm-up runs': 1,
  })
}
