import { Temporal } from 'temporal-polyfill'
import type { CompiledCalendar } from './compiled.js'
import type { CompileContext } from './context.js'
import type { CalendarDefinition, Weekday } from './definition.js'
import { pointerOf } from './pointer.js'
import { checkTimeZone } from './quantities.js'
import { closestName } from './suggest.js'

const WEEKDAYS: Readonly<Record<Weekday, number>> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 }

/** Checks and compiles the business calendars: their time zones and every date they list. */
export function compileCalendars(
  ctx: CompileContext, calendars: Readonly<Record<string, CalendarDefinition>>, processTimeZone: string,
): Map<string, CompiledCalendar> {
  const compiled = new Map<string, CompiledCalendar>()
  for (const [id, calendar] of Object.entries(calendars)) {
    const timeZone = calendar.timeZone ?? processTimeZone
    const zoneProblem = calendar.timeZone === undefined ? undefined : checkTimeZone(calendar.timeZone)
    if (zoneProblem) {
      const meant = closestName(calendar.timeZone ?? '', Intl.supportedValuesOf('timeZone'))
      ctx.report('definition.time-zone', pointerOf('calendars', id, 'timeZone'), zoneProblem, meant ? `Did you mean "${meant}"?` : 'Use an IANA name such as Asia/Shanghai.')
    }
    const dates = (key: 'holidays' | 'workingDates'): Set<string> => {
      const valid = new Set<string>()
      calendar[key]?.forEach((date, index) => {
        try {
          valid.add(Temporal.PlainDate.from(date, { overflow: 'reject' }).toString())
        } catch {
          ctx.report('definition.calendar-date', pointerOf('calendars', id, key, index), `"${date}" is not a date of the calendar.`, 'Write dates as YYYY-MM-DD, e.g. 2026-10-01.')
        }
      })
      return valid
    }
    const holidays = dates('holidays')
    const workingDates = dates('workingDates')
    calendar.workingDates?.forEach((date, index) => {
      if (holidays.has(date)) {
        ctx.report('definition.calendar-date', pointerOf('calendars', id, 'workingDates', index), `${date} is listed both as a holiday and as a working date.`,
          'Keep it under one of them: a holiday is not worked, a working date is worked although its weekday is not.')
      }
    })
    compiled.set(id, { id, timeZone, workingDays: new Set(calendar.workingDays.map((day) => WEEKDAYS[day])), holidays, workingDates })
  }
  return compiled
}
