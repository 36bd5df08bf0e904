import { Temporal } from 'temporal-polyfill'
import type { CompiledCalendar, Delay } from '../definition/compiled.js'

/**
 * Instants are stored as ISO 8601 UTC text with exactly three fractional digits
 * (`2026-01-15T00:00:00.000Z`), so text order is time order in every database.
 */
export function iso(instant: Temporal.Instant): string {
  return instant.toString({ fractionalSecondDigits: 3, smallestUnit: 'millisecond' })
}

/** Parses an instant written by {@link iso} (or any RFC 3339 instant). */
export function instant(text: string): Temporal.Instant {
  return Temporal.Instant.from(text)
}

/**
 * When a deadline of length `delay` started at `from` falls due. Calendar-aware in `timeZone`:
 * P1M from 31 January is the last day of February; P1D across a daylight-saving change is one
 * calendar day, not 24 hours.
 */
export function dueAfter(from: string, delay: Delay, parameters: Readonly<Record<string, unknown>>, timeZone: string): string {
  switch (delay.kind) {
    case 'duration':
      return iso(instant(from).toZonedDateTimeISO(timeZone).add(delay.duration).toInstant())
    case 'parameter':
      return iso(instant(from).toZonedDateTimeISO(timeZone).add(Temporal.Duration.from(String(parameters[delay.name]))).toInstant())
    case 'business-days':
      return iso(addBusinessDays(instant(from).toZonedDateTimeISO(delay.calendar.timeZone), delay.days, delay.calendar).toInstant())
  }
}

/**
 * The same local time on the `days`-th following date that counts in the calendar: a business
 * day is a calendar day that counts, not 24 working hours. Entered on a Friday evening, three
 * business days fall due on Wednesday evening (Monday, Tuesday, Wednesday count).
 */
export function addBusinessDays(start: Temporal.ZonedDateTime, days: number, calendar: CompiledCalendar): Temporal.ZonedDateTime {
  let date = start.toPlainDate()
  // A calendar with no working day would never finish; the schema requires one, and a year of
  // holidays cannot stop a count that looks ten years ahead at most.
  for (let counted = 0, looked = 0; counted < days && looked < 3660; looked++) {
    date = date.add({ days: 1 })
    if (countsAsBusinessDay(date, calendar)) counted++
  }
  return date.toZonedDateTime({ timeZone: calendar.timeZone, plainTime: start.toPlainTime() })
}

/** Whether a date is a business day: a make-up working date, or a working weekday that is no holiday. */
export function countsAsBusinessDay(date: Temporal.PlainDate, calendar: CompiledCalendar): boolean {
  const text = date.toString()
  if (calendar.workingDates.has(text)) return true
  return calendar.workingDays.has(date.dayOfWeek) && !calendar.holidays.has(text)
}
