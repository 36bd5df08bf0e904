import type { CompiledProcess, CompiledReminder } from '../definition/compiled.js'
import type { Event, RemindedDeadline } from './events.js'
import type { DeadlineReminder, InstanceState, ScheduledReminder } from './state.js'
import { dueBefore } from './time.js'

// Reminders before deadlines (`remind: [P3D, P1D]` on a timeout or a window). Their instants are
// fixed when the deadline is set, kept with it, and sent by the deadline path (`fire-due.ts`): a
// pending reminder counts as a deadline for `next_deadline`, so the scheduler claims it like one.

/**
 * The reminders of a deadline set at `setAt` and due at `due`: each `offset` before `due`, in the
 * process's zone, in the order written. A reminder whose instant is not after `setAt` had already
 * passed when the deadline was set and is left out. Undefined when none is left (so a deadline
 * without reminders is written as before reminders existed).
 */
export function scheduleReminders(remind: readonly CompiledReminder[], setAt: string, due: string, timeZone: string): ScheduledReminder[] | undefined {
  const scheduled = remind.map(({ offset, duration }) => ({ offset, at: dueBefore(due, duration, timeZone) })).filter((r) => r.at > setAt)
  return scheduled.length > 0 ? scheduled : undefined
}

/** A reminder with the pending deadline it is about. */
export interface PendingReminder {
  readonly deadline: { readonly kind: 'timeout'; readonly step: string; readonly action: string } | { readonly kind: 'window'; readonly window: string }
  readonly due: string
  readonly reminder: DeadlineReminder
}

/** Every reminder of the instance's pending deadlines, sent or not. */
export function remindersOf(state: InstanceState): PendingReminder[] {
  const all: PendingReminder[] = []
  const timeout = state.deadlines.timeout
  if (timeout) {
    for (const reminder of timeout.reminders ?? []) all.push({ deadline: { kind: 'timeout', step: timeout.step, action: timeout.action }, due: timeout.due, reminder })
  }
  for (const [window, { due, reminders }] of Object.entries(state.deadlines.windows)) {
    for (const reminder of reminders ?? []) all.push({ deadline: { kind: 'window', window }, due, reminder })
  }
  return all
}

/** The instant of the earliest reminder not yet sent, or undefined. */
export function nextReminder(state: InstanceState): string | undefined {
  let next: string | undefined
  for (const { reminder } of remindersOf(state)) {
    if (reminder.sentAt === undefined && (next === undefined || reminder.at < next)) next = reminder.at
  }
  return next
}

/**
 * The earliest reminder to send at `now`, if any: not yet sent, its instant reached, and its
 * deadline not due by `now` (a deadline that is due fires instead of being announced). On a tie,
 * the one written first.
 */
export function dueReminder(state: InstanceState, now: string): PendingReminder | undefined {
  let earliest: PendingReminder | undefined
  for (const pending of remindersOf(state)) {
    if (pending.reminder.sentAt !== undefined || pending.reminder.at > now || pending.due <= now) continue
    if (!earliest || pending.reminder.at < earliest.reminder.at) earliest = pending
  }
  return earliest
}

/**
 * The event of sending `pending` at `now`: the deadline it is about (with what the system will
 * do), and the parties it is for, the roles that can still act before the deadline: the actors
 * of the step (for a timeout, the step of the timeout; for a window, the step the instance is in).
 */
export function reminderEvent(process: CompiledProcess, state: InstanceState, pending: PendingReminder, now: string): Event {
  const { deadline } = pending
  let reminded: RemindedDeadline
  if (deadline.kind === 'timeout') {
    reminded = deadline
  } else {
    const window = process.windows.get(deadline.window)
    if (!window) throw new Error(`Window ${deadline.window} missing from process ${process.id}`)
    reminded = { kind: 'window', window: window.id, onExpiry: window.onExpiry }
  }
  const step = deadline.kind === 'timeout' ? deadline.step : state.step
  const actors = step === undefined ? [] : process.steps.get(step)?.actors ?? []
  return {
    type: 'deadline-approaching', at: pending.reminder.at, firedAt: now, deadline: reminded,
    due: pending.due, remind: pending.reminder.offset, parties: [...actors],
  }
}

/** The reminders of a deadline with the one sent by `event` marked sent. */
export function markSent(reminders: readonly DeadlineReminder[] | undefined, event: Extract<Event, { type: 'deadline-approaching' }>): DeadlineReminder[] | undefined {
  if (!reminders) return reminders
  let marked = false
  return reminders.map((reminder) => {
    if (marked || reminder.offset !== event.remind || reminder.sentAt !== undefined) return reminder
    marked = true
    return { ...reminder, sentAt: event.firedAt, sentTo: event.parties }
  })
}

/** The reminders already sent for the instance's pending deadlines, the latest first. */
export function sentReminders(state: InstanceState): PendingReminder[] {
  return remindersOf(state).filter((r) => r.reminder.sentAt !== undefined).sort((a, b) => b.reminder.at.localeCompare(a.reminder.at))
}
