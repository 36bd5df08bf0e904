import type { CompiledReminder } from './compiled.js'
import type { CompileContext } from './context.js'
import { parseDuration } from './quantities.js'

/**
 * Checks and compiles a deadline's `remind` list (ISO 8601 durations before the deadline): each
 * must be a duration longer than zero (`definition.duration`), written once
 * (`definition.duplicate-reminder`). Problems go to `ctx`, located at the entry; the valid entries
 * are returned in the order written.
 */
export function compileReminders(ctx: CompileContext, remind: readonly string[] | undefined, pointer: string): readonly CompiledReminder[] {
  const compiled: CompiledReminder[] = []
  const seen = new Set<string>()
  ;(remind ?? []).forEach((offset, index) => {
    const at = `${pointer}/${index}`
    if (seen.has(offset)) {
      ctx.report('definition.duplicate-reminder', at, `The reminder "${offset}" is listed twice for this deadline.`,
        'Each reminder is sent once; remove the repeated one.')
      return
    }
    seen.add(offset)
    const duration = parseDuration(offset)
    if (typeof duration === 'string') {
      ctx.report('definition.duration', at, duration,
        'Write how long before the deadline to remind as an ISO 8601 duration longer than zero, such as P3D (3 days) or PT12H (12 hours).')
      return
    }
    compiled.push({ offset, duration })
  })
  return compiled
}
