import { Temporal } from 'temporal-polyfill'

/** The longest duration a process or scenario may name: deadlines stay far inside what instants can represent. */
export const MAX_DURATION = 'P1000Y'

/**
 * Parses a positive ISO 8601 duration (`P14D`, `P1M`, `PT12H`) of at most {@link MAX_DURATION};
 * returns an explanation when it is not one.
 */
export function parseDuration(text: string): Temporal.Duration | string {
  let duration: Temporal.Duration
  try {
    duration = Temporal.Duration.from(text)
  } catch {
    // Written as ISO 8601 does, but with a fraction where the standard allows none, or numbers too large to hold.
    if (ISO_DURATION.test(text)) {
      if (/\d[.,]\d+[YMWD]/.test(text)) return `"${text}" has a fraction in years, months, weeks or days: only hours, minutes or seconds may have one (write P1DT12H rather than P1.5D).`
      if (/[.,]/.test(text)) return `"${text}" has a fraction before its last unit: only the last (smallest) unit may have one (write PT1H45M rather than PT1.5H15M).`
      return `"${text}" is too long: a duration is at most ${MAX_DURATION} (1,000 years).`
    }
    return `"${text}" is not an ISO 8601 duration: P, then numbers each with its unit, Y, M, W, D in this order, then T and H, M, S, each unit once at most (P14D, P1M, PT12H, P1DT12H).`
  }
  if (duration.sign <= 0) return `"${text}" must be longer than zero.`
  if (!withinLongest(duration)) return `"${text}" is too long: a duration is at most ${MAX_DURATION} (1,000 years).`
  if (underOneMillisecond(duration)) return `"${text}" is shorter than a millisecond, the finest time deadlines are kept to: it would fall due as it starts.`
  return duration
}

const DAY_MS = 86_400_000

/** An ISO 8601 duration as written: each unit in its order, once at most, at least one, and a T only before a time unit. */
const NUMBER = String.raw`\d+(?:[.,]\d+)?`
const ISO_DURATION = new RegExp(String.raw`^P(?=.)(?:${NUMBER}Y)?(?:${NUMBER}M)?(?:${NUMBER}W)?(?:${NUMBER}D)?(?:T(?=.)(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?$`)

const HOUR_MS = 3_600_000

/**
 * Whether `shorter` lasts no longer than `longer` on any calendar, in any time zone. With the same
 * years, months and days (a week is seven), the time part decides exactly: a deadline set at an
 * instant and a reminder the same calendar span before it meet at that instant. Otherwise the
 * shortest `shorter` can be is compared with the longest `longer` can be: a month of 28 to 31
 * days, a year of 365 or 366, and, where days are set against hours, an hour either way for a
 * change of daylight saving time on the way (P1D may last 23 or 25 hours; PT24H lasts 24), unless
 * `daysOf24Hours` (in UTC, where a day always lasts 24 hours).
 */
export function neverShorter(longer: Temporal.Duration, shorter: Temporal.Duration, daysOf24Hours = false): boolean {
  // Twelve months are a year on the ISO calendar: P12M is P1Y.
  const split = (d: Temporal.Duration) => ({
    calendar: [d.years + Math.floor(d.months / 12), d.months % 12, d.weeks * 7 + d.days] as const,
    timeMs: ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000 + d.milliseconds + d.microseconds / 1000 + d.nanoseconds / 1e6,
  })
  const [a, b] = [split(longer), split(shorter)]
  if (a.calendar.every((part, i) => part === b.calendar[i])) return a.timeMs >= b.timeMs
  // Counted in days on both sides, a change of daylight saving time moves both alike.
  const mixed = a.timeMs > 0 || b.timeMs > 0
  const span = ({ calendar: [years, months, days], timeMs }: ReturnType<typeof split>, longest: boolean): number => {
    const daysMs = (years * (longest ? 366 : 365) + months * (longest ? 31 : 28) + days) * DAY_MS
    const shift = mixed && !daysOf24Hours && years + months + days > 0 ? HOUR_MS : 0
    return daysMs + timeMs + (longest ? shift : -shift)
  }
  return span(a, false) >= span(b, true)
}

/**
 * Why a duration a definition writes in lower case (`p14d`) is refused, or undefined: Temporal
 * reads it, but `after` takes a lower-case word for a parameter's name, so a definition writes
 * every duration in capitals, as ISO 8601 does.
 */
export function lowerCaseDuration(text: string): string | undefined {
  if (!/^[+-]?p/i.test(text) || !/[a-z]/.test(text) || typeof parseDuration(text.toUpperCase()) === 'string') return undefined
  return `"${text}" is written in lower case: durations are written in capitals, "${text.toUpperCase()}".`
}

