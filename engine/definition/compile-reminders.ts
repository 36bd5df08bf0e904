import type { CompiledReminder, Delay } from './compiled.js'
import type { CompileContext } from './context.js'
import { authoredDuration, durationKey, neverShorter } from './quantities.js'

/**
 * Checks and compiles a deadline's `remind` list (ISO 8601 durations before the deadline): each
 * must be a duration longer than zero (`definition.duration`), written once
 * (`definition.duplicate-reminder`), and, when the deadline is a fixed duration (`after`),
 * shorter than it (`definition.reminder-too-long`: a reminder as long as its deadline would fall
 * when the deadline is set, or before, and is never sent). Problems go to `ctx`, located at the
 * entry; the valid entries are returned in the order written.
 */
export function compileReminders(ctx: CompileContext, remind: readonly string[] | undefined, pointer: string, after: Delay | undefined, timeZone: string): readonly CompiledReminder[] {
  const compiled: CompiledReminder[] = []
  /** The reminders listed so far, by how long they last (`P1W` is `P7D`). */
  const seen = new Map<string, string>()
  ;(remind ?? []).forEach((offset, index) => {
    const at = `${pointer}/${index}`
    const duration = authoredDuration(offset)
    if (typeof duration === 'string') {
      ctx.report('definition.duration', at, duration,
        'Write how long before the deadline to remind as an ISO 8601 duration longer than zero, such as P3D (3 days) or PT12H (12 hours).')
      return
    }
    const same = seen.get(durationKey(duration))
    if (same !== undefined) {
      ctx.report('definition.duplicate-reminder', at, `The reminder "${offset}" is listed twice for this deadline${same === offset ? '' : ` (as "${same}", which lasts as long)`}.`,
        'Each reminder is sent once; remove the repeated one.')
      return
    }
    seen.set(durationKey(duration), offset)
    if (after?.kind === 'duration' && neverShorter(duration, after.duration, timeZone === 'UTC')) {
      const deadline = after.duration.toString()
      ctx.report('definition.reminder-too-long', at, `The reminder "${offset}" is as long as its deadline (${deadline}) or longer: it would fall when the deadline is set, or before, and never be sent.`,
        `Remind less long before the deadline than the ${deadline} it lasts, or remove the reminder.`)
      return
    }
    compiled.push({ offset, duration })
  })
  return compiled
}
