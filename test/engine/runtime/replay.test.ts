import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR, compileProcess, loadBuiltInProcesses } from '../../../engine/index.js'
import type { CompiledProcess } from '../../../engine/index.js'
import { fold, loadGoldens, replay } from '../../support/replay.js'
import type { Divergence, Golden } from '../../support/replay.js'
import { SCENARIOS } from '../../support/replay-scenarios.js'

// Replay goldens (STYLE.md §7): recorded deliveries of every built-in process, written by
// test/support/generate-replay-goldens.ts. A golden that no longer replays is a
// process-versioning decision, not a refresh.
const goldens = loadGoldens()
const builtIns = new Map(loadBuiltInProcesses().map((p) => [p.id, p]))

function processOf(golden: Golden): CompiledProcess {
  const process = builtIns.get(golden.process.id)
  if (!process) throw new Error(`${golden.name}: no built-in process ${golden.process.id}`)
  return process
}

/** The built-in process `id` compiled from its source with `edit` applied: a deliberately changed rule. */
function changed(id: string, edit: (source: string) => string): CompiledProcess {
  const source = readFileSync(join(BUILT_IN_PROCESS_DIR, `${id}.yaml`), 'utf8')
  const edited = edit(source)
  if (edited === source) throw new Error(`The edit changed nothing in ${id}.yaml`)
  // A derived process is compiled against the built-in process it extends, as the loader does.
  const base = (ref: { id: string }) => ({ text: readFileSync(join(BUILT_IN_PROCESS_DIR, `${ref.id}.yaml`), 'utf8'), file: `${ref.id}.yaml` })
  const result = compileProcess(edited, `${id}.yaml`, { base })
  if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
  return result.process
}

describe('replay goldens', () => {
  it('record every scenario, and several deliveries of every built-in process', () => {
    expect(goldens.map((g) => g.name)).toEqual(SCENARIOS.map((s) => s.name).sort())
    for (const id of builtIns.keys()) expect(goldens.filter((g) => g.process.id === id).length, id).toBeGreaterThanOrEqual(2)
  })

  it.each(goldens.map((g) => [g.name, g] as const))('%s: its process is still at the recorded version', (_, golden) => {
    expect(processOf(golden).version).toBe(golden.process.version)
  })

  it.each(goldens.map((g) => [g.name, g] as const))('%s: folding its events through evolve gives the recorded state', (_, golden) => {
    expect(fold(golden)).toEqual(golden.state)
  })

  it.each(goldens.map((g) => [g.name, g] as const))('%s: deciding its commands again gives the recorded events and state', async (_, golden) => {
    expect(await replay(golden, processOf(golden))).toBeUndefined()
  })
})

describe('a changed rule fails the goldens', () => {
  /** Every divergence of the goldens of `id` replayed against `process`. */
  async function divergences(id: string, process: CompiledProcess): Promise<Divergence[]> {
    const found: Divergence[] = []
    for (const golden of goldens.filter((g) => g.process.id === id)) {
      const divergence = await replay(golden, process)
      if (divergence) found.push(divergence)
    }
    return found
  }

  it('a default confirmation window of P13D instead of P14D: the parameters recorded at the start differ', async () => {
    const found = await divergences('basic', changed('basic', (s) => s.replace('default: P14D', 'default: P13D')))
    // basic-short-window starts with its own P3D; every other basic golden records the default.
    expect(found.map((d) => [d.golden, d.command, d.event])).toEqual([
      ['basic-confirm-timeout', 0, 0], ['basic-confirmed', 0, 0], ['basic-dispute-reworked', 0, 0], ['basic-dispute-terminated', 0, 0],
      ['basic-escalated', 0, 0], ['basic-failed-retried', 0, 0],
      ['basic-failed-terminated', 0, 0], ['basic-refusals', 0, 0], ['basic-reminded', 0, 0], ['basic-terminated', 0, 0],
    ])
    expect(found[0]?.actual).toMatchObject({ type: 'instance-started', parameters: { confirmWindow: 'P13D' } })
  })

  it('a confirmation timeout of P13D: Confirm Delivery is entered with another due instant in every basic golden that reaches it', async () => {
    const found = await divergences('basic', changed('basic', (s) => s.replace('after: confirmWindow', 'after: P13D')))
    // basic-refusals and basic-terminated never reach Confirm Delivery.
    expect(found.map((d) => [d.golden, d.command, d.event])).toEqual([
      ['basic-confirm-timeout', 2, 1], ['basic-confirmed', 3, 1], ['basic-dispute-reworked', 2, 1], ['basic-dispute-terminated', 2, 1],
      ['basic-escalated', 5, 1], ['basic-failed-retried', 2, 1],
      ['basic-failed-terminated', 2, 1], ['basic-reminded', 2, 1], ['basic-short-window', 2, 1],
    ])
    const confirmed = found[1]
    expect(confirmed?.expected).toMatchObject({ type: 'step-entered', step: 'confirm-delivery', timeout: { due: '2026-01-16T00:00:00.000Z' } })
    expect(confirmed?.actual).toMatchObject({ type: 'step-entered', step: 'confirm-delivery', timeout: { due: '2026-01-15T00:00:00.000Z' } })
  })

  it('a rejection that leads elsewhere: the first reject of step-by-step diverges at the event after it', async () => {
    const edited = changed('step-by-step', (s) => s.replace('goto: functional-design\n', 'goto: submit-demand\n'))
    const found = await divergences('step-by-step', edited)
    expect(found).toEqual([expect.objectContaining({ golden: 'step-by-step-rejections', command: 3, event: 1 })])
    expect(found[0]?.actual).toMatchObject({ type: 'step-entered', step: 'submit-demand', round: 2 })
  })

  it('a recorded value computed differently: the validity period diverges at values-recorded', async () => {
    const edited = changed('license-supervision', (s) => s.replace('$addDuration(values.validFrom, parameters.purchasedDuration)', '$addDuration(values.validFrom, \'P1Y\')'))
    const found = await divergences('license-supervision', edited)
    expect(found.map((d) => [d.golden, d.event])).toEqual([['license-accepted', 1], ['license-appeal', 1]])
  })
})
