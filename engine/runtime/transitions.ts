import type { Budget } from '../definition/expression-limits.js'
import { isTrue } from '../definition/expression-limits.js'
import type { CompiledProcess, Target } from '../definition/compiled.js'
import type { Event } from './events.js'
import type { InstanceState } from './state.js'
import { nextReminder, scheduleReminders } from './reminders.js'
import { dueAfter } from './time.js'

/**
 * The events of moving an instance to `target` at instant `at`: leaving windows that do not
 * cover the new step, entering it (a new round, its timeout fixed as an absolute instant), and
 * opening the windows it starts; or completing the instance with an outcome.
 */
export async function moveTo(process: CompiledProcess, state: InstanceState, target: Target, at: string, budget: Budget): Promise<Event[]> {
  const events: Event[] = []
  // A step whose condition is false is skipped, and so on down the chain of `otherwise`s.
  for (let hops = 0; target.kind === 'step'; hops++) {
    const candidate = process.steps.get(target.step)
    if (!candidate) throw new Error(`Compiled process ${process.id} v${process.version} has no step ${target.step}`)
    if (!candidate.when || hops > process.steps.size || isTrue(await candidate.when.evaluate(expressionInput(state), at, budget))) break
    events.push({ type: 'step-skipped', at, step: candidate.id })
    target = candidate.otherwise
  }
  if (target.kind === 'end') return [...events, { type: 'instance-completed', at, outcome: target.outcome }]
  const step = process.steps.get(target.step)
  if (!step) throw new Error(`Compiled process ${process.id} v${process.version} has no step ${target.step}`)
  for (const windowId of Object.keys(state.deadlines.windows)) {
    if (!step.windows.includes(windowId)) events.push({ type: 'window-closed', at, window: windowId })
  }
  const round = (state.rounds[step.id] ?? 0) + 1
  if (step.timeout) {
    const due = dueAfter(at, step.timeout.after, state.parameters, process.timeZone)
    const reminders = scheduleReminders(step.timeout.remind, at, due, process.timeZone)
    events.push({ type: 'step-entered', at, step: step.id, round, timeout: { action: step.timeout.action, due, ...(reminders ? { reminders } : {}) } })
  } else {
    events.push({ type: 'step-entered', at, step: step.id, round })
  }
  for (const windowId of step.windows) {
    const window = process.windows.get(windowId)
    if (window && !(windowId in state.deadlines.windows)) {
      const due = dueAfter(at, window.after, state.parameters, process.timeZone)
      const reminders = scheduleReminders(window.remind, at, due, process.timeZone)
      events.push({ type: 'window-opened', at, window: windowId, due, ...(reminders ? { reminders } : {}) })
    }
  }
  return events
}

/** What expressions see of an instance: its context, parameters, recorded values, step data and parties. */
export function expressionInput(state: InstanceState, inputs?: unknown): Record<string, unknown> {
  return { context: state.context, parameters: state.parameters, values: state.values, data: state.data, parties: state.parties, ...(inputs === undefined ? {} : { inputs }) }
}


/**
 * The instant the instance next needs the scheduler, or undefined when nothing is scheduled: its
 * earliest pending deadline, or a reminder not yet sent before it (claimed like a deadline).
 */
export function nextDeadline(state: InstanceState): string | undefined {
  const deadline = earliestDeadline(state)?.due
  const reminder = nextReminder(state)
  return reminder !== undefined && (deadline === undefined || reminder < deadline) ? reminder : deadline
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
