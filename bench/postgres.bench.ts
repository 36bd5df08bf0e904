import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Temporal } from 'temporal-polyfill'
import { ManualClock } from '../engine/index.js'
import { openEngine } from './lib/deliveries.js'
import type { BenchOptions } from './lib/options.js'
import { byScale } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import { createTemplates } from './lib/seed.js'
import { benchPostgres, clonePostgres, freshSchema, pgbenchDatabase, postgresCpuSeconds, postgresVersion, runPgbench, verifyPostgres } from './lib/postgres.js'

/** Connections per engine process: the pool's default, and so pgbench's clients. */
const CONNECTIONS = 10
/** Async loops completing deliveries in each engine process, as in `engine`. */
const DRIVERS = 50
const PROCESSES = [1, 2, 4] as const
/** At tiny scale (the smoke test), fewer process counts: each is a few Node.js processes to start. */
const TINY_PROCESSES = [1, 2] as const
const T0 = '2026-01-01T00:00:00Z'
/** The basic process's confirmation window: every seeded deadline falls due at T0 + P14D. */
const DUE = Temporal.Instant.from(T0).add({ hours: 14 * 24 })
const DEADLINES_TARGET = 100_000

/**
 * `postgres`: the engine on PostgreSQL beside PostgreSQL's own limit on the same server.
 * Side by side in each run: `pgbench -N` with 10 clients (its own database, scale 1), then basic
 * deliveries completed by 1, 2 and 4 engine processes (each with a pool of 10 connections and 50
 * drivers, on one schema, group commit on as by default), one process with each command its own commit, and 50,000 due deadlines fired by
 * `advance()`. On the server `DATABASE_URL` names, else on a throw-away cluster; skipped with a
 * note when PostgreSQL is not installed.
 */
