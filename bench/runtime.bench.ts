import { readFileSync } from 'node:fs'
import { Temporal } from 'temporal-polyfill'
import { BUILT_IN_PROCESS_DIR, compileProcess, decide } from '../engine/index.js'
import type { Command, CompiledProcess, InstanceState } from '../engine/index.js'
import { ADMIN, BASIC_ACTS, ORDER, PARTIES } from './lib/deliveries.js'
import type { BenchOptions } from './lib/options.js'
import { byScale } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import { runXStateActor, runXStatePure } from './peers/xstate.js'

/** Steps in one basic delivery: start, submit, finish, confirm (XState: start and three events). */
const STEPS = 4

/**
 * `runtime`: the pure decision function on the compiled basic process, in memory (no database),
 * in steps per second, against XState v5's transitions on the same machine in the same run.
 */
export async function run(options: BenchOptions): Promise<Report> {
  const seconds = byScale(options, 1, 0.05)
  const compiled = compileProcess(readFileSync(`${BUILT_IN_PROCESS_DIR}/basic.yaml`, 'utf8'), 'basic.yaml')
  if (!compiled.ok) throw new Error(`basic.yaml does not compile: ${compiled.errors.join('; ')}`)
  const process = compiled.process
  const now = Temporal.Instant.from('2026-01-01T00:00:00Z')
  const rec = new Recorder()
    .measure('decide', { label: 'delivery-center decide(): steps (start, submit with inputs validated, finish, confirm)', unit: '/s' })
    .measure('xstate-actor', { label: 'XState v5 actor: transitions (start, SUBMIT, FINISH, CONFIRM via send)', unit: '/s' })
    .measure('xstate-pure', { label: 'XState v5 pure transition(): transitions (initialTransition + 3)', unit: '/s' })
    .ratio('decide/xstate-actor', 'decide steps / XState actor transitions', 'decide', 'xstate-actor', { op: '>=', value: 1 })
    .ratio('decide/xstate-pure', 'decide steps / XState pure transition()', 'decide', 'xstate-pure')

  // `--series=decide` (or xstate-actor, xstate-pure) runs only some series, e.g. for a profile.
  const only = options.params['series']?.split(',')
  const wanted = (key: string): boolean => !only || only.includes(key)
  let n = 0
  await repeat(rec, options.runs, async () => {
    if (wanted('decide')) rec.add('decide', STEPS * await countFor(seconds, async () => { await decideDelivery(process, `i-${n++}`, now) }))
    if (wanted('xstate-actor')) rec.add('xstate-actor', STEPS * await countFor(seconds, () => { runXStateActor() }))
    if (wanted('xstate-pure')) rec.add('xstate-pure', STEPS * await countFor(seconds, () => { runXStatePure() }))
  })
  rec.note('Each side runs the whole delivery in a loop for the same time; decide() validates the submitted contact and demands against the JSON Schema and computes the 14-day deadline with temporal-polyfill, XState does neither.')
  return rec.report('runtime', 'pure decisions on a compiled basic process in memory, per second', {
    'seconds per series': seconds, runs: options.runs, 'warm-up runs': 1,
  })
}

/** One basic delivery through decide() alone; throws on a rejection. */
async function decideDelivery(process: CompiledProcess, instanceId: string, now: Temporal.Instant): Promise<InstanceState> {
  const start: Command = { type: 'start', instanceId, by: ADMIN, parties: PARTIES, context: ORDER }
  let decision = await decide(process, undefined, start, now)
  for (const { action, by, inputs } of BASIC_ACTS) {
    if (!decision.ok) break
    const command: Command = { type: 'act', by, action, attachments: {}, ...(inputs === undefined ? {} : { inputs }) }
    decision = await decide(process, decision.state, command, now)
  }
  if (!decision.ok) throw new Error(`decide rejected a valid command: ${decision.rejection.message}`)
  return decision.state
}

/** Calls of `once` per second over `seconds`, checking the clock every 100 calls. */
async function countFor(seconds: number, once: () => Promise<void> | void): Promise<number> {
  const started = performance.now()
  const until = started + seconds * 1000
  let count = 0
  while (performance.now() < until) {
    for (let i = 0; i < 100; i++) await once()
    count += 100
  }
  return count / ((performance.now() - started) / 1000)
}
