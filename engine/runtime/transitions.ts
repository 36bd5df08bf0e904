import type { CompiledProcess, Target } from '../definition/compiled.js'
import type { Event } from './events.js'
import type { InstanceState } from './state.js'
import { dueAfter } from './time.js'

/**
 * The events of moving an instance to `target` at instant `at`: leaving windows that do not
 * cover the new step, entering it (a new round, its timeout fixed as an absolute instant), and
 * opening the windows it starts; or completing the instance with an outcome.
 */
export function moveTo(process: CompiledProcess, state: InstanceState, target: Target, at: string): Event[] {
  if (target.kind === 'end') return [{ type: 'instance-completed', at, outcome: target.outcome }]
  const step = process.steps.get(target.step)
  if (!step) throw new Error(`Compiled process ${process.id} v${process.version} has no step ${target.step}`)
  const events: Event[] = []
  for (const windowId of Object.keys(state.deadlines.windows)) {
    if (!step.windows.includes(windowId)) events.push({ type: 'window-closed', at, window: windowId })
  }
  const round = (state.rounds[step.id] ?? 0) + 1
  events.push(step.timeout
    ? { type: 'step-entered', at, step: step.id, round, timeout: { action: step.timeout.action, due: dueAfter(at, step.timeout.after, state.parameters, process.timeZone) } }
    : { type: 'step-entered', at, step: step.id, round })
  for (const windowId of step.windows) {
    const window = process.windows.get(windowId)
    if (window && !(windowId in state.deadlines.windows)) {
      events.push({ type: 'window-opened', at, window: windowId, due: dueAfter(at, window.after, state.parameters, process.timeZone) })
    }
  }
  return events
}

/** The earliest pending deadline: the step's timeout or a window's expiry (timeouts first on a tie). */
export function earliestDeadline(state: InstanceState):
  | { readonly kind: 'timeout'; readonly step: string; readonly action: string; readonly due: string }
  | { readonly kind: 'window'; readonly window: string; readonly due: string }
  | undefined {
  const timeout = state.deadlines.timeout
  let earliest: ReturnType<typeof earliestDeadline> = timeout ? { kind: 'timeout', ...timeout } : undefined
  for (const [window, { due }] of Object.entries(state.deadlines.windows)) {
    if (!earliest || due < earliest.due) earliest = { kind: 'window', window, due }
  }
  return earliest
}
