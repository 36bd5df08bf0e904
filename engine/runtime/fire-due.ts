import type { Budget } from '../definition/expression-limits.js'
import type { CompiledProcess } from '../definition/compiled.js'
import type { Decision } from './decision.js'
import type { Event } from './events.js'
import { evolve } from './evolve.js'
import type { InstanceState } from './state.js'
import { SYSTEM } from './state.js'
import { earliestDeadline, moveTo } from './transitions.js'
import { perform } from './act.js'
import { dueReminder, reminderEvent } from './reminders.js'

/** Deadlines fired in one decision at most; every delay is positive, so this only stops a runaway. */
const MAX_FIRINGS = 1000

/**
 * Fires every deadline of the instance that is due at `now`, oldest first, as the system, and
 * sends the reminders whose instant has come (a reminder whose deadline is itself due is not
 * sent: the deadline fires instead). Each
 * takes effect at the instant it was due (so what follows is scheduled from there, whatever the
 * scheduler's lag) and records `firedAt`. Returns no events when nothing is due.
 */
export async function fireDue(process: CompiledProcess, state: InstanceState, now: string, budget: Budget): Promise<Decision> {
  const events: Event[] = []
  let current = state
  for (let i = 0; i < MAX_FIRINGS && current.status === 'active'; i++) {
    const deadline = earliestDeadline(current)
    const reminder = dueReminder(current, now)
    const fired: Event[] = []
    // In time order: a reminder before the deadline due first (on a tie the deadline goes first).
    if (reminder && (!deadline || reminder.reminder.at < deadline.due)) {
      fired.push(reminderEvent(process, current, reminder, now))
    } else if (!deadline || deadline.due > now) {
      break
    } else if (deadline.kind === 'timeout') {
      const action = process.steps.get(deadline.step)?.actions.get(deadline.action)
      if (!action) throw new Error(`Timeout action ${deadline.action} missing from step ${deadline.step}`)
      fired.push(...await perform(process, current, action, {
        type: 'action-performed', at: deadline.due, step: deadline.step, action: action.id, by: SYSTEM,
        inputs: {}, attachments: {}, trigger: 'timeout', due: deadline.due, firedAt: now,
      }, deadline.due, budget))
    } else {
      const window = process.windows.get(deadline.window)
      if (!window) throw new Error(`Window ${deadline.window} missing from process ${process.id}`)
      const expired: Event = { type: 'window-expired', at: deadline.due, window: window.id, due: deadline.due, firedAt: now }
      fired.push(expired, ...await moveTo(process, evolve(current, expired), window.onExpiry, deadline.due, budget))
    }
    current = fired.reduce(evolve, current)
    events.push(...fired)
  }
  if (events.length === 0) return { ok: true, events, state }
  return { ok: true, events, state: { ...current, revision: state.revision + 1 } }
}