export async function run(options: BenchOptions): Promise<Report> {
  const rec = new Recorder()
  const seconds = byScale(options, 3, 1)
  const processes = byScale<readonly number[]>(options, PROCESSES, TINY_PROCESSES)
  const deadlines = Number(options.params['count'] ?? byScale(options, 50_000, 200))
  if (!Number.isInteger(deadlines) || deadlines < 1) throw new RangeError(`--count must be a positive integer, not "${options.params['count']}".`)
  const settings = { 'seconds per series': seconds, 'connections per engine process': CONNECTIONS, 'drivers per engine process': DRIVERS, 'deadlines per run': deadlines, runs: options.runs, 'warm-up runs': 1 }
  const title = 'the engine on PostgreSQL beside pgbench -N on the same server: commands per second with 1, 2 and 4 engine processes, and due deadlines fired per second'
  const server = await benchPostgres()
  if (!server) {
    rec.note('Skipped: no PostgreSQL server is installed (initdb and pgbench not found) and DATABASE_URL names none. Install it (apt-get install -y postgresql) or set DATABASE_URL.')
    return rec.report('postgres', title, settings)
  }
  try {
    rec.measure('pgbench.tps', { label: `pgbench -N, ${CONNECTIONS} clients: transactions`, unit: '/s' })
    for (const n of processes) rec.measure(`engine-${n}.commands`, { label: `delivery-center, ${n} engine process${n > 1 ? 'es' : ''} (${n * CONNECTIONS} connections): commands (start + 3 acts)`, unit: '/s' })
    rec.measure('ungrouped.commands', { label: 'delivery-center, 1 engine process, each command its own commit: commands', unit: '/s' })
    rec.measure('pgbench.server-cpu', { label: 'pgbench: PostgreSQL server CPU per transaction', unit: 'µs' })
    rec.measure('pgbench.client-cpu', { label: 'pgbench: its own CPU per transaction', unit: 'µs' })
    rec.measure('engine-1.server-cpu', { label: 'engine, 1 process: PostgreSQL server CPU per command', unit: 'µs' })
    rec.measure('engine-1.engine-cpu', { label: 'engine, 1 process: engine process CPU per command', unit: 'µs' })
    rec.measure('engine-1.cores', { label: 'engine, 1 process: cores busy (engine and server)', unit: 'cores' })
    rec.measure('deadlines.rate', { label: 'due deadlines fired by advance()', unit: '/s' })
    rec.measure('deadlines.server-cpu', { label: 'deadlines: PostgreSQL server CPU per deadline', unit: 'µs' })
    rec.measure('deadlines.engine-cpu', { label: 'deadlines: engine process CPU per deadline', unit: 'µs' })
    rec.measure('deadlines.per100k', {
      label: `time for ${DEADLINES_TARGET.toLocaleString('en-US')} deadlines${deadlines === DEADLINES_TARGET ? '' : `, from the rate at ${deadlines.toLocaleString('en-US')}`}`,
      unit: 's', target: { op: '<=', value: 10 },
    })
    rec.ratio('engine/pgbench', `engine commands/s (1 process, ${CONNECTIONS} connections) / pgbench -N tps (${CONNECTIONS} clients)`, 'engine-1.commands', 'pgbench.tps', { op: '>=', value: 0.7 })
    rec.ratio('ungrouped/pgbench', 'engine commands/s, each its own commit / pgbench -N tps', 'ungrouped.commands', 'pgbench.tps')
    rec.ratio('grouping-gain', 'group commit (default) / each command its own commit', 'engine-1.commands', 'ungrouped.commands')
    rec.ratio('2/1', '2 engine processes / 1', 'engine-2.commands', 'engine-1.commands')
    rec.ratio('4/1', '4 engine processes / 1', 'engine-4.commands', 'engine-1.commands')

    const pgbench = await pgbenchDatabase(server.url, 1)
    try {
      await repeat(rec, options.runs, async (runIndex) => {
        const before = await postgresCpuSeconds(server.url)
        const { tps, clientCpu } = await runPgbench(pgbench.url, CONNECTIONS, seconds)
        const after = await postgresCpuSeconds(server.url)
        rec.add('pgbench.tps', tps)
        // /proc counts in 10 ms ticks: a tiny run's second is too short for a figure.
        const cpuFigures = options.scale === 'full' && before !== undefined && after !== undefined
        if (cpuFigures) rec.add('pgbench.server-cpu', ((after - before) * 1e6) / (tps * seconds))
        if (cpuFigures && clientCpu !== undefined) rec.add('pgbench.client-cpu', (clientCpu * 1e6) / (tps * seconds))
        for (const n of processes) {
          const driven = await driveProcesses(server.url, `procs${n}_${runIndex}`, n, seconds, true)
          rec.add(`engine-${n}.commands`, driven.rate)
          if (n === 1 && cpuFigures && driven.serverCpu !== undefined) {
            rec.add('engine-1.server-cpu', (driven.serverCpu * 1e6) / driven.commands)
            rec.add('engine-1.engine-cpu', (driven.engineCpu * 1e6) / driven.commands)
            rec.add('engine-1.cores', (driven.serverCpu + driven.engineCpu) / driven.seconds)
          }
        }
        rec.add('ungrouped.commands', (await driveProcesses(server.url, `ungrouped_${runIndex}`, 1, seconds, false)).rate)
        const fired = await fireDeadlines(server.url, runIndex, runIndex === 0 ? Math.max(100, Math.round(deadlines / 10)) : deadlines)
        rec.check(`run ${runIndex}: each of ${fired.expected.toLocaleString('en-US')} deadlines fired exactly once`, fired.ok, fired.detail)
        rec.add('deadlines.rate', fired.rate)
        if (cpuFigures && fired.serverCpu !== undefined) {
          rec.add('deadlines.server-cpu', (fired.serverCpu * 1e6) / fired.expected)
          rec.add('deadlines.engine-cpu', (fired.engineCpu * 1e6) / fired.expected)
        }
        rec.add('deadlines.per100k', DEADLINES_TARGET / fired.rate)
      })
    } finally {
      await pgbench.drop()
    }
    rec.note(`${await postgresVersion(server.url)} on this machine (${server.throwAway ? 'a throw-away cluster started by bin/with-postgres: fsync on, synchronous_commit on, shared_buffers 256MB' : 'the server DATABASE_URL names'}); pgbench in a database of its own initialised at scale 1, run with -N -c ${CONNECTIONS} -j 2, before the engine in every run.`)
    rec.note(`Engine processes are Node.js processes driving the Engine facade (not HTTP servers), each with its own pool; those of one series share one fresh schema and start together. Commands per second: 4 per completed delivery (start, submit, finish, confirm), summed over the processes.`)
    rec.note(`Deadlines: basic deliveries waiting at confirm-delivery, cloned in SQL into a fresh schema per run, fired by one advance(); each run checked in SQL (one timeout event per instance, all completed).`)
  } finally {
    await server.stop()
  }
  return rec.report('postgres', title, settings)
}

