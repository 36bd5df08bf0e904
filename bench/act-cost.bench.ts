import { decide, realClock } from '../engine/index.js'
import type { Command, Engine, InstanceState, Store } from '../engine/index.js'
import { viewInstance } from '../engine/runtime/view.js'
import type { StoreSettings } from './lib/deliveries.js'
import { CUSTOMER, dbFile, DEMAND, openEngine } from './lib/deliveries.js'
import type { BenchOptions } from './lib/options.js'
import { byScale } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import { cloneInstances, createTemplates, waitingIds } from './lib/seed.js'

/** Acts in flight at once, so that they share commits as a loaded server's do. */
const AT_ONCE = 25

const SUBMIT = { action: 'submit', inputs: DEMAND } as const

/** The act measured whole, at the default durability and at the opt-in. */
const WHOLE: ReadonlyArray<{ key: string; label: string; settings: StoreSettings }> = [
  { key: 'act-full', label: 'the whole act through the Engine, FULL + group commit (default)', settings: { durability: 'full' } },
  { key: 'act-normal', label: 'the whole act through the Engine, NORMAL + group commit (opt-in)', settings: { durability: 'normal' } },
]

/** The parts of an act measured alone, in the order the engine does them. */
const PARTS = [
  { key: 'read', label: 'read the instance (store.instances.find: the row and its state JSON parsed)' },
  { key: 'decide', label: 'decide (the pure function: inputs validated, deadline computed, new state)' },
  { key: 'view', label: "the caller's view of the new state, as JSON" },
] as const

/**
 * `act-cost`: where the time of one act goes, in process (no HTTP), in microseconds per act: the
 * whole act (a customer's submit with contact and demands) through the Engine, `AT_ONCE` at a
 * time, at FULL and at NORMAL; and its parts alone on the same instances: the read, the
 * decision and the view. What the whole costs beyond its parts is the write (the plan, the
 * statements, the commit and at FULL its fsync, all on the event loop by default).
 */
export async function run(options: BenchOptions): Promise<Report> {
  const perRun = byScale(options, 5_000, 50)
  const at = realClock.now().toString()
  const stores: Array<{ engine: Engine; store: Store; ids: string[] }> = []
  let seedSeconds = 0
  for (const whole of WHOLE) {
    const file = dbFile(options.dir, `act-cost-${whole.key}`)
    const [template] = await createTemplates(file, ['submit-demand'], at)
    seedSeconds += cloneInstances(file, [template as string], perRun * (options.runs + 1))
    stores.push({ ...await openEngine(file, whole.settings, realClock), ids: waitingIds(file, perRun * (options.runs + 1) + 1) })
  }

  const rec = new Recorder()
  for (const whole of WHOLE) rec.measure(whole.key, { label: whole.label, unit: 'µs/act' })
  for (const part of PARTS) rec.measure(part.key, { label: part.label, unit: 'µs/act' })
  rec.ratio('full/normal', 'the whole act, FULL / NORMAL (what the fsync adds)', 'act-full', 'act-normal')
  const wholes: number[] = []
  let failures = 0
  try {
    await repeat(rec, options.runs, async (runIndex) => {
      const full = stores[0] as typeof stores[number]
      const slice = (ids: string[]): string[] => ids.slice(runIndex * perRun, (runIndex + 1) * perRun)
      const parts = await measureParts(full.engine, full.store, slice(full.ids))
      for (const part of PARTS) rec.add(part.key, parts[part.key])
      for (const [index, { key }] of WHOLE.entries()) {
        const { engine, ids } = stores[index] as typeof stores[number]
        const { perAct, failed } = await actAll(engine, slice(ids))
        failures += failed
        rec.add(key, perAct)
        if (key === 'act-full' && !rec.warmingUp) wholes.push(perAct - PARTS.reduce((sum, p) => sum + parts[p.key], 0))
      }
    })
  } finally {
    for (const { store } of stores) await store.close()
  }
  const beyond = [...wholes].sort((a, b) => a - b)[Math.floor(wholes.length / 2)] ?? NaN
  rec.check('every act was accepted', failures === 0, `${failures} acts rejected`)
  rec.note(`The whole act at FULL less its parts (the write: its plan, statements, commit and fsync): ${beyond.toFixed(1)} µs per act (median over the runs).`)
  rec.note(`Each run acts on ${perRun.toLocaleString('en-US')} fresh instances at submit-demand per durability, seeded by cloning a real one (${seedSeconds.toFixed(1)} s); the parts are measured one at a time over the same instances before they are acted on, the read sequentially.`)
  return rec.report('act-cost', 'where the time of one act goes, in process, in microseconds per act', {
    'acts per run': perRun, 'acts at once': AT_ONCE, runs: options.runs, 'warm-up runs': 1,
  })
}

/** Microseconds per act of each part, over `ids` (read, then each decided, then each viewed). */
async function measureParts(engine: Engine, store: Store, ids: readonly string[]): Promise<Record<(typeof PARTS)[number]['key'], number>> {
  let started = performance.now()
  const states: InstanceState[] = []
  for (const id of ids) {
    const stored = await store.instances.find(id)
    if (!stored) throw new Error(`Instance ${id} is missing.`)
    states.push(stored.state)
  }
  const read = perAct(started, ids.length)
  const first = states[0] as InstanceState
  const process = await engine.processes.get(first.processId, first.processVersion)
  const command: Command = { type: 'act', by: CUSTOMER, ...SUBMIT, attachments: {} }
  const now = realClock.now()
  started = performance.now()
  const decided: InstanceState[] = []
  for (const state of states) {
    const decision = await decide(process, state, command, now)
    if (!decision.ok) throw new Error(`decide rejected a valid submit: ${decision.rejection.message}`)
    decided.push(decision.state)
  }
  const decideCost = perAct(started, ids.length)
  started = performance.now()
  let bytes = 0
  for (const state of decided) bytes += JSON.stringify(viewInstance(process, state, CUSTOMER)).length
  if (bytes === 0) throw new Error('No view was written.')
  return { read, decide: decideCost, view: perAct(started, ids.length) }
}

/** Submits on every instance of `ids`, `AT_ONCE` at a time: microseconds per act, and how many were rejected. */
async function actAll(engine: Engine, ids: readonly string[]): Promise<{ perAct: number; failed: number }> {
  let failed = 0
  const started = performance.now()
  for (let i = 0; i < ids.length; i += AT_ONCE) {
    await Promise.all(ids.slice(i, i + AT_ONCE).map((id) => engine.instances.act(id, SUBMIT, CUSTOMER).catch(() => { failed++ })))
  }
  return { perAct: perAct(started, ids.length), failed }
}

function perAct(started: number, count: number): number {
  return (performance.now() - started) * 1000 / count
}
