import { Temporal } from 'temporal-polyfill'
import type { Delay } from '../definition/compiled.js'

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
  const duration = delay.kind === 'duration' ? delay.duration : Temporal.Duration.from(String(parameters[delay.name]))
  return iso(instant(from).toZonedDateTimeISO(timeZone).add(duration).toInstant())
}
