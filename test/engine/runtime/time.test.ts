import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Temporal } from 'temporal-polyfill'
import { dueAfter, dueBefore, iso } from '../../../engine/runtime/time.js'

const days = (n: number) => ({ kind: 'duration' as const, duration: Temporal.Duration.from({ days: n }) })
const months = (n: number) => ({ kind: 'duration' as const, duration: Temporal.Duration.from({ months: n }) })

describe('dueAfter', () => {
  it('P1M from 31 January is the end of February, in leap and common years', () => {
    expect(dueAfter('2026-01-31T10:00:00.000Z', months(1), {}, 'UTC')).toBe('2026-02-28T10:00:00.000Z')
    expect(dueAfter('2028-01-31T10:00:00.000Z', months(1), {}, 'UTC')).toBe('2028-02-29T10:00:00.000Z')
  })

  it('counts calendar days in the process time zone across a daylight-saving change', () => {
    // Europe/Berlin springs forward on 2026-03-29: P1D from 09:00 local is 09:00 local, 23 hours later.
    expect(dueAfter('2026-03-28T08:00:00.000Z', days(1), {}, 'Europe/Berlin')).toBe('2026-03-29T07:00:00.000Z')
    expect(dueAfter('2026-03-28T08:00:00.000Z', days(1), {}, 'UTC')).toBe('2026-03-29T08:00:00.000Z')
  })

  it('counts months on the calendar of the process time zone', () => {
    // 2026-01-30T20:00Z is 31 January 04:00 in Shanghai: one month later is 28 February 04:00 there.
    expect(dueAfter('2026-01-30T20:00:00.000Z', months(1), {}, 'Asia/Shanghai')).toBe('2026-02-27T20:00:00.000Z')
    // In UTC the same instant is 30 January 20:00: one month later is 28 February 20:00.
    expect(dueAfter('2026-01-30T20:00:00.000Z', months(1), {}, 'UTC')).toBe('2026-02-28T20:00:00.000Z')
  })

  it('reads a duration parameter of the instance', () => {
    expect(dueAfter('2026-01-01T00:00:00.000Z', { kind: 'parameter', name: 'warrantyPeriod' }, { warrantyPeriod: 'P30D' }, 'UTC')).toBe('2026-01-31T00:00:00.000Z')
  })

  it('writes instants with exactly three fractional digits, so text order is time order', () => {
    expect(iso(Temporal.Instant.from('2026-01-15T00:00:00Z'))).toBe('2026-01-15T00:00:00.000Z')
    expect(iso(Temporal.Instant.from('2026-01-15T00:00:00.5Z'))).toBe('2026-01-15T00:00:00.500Z')
    expect(iso(Temporal.Instant.from('2026-01-15T00:00:00.123456Z'))).toBe('2026-01-15T00:00:00.123Z')
  })
})

describe('iso at the edges', () => {
  it('writes years outside 0000-9999 in the extended form, and the edges themselves in the short one', () => {
    expect(iso(Temporal.Instant.from('0000-01-01T00:00:00Z'))).toBe('0000-01-01T00:00:00.000Z')
    expect(iso(Temporal.Instant.from('9999-12-31T23:59:59.999Z'))).toBe('9999-12-31T23:59:59.999Z')
    expect(iso(Temporal.Instant.from('+010000-01-01T00:00:00Z'))).toBe('+010000-01-01T00:00:00.000Z')
  })
})

describe('the UTC fast path of dueAfter', () => {
  it('agrees with Temporal\'s calendar arithmetic for every exact-unit duration', () => {
    fc.assert(fc.property(
      fc.integer({ min: Date.parse('1970-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') }),
      fc.record({ days: fc.nat(4000), hours: fc.nat(100), minutes: fc.nat(1000), seconds: fc.nat(100000), milliseconds: fc.nat(999) }),
      (ms, fields) => {
        const from = new Date(ms).toISOString()
        const delay = { kind: 'duration' as const, duration: Temporal.Duration.from(fields) }
        // `Etc/UTC` is the same zone by another name, so it takes the general Temporal path.
        expect(dueAfter(from, delay, {}, 'UTC')).toBe(dueAfter(from, delay, {}, 'Etc/UTC'))
      },
    ))
  })
})

describe('dueBefore', () => {
  it('in UTC, without years, months or weeks, is exactly Temporal\'s subtraction (milliseconds are used there)', () => {
    fc.assert(fc.property(
      fc.integer({ min: Date.parse('1970-01-01T00:00:00Z'), max: Date.parse('2200-01-01T00:00:00Z') }),
      fc.record({ days: fc.nat(400), hours: fc.nat(48), minutes: fc.nat(120), seconds: fc.nat(120), milliseconds: fc.nat(999) }),
      (ms, fields) => {
        const due = new Date(ms).toISOString()
        const duration = Temporal.Duration.from(fields)
        const expected = iso(Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO('UTC').subtract(duration).toInstant())
        expect(dueBefore(due, duration, 'UTC')).toBe(expected)
      },
    ))
  })

  it('P1D before a deadline is the same local time the day before, across a daylight-saving change; P1M a calendar month', () => {
    expect(dueBefore('2026-03-29T07:00:00.000Z', Temporal.Duration.from({ days: 1 }), 'Europe/Berlin')).toBe('2026-03-28T08:00:00.000Z')
    expect(dueBefore('2026-03-31T10:00:00.000Z', Temporal.Duration.from({ months: 1 }), 'UTC')).toBe('2026-02-28T10:00:00.000Z')
  })
})