/** A duration a definition writes (a reminder, a default): {@link parseDuration}, refusing it in lower case too ({@link lowerCaseDuration}). */
export function authoredDuration(text: string): Temporal.Duration | string {
  return lowerCaseDuration(text) ?? parseDuration(text)
}

/**
 * A key that two durations share when they always last as long, on any calendar: the same months
 * (a year is twelve), the same days (a week is seven), the same time. `P1W` and `P7D` share one,
 * `P1Y` and `P12M` another; `PT168H`
 * does not, a week across a change of daylight saving time lasting 167 or 169 hours.
 */
export function durationKey(duration: Temporal.Duration): string {
  const { years, months, weeks, days, hours, minutes, seconds, milliseconds, microseconds, nanoseconds } = duration
  const time = ((hours * 60 + minutes) * 60 + seconds) * 1e9 + milliseconds * 1e6 + microseconds * 1e3 + nanoseconds
  return `${years * 12 + months}M${weeks * 7 + days}D${time}`
}

/** Whether `duration` holds only microseconds and nanoseconds, and less than a millisecond of them. */
function underOneMillisecond(duration: Temporal.Duration): boolean {
  const { years, months, weeks, days, hours, minutes, seconds, milliseconds, microseconds, nanoseconds } = duration
  return years === 0 && months === 0 && weeks === 0 && days === 0 && hours === 0 && minutes === 0 && seconds === 0 && milliseconds === 0
    && microseconds * 1000 + nanoseconds < 1_000_000
}

const LONGEST = Temporal.Duration.from(MAX_DURATION)
const MEASURED_FROM = Temporal.PlainDateTime.from('2000-01-01T00:00')

/** Whether `duration` is at most {@link MAX_DURATION}, measured on the calendar from 2000 (a duration too large to measure is not). */
function withinLongest(duration: Temporal.Duration): boolean {
  try {
    return Temporal.Duration.compare(duration, LONGEST, { relativeTo: MEASURED_FROM }) <= 0
  } catch {
    return false
  }
}

/** Whether an `after` value is written as a duration (it starts with P) rather than a parameter name. */
export function looksLikeDuration(text: string): boolean {
  return /^[+-]?P/.test(text)
}

const UNITS = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 } as const

/** Converts a size (`5 MB`, `7.5 MB`, `500 KB` or a number of bytes) to bytes; 1 KB = 1,024 bytes. */
export function parseSize(size: number | string): number {
  if (typeof size === 'number') return size
  const match = /^([0-9]+(?:\.[0-9]+)?) ?(B|KB|MB|GB)$/.exec(size)
  if (!match) throw new RangeError(`Not a size: ${size}`) // the schema admits only this pattern
  return Math.floor(Number(match[1]) * UNITS[match[2] as keyof typeof UNITS])
}

/** The IANA names of a standard time kept all year, with a zone of the region they are named for. */
const STANDARD_ALL_YEAR: Readonly<Record<string, readonly [string, string]>> = {
  EST: ['Eastern Standard Time (UTC-05:00)', 'America/New_York (America/Panama keeps standard time all year)'],
  MST: ['Mountain Standard Time (UTC-07:00)', 'America/Denver (America/Phoenix keeps standard time all year)'],
}

/** Checks an IANA time zone name; returns an explanation when it is not one. */
export function checkTimeZone(name: string): string | undefined {
  // Temporal takes an offset as a zone, but an offset has no calendar of its own: no daylight saving, no change of rules.
  if (/^[+\-\u2212]|^(UTC|GMT)[+\-\u2212]/i.test(name)) return `"${name}" is an offset, not an IANA time zone: name the zone whose calendar the parties live by.`
  // The IANA names of fixed offsets, whose sign is the opposite of what they read as (Etc/GMT+8 is eight hours behind UTC).
  if (/^Etc\/(GMT|UTC|UCT|Greenwich|Universal|Zulu)?[+-]0*[1-9]/i.test(name)) return `"${name}" is a fixed offset, not a zone with a calendar of its own, and its sign reads backwards (Etc/GMT+8 is eight hours behind UTC): name the zone whose calendar the parties live by.`
  // The abbreviations IANA keeps for standard time all year: read as the zone of a region, they drop its daylight saving time.
  const meant = STANDARD_ALL_YEAR[name.toUpperCase()]
  if (meant) return `"${name}" is ${meant[0]} all year, without daylight saving time: name the zone whose calendar the parties live by, such as ${meant[1]}.`
  try {
    Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(name)
    return undefined
  } catch {
    return `"${name}" is not an IANA time zone.`
  }
}
