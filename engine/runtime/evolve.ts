import { assertNever } from '../errors.js'
import type { Event } from './events.js'
import { markSent } from './reminders.js'
import type { Deadlines, InstanceState } from './state.js'

/**
 * Applies one event to a state and returns the next state; never mutates. Replaying an
 * instance's history through `evolve` from `undefined` rebuilds its state exactly.
 */
export function evolve(state: InstanceState | undefined, event: Event): InstanceState {
  // `revision` is not derived from events: `decide` sets it once per accepted command.
  if (event.type === 'instance-started') {
    return {
      id: event.instanceId,
      processId: event.processId,
      processVersion: event.processVersion,
      status: 'active',
      outcome: undefined,
      step: undefined,
      stepEnteredAt: undefined,
      rounds: {},
      parties: event.parties,
      parameters: event.parameters,
      context: event.context,
      data: {},
      values: {},
      deadlines: { timeout: undefined, windows: {} },
      startedAt: event.at,
      updatedAt: event.at,
      endedAt: undefined,
      revision: 0,
    }
  }
  if (!state) throw new Error(`Event ${event.type} before instance-started`)
  const base = { ...state, updatedAt: event.at }
  switch (event.type) {
    case 'step-entered':
      return {
        ...base,
        step: event.step,
        stepEnteredAt: event.at,
        rounds: { ...state.rounds, [event.step]: event.round },
        deadlines: {
          ...state.deadlines,
          timeout: event.timeout === undefined ? undefined : { step: event.step, ...event.timeout },
        },
      }
    case 'action-performed':
      return {
        ...base,
        data: {
          ...state.data,
          [event.step]: { action: event.action, round: state.rounds[event.step] ?? 1, by: event.by, at: event.at, inputs: event.inputs, attachments: event.attachments },
        },
        deadlines: { ...state.deadlines, timeout: undefined },
      }
    case 'step-skipped':
      return base
    case 'values-recorded':
      return { ...base, values: { ...state.values, ...event.values } }
    case 'window-opened':
      return {
        ...base,
        deadlines: {
          ...state.deadlines,
          windows: { ...state.deadlines.windows, [event.window]: { openedAt: event.at, due: event.due, ...(event.reminders ? { reminders: event.reminders } : {}) } },
        },
      }
    case 'deadline-approaching':
      return { ...base, deadlines: remindedIn(state.deadlines, event) }
    case 'window-closed':
    case 'window-expired': {
      const { [event.window]: _closed, ...windows } = state.deadlines.windows
      return { ...base, deadlines: { ...state.deadlines, windows } }
    }
    case 'instance-completed':
      return { ...base, status: 'completed', outcome: event.outcome, step: undefined, stepEnteredAt: undefined, endedAt: event.at, deadlines: { timeout: undefined, windows: {} } }
    case 'instance-terminated':
      return { ...base, status: 'terminated', outcome: 'terminated', step: undefined, stepEnteredAt: undefined, endedAt: event.at, deadlines: { timeout: undefined, windows: {} }, failure: undefined }
    case 'instance-failed':
      // The step and deadlines stay: a retry fires them.
      return { ...base, status: 'failed', failure: { code: event.code, message: event.message, at: event.at, attempts: event.attempts } }
    case 'instance-retried':
      return { ...base, status: 'active', failure: undefined }
    default:
      return assertNever(event)
  }
}

/** The deadlines with the reminder `event` sent marked sent. */
function remindedIn(deadlines: Deadlines, event: Extract<Event, { type: 'deadline-approaching' }>): Deadlines {
  const { deadline } = event
  if (deadline.kind === 'timeout') {
    const timeout = deadlines.timeout
    if (!timeout || timeout.step !== deadline.step) return deadlines
    return { ...deadlines, timeout: { ...timeout, ...optionalReminders(markSent(timeout.reminders, event)) } }
  }
  const window = deadlines.windows[deadline.window]
  if (!window) return deadlines
  return { ...deadlines, windows: { ...deadlines.windows, [deadline.window]: { ...window, ...optionalReminders(markSent(window.reminders, event)) } } }
}

function optionalReminders<T>(reminders: T | undefined): { reminders?: T } {
  return reminders === undefined ? {} : { reminders }
}
