import type { Engine } from '../engine/index.js'
import type { BenchOptions } from './lib/options.js'
import { byScale } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import type { StoreSettings } from './lib/deliveries.js'
import { completeDelivery, dbFile, openEngine } from './lib/deliveries.js'
import { benchPostgresUrl, freshSchema, postgresVersion } from './lib/postgres.js'
import { countFor } from './lib/count-for.js'
import { createBpmnPeer } from './peers/bpmn.js'
import { completeWithXState } from './peers/xstate.js'

/** The store settings compared: the default, the default without grouping, and the opt-in; PostgreSQL when `DATABASE_URL` names one. */
const SERIES: ReadonlyArray<{ key: string; label: string; settings: StoreSettings; postgres?: true }> = [
  { key: 'full-grouped', label: 'FULL + group commit (default)', settings: { durability: 'full', groupCommit: true } },
  { key: 'full-single', label: 'FULL, one commit per act', settings: { durability: 'full', groupCommit: false } },
  { key: 'normal-grouped', label: 'NORMAL + group commit (opt-in)', settings: { durability: 'normal', groupCommit: true } },
  { key: 'postgres', label: 'PostgreSQL, synchronous_commit on', settings: {}, postgres: true },
]

/**
 * `engine`: completed basic deliveries per second through the Engine facade on a real SQLite
 * file (WAL), with concurrent async drivers, at each durability setting, and on PostgreSQL when
 * `DATABASE_URL` names one; side by side in the same
 * run, the same process in bpmn-engine and XState v5 in memory, persisting after every step.
 * `--series=KEY,...` limits it to some of ours and skips the peers (for profiling).
 */
export async function run(options: BenchOptions): Promise<Report> {
  const drivers = byScale(options, 50, 4)
  const seconds = byScale(options, 1.5, 0.1)
  const only = options.params['series']?.split(',')
  const postgres = benchPostgresUrl()
  const series = SERIES.filter((s) => (!only || only.includes(s.key)) && (!s.postgres || postgres))
  const peers = !only
  const rec = new Recorder()
  for (const s of series) {
    rec.measure(`${s.key}.deliveries`, { label: `delivery-center, ${s.label}: completed basic deliveries`, unit: '/s' })
    rec.measure(`${s.key}.acts`, { label: `delivery-center, ${s.label}: commands (start + 3 acts)`, unit: '/s' })
  }
  if (peers) {
    rec.measure('bpmn.deliveries', { label: 'bpmn-engine, in memory, getState() after each step: completed instances', unit: '/s' })
    rec.measure('xstate.deliveries', { label: 'XState v5, in memory, getPersistedSnapshot() after each event: completed actors', unit: '/s' })
    rec.ratio('full-grouped/bpmn', 'delivery-center FULL grouped / bpmn-engine', 'full-grouped.deliveries', 'bpmn.deliveries', { op: '>=', value: 20 })
    rec.ratio('full-single/bpmn', 'delivery-center FULL ungrouped / bpmn-engine', 'full-single.deliveries', 'bpmn.deliveries')
    rec.ratio('normal-grouped/bpmn', 'delivery-center NORMAL grouped / bpmn-engine', 'normal-grouped.deliveries', 'bpmn.deliveries')
    rec.ratio('full-grouped/xstate', 'delivery-center FULL grouped / XState', 'full-grouped.deliveries', 'xstate.deliveries')
    if (postgres) rec.ratio('postgres/bpmn', 'delivery-center PostgreSQL / bpmn-engine', 'postgres.deliveries', 'bpmn.deliveries')
  }
  if (!only) {
    rec.ratio('grouping-gain', 'FULL grouped / FULL ungrouped (what group commit buys)', 'full-grouped.deliveries', 'full-single.deliveries')
    rec.ratio('normal/full', 'NORMAL grouped / FULL grouped (what the opt-in buys)', 'normal-grouped.deliveries', 'full-grouped.deliveries')
  }
  const bpmn = peers ? await createBpmnPeer() : undefined

  await repeat(rec, options.runs, async (runIndex) => {
    for (const s of series) {
      const schema = s.postgres && postgres ? await freshSchema(postgres, `engine_${runIndex}`) : undefined
      const { engine, store } = await openEngine(schema?.url ?? dbFile(options.dir, `engine-${s.key}-${runIndex}`), s.settings)
      const { deliveries, elapsed } = await driveFor(engine, drivers, seconds)
      await store.close()
      await schema?.drop()
      rec.add(`${s.key}.deliveries`, deliveries / elapsed)
      rec.add(`${s.key}.acts`, (deliveries * 4) / elapsed)
    }
    if (bpmn) rec.add('bpmn.deliveries', await countFor(seconds, () => bpmn.complete()))
    if (peers) rec.add('xstate.deliveries', await countFor(seconds, () => Promise.resolve(completeWithXState())))
  })
  if (postgres) rec.note(`PostgreSQL: ${await postgresVersion(postgres)} on this machine, a pool of 10 connections, each run in a fresh schema; the writes arriving together are sent as one message and one commit (group commit, the default); npm run bench -- postgres compares it with pgbench.`)
  rec.note('bpmn-engine parses the BPMN once (sourceContext) and serialises getState() to JSON after execute and each signal; XState serialises getPersistedSnapshot() likewise. Neither validates the inputs; delivery-center validates them against the JSON Schema and writes them durably.')
  return rec.report('engine', 'completed basic deliveries (start, submit with contact and demands, finish, confirm) per second', {
    drivers, 'seconds per series': seconds, runs: options.runs, 'warm-up runs': 1,
  })
}

/**
 * Runs `drivers` async loops completing deliveries until `seconds` have passed. Any rejection
 * fails the benchmark: every command sent is valid, so one would be a bug.
 */
async function driveFor(engine: Engine, drivers: number, seconds: number): Promise<{ deliveries: number; elapsed: number }> {
  const started = performance.now()
  const until = started + seconds * 1000
  let deliveries = 0
  await Promise.all(Array.from({ length: drivers }, async () => {
    while (performance.now() < until) {
      await completeDelivery(engine)
      deliveries++
    }
  }))
  return { deliveries, elapsed: (performance.now() - started) / 1000 }
}
