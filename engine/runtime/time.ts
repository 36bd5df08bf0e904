import { Temporal } from 'temporal-polyfill'
import type { CompiledCalendar, Delay } from '../definition/compiled.js'

/**
 * Instants are stored as ISO 8601 UTC text with exactly three fractional digits
 * (`2026-01-15T00:00:00.000Z`), so text order is time order in every database.
 */
export function iso(instant: Temporal.Instant): string {
  const ms = instant.epochMilliseconds
  // Date's own formatter writes exactly this shape, far faster than Temporal's, for years 0-9999.
  return ms >= MIN_FOUR_DIGIT_YEAR && ms <= MAX_FOUR_DIGIT_YEAR
    ? new Date(ms).toISOString()
    : instant.toString({ fractionalSecondDigits: 3, smallestUnit: 'millisecond' })
}

const MIN_FOUR_DIGIT_YEAR = Date.parse('0000-01-01T00:00:00.000Z')
const MAX_FOUR_DIGIT_YEAR = Date.parse('9999-12-31T23:59:59.999Z')

/**
 * The latest instant the engine keeps, the last of year 9999: later ones would be written with a
 * sign (`+010000-...`) and sort before every other as text, so that every deadline would fall due
 * at once and every filter would select the wrong side.
 */
export const LATEST_INSTANT = Temporal.Instant.fromEpochMilliseconds(MAX_FOUR_DIGIT_YEAR)

/** Whether `instant` is written by {@link iso} with a four-digit year (years 0 to 9999), so that it compares as text. */
export function comparesAsText(instant: Temporal.Instant): boolean {
  const ms = instant.epochMilliseconds
  return ms >= MIN_FOUR_DIGIT_YEAR && ms <= MAX_FOUR_DIGIT_YEAR
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
      return addDuration(from, delay.duration, timeZone)
    case 'parameter':
      return addDuration(from, durationOf(String(parameters[delay.name])), timeZone)
    case 'business-days':
      return iso(addBusinessDays(instant(from).toZonedDateTimeISO(delay.calendar.timeZone), delay.days, delay.calendar).toInstant())
  }
}

/**
 * `from` plus a duration on the calendar of `timeZone`. In UTC a day is always 24 hours, so a
 * duration without years, months or weeks is plain arithmetic on milliseconds; anything else goes
 * through Temporal's calendar.
 */
function addDuration(from: string, duration: Temporal.Duration, timeZone: string): string {
  return shiftedInUtc(from, duration, 1, timeZone) ?? iso(instant(from).toZonedDateTimeISO(timeZone).add(duration).toInstant())
}

/**
 * `at` moved by `sign` times `duration` as plain arithmetic on milliseconds, where that is exact:
 * in UTC (a day is always 24 hours there) for a duration without years, months or weeks, within
 * years 0-9999; otherwise undefined, for Temporal's calendar to do it.
 */
function shiftedInUtc(at: string, duration: Temporal.Duration, sign: 1 | -1, timeZone: string): string | undefined {
  if (timeZone !== 'UTC' || duration.years !== 0 || duration.months !== 0 || duration.weeks !== 0) return undefined
  const start = Date.parse(at)
  if (!Number.isFinite(start)) return undefined
  const ms = start + sign * (duration.days * 86_400_000 + duration.hours * 3_600_000 + duration.minutes * 60_000
    + duration.seconds * 1000 + duration.milliseconds + Math.trunc(duration.microseconds / 1000 + duration.nanoseconds / 1e6))
  return ms >= MIN_FOUR_DIGIT_YEAR && ms <= MAX_FOUR_DIGIT_YEAR ? new Date(ms).toISOString() : undefined
}

const durations = new Map<string, Temporal.Duration>()

/** Parses a parameter's duration once: instances share a handful of values (P14D, P30D, ...). */
function durationOf(text: string): Temporal.Duration {
  let duration = durations.get(text)
  if (!duration) {
    duration = Temporal.Duration.from(text)
    if (durations.size < 1024) durations.set(text, duration)
  }
  return duration
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

/**
 * The instant `duration` before `due`, on the calendar of `timeZone` (a reminder's instant):
 * P1D before a deadline is the same local time the day before, P1M the same day a month before.
 */
export function dueBefore(due: string, duration: Temporal.Duration, timeZone: string): string {
  return shiftedInUtc(due, duration, -1, timeZone) ?? iso(instant(due).toZonedDateTimeISO(timeZone).subtract(duration).toInstant())
}