/** What `count` engine processes did together: commands, per second, and the CPU the processes and the server used meanwhile. */
interface Driven {
  readonly commands: number
  readonly seconds: number
  readonly rate: number
  readonly engineCpu: number
  readonly serverCpu: number | undefined
}

/** `count` engine processes driving deliveries together for `seconds` on a fresh schema. */
async function driveProcesses(url: string, name: string, count: number, seconds: number, grouped: boolean): Promise<Driven> {
  const schema = await freshSchema(url, name)
  try {
    // Migrated and the built-ins registered once, before the processes race to do it.
    const { store } = await openEngine(schema.url)
    await store.close()
    const children = Array.from({ length: count }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'lib', 'pg-driver.ts'), schema.url, String(DRIVERS), String(seconds), ...(grouped ? [] : ['ungrouped'])], { stdio: ['pipe', 'pipe', 'inherit'] })
      const lines = createInterface({ input: child.stdout })
      const next = (): Promise<string> => new Promise((resolve, reject) => {
        lines.once('line', resolve)
        child.once('exit', (code) => reject(new Error(`An engine process exited (${code}) early.`)))
      })
      return { child, next }
    })
    try {
      await Promise.all(children.map(({ next }) => next()))
      const done = children.map(({ next }) => next())
      const before = await postgresCpuSeconds(url)
      for (const { child } of children) child.stdin.write('go\n')
      const results = (await Promise.all(done)).map((line) => JSON.parse(line) as { deliveries: number; seconds: number; cpuSeconds: number })
      const after = await postgresCpuSeconds(url)
      const elapsed = Math.max(...results.map((r) => r.seconds))
      const commands = results.reduce((sum, r) => sum + r.deliveries, 0) * 4
      return {
        commands, seconds: elapsed, rate: commands / elapsed, engineCpu: results.reduce((sum, r) => sum + r.cpuSeconds, 0),
        // Includes closing the stores (a few milliseconds) after the window.
        serverCpu: before !== undefined && after !== undefined ? after - before : undefined,
      }
    } finally {
      for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL')
    }
  } finally {
    await schema.drop()
  }
}

/** Seeds `count` due deadlines in a fresh schema, fires them with one advance(), and checks each fired once. */
async function fireDeadlines(url: string, runIndex: number, count: number): Promise<{ expected: number; rate: number; ok: boolean; detail: string; engineCpu: number; serverCpu: number | undefined }> {
  const schema = await freshSchema(url, `deadlines_${runIndex}`)
  try {
    const [id] = await createTemplates(schema.url, ['confirm-delivery'], T0)
    await clonePostgres(schema.url, id as string, count - 1)
    const { engine, store } = await openEngine(schema.url, {}, new ManualClock(DUE))
    const serverBefore = await postgresCpuSeconds(url)
    const cpu = process.cpuUsage()
    const started = performance.now()
    const { fired } = await engine.deadlines.advance()
    const elapsed = (performance.now() - started) / 1000
    const used = process.cpuUsage(cpu)
    const serverAfter = await postgresCpuSeconds(url)
    await store.close()
    const verdict = await verifyPostgres(schema.url, count)
    return {
      expected: count, rate: fired / elapsed, ok: verdict.ok && fired === count, detail: `advance() reported ${fired}; ${verdict.detail}`,
      engineCpu: (used.user + used.system) / 1e6, serverCpu: serverBefore !== undefined && serverAfter !== undefined ? serverAfter - serverBefore : undefined,
    }
  } finally {
    await schema.drop()
  }
}
