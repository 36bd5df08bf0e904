import { Temporal } from 'temporal-polyfill'

/** Where the engine's "now" comes from. Nothing else in the engine reads the time. */
export interface Clock {
  readonly kind: 'real' | 'manual'
  now(): Temporal.Instant
}

/** The one real clock. */
export const realClock: Clock = {
  kind: 'real',
  now: () => Temporal.Now.instant(),
}

/** A clock that moves only when told to, forward only: for tests and sandbox mode. */
export class ManualClock implements Clock {
  readonly kind = 'manual'
  #now: Temporal.Instant
  constructor(start: Temporal.Instant | string) {
    this.#now = typeof start === 'string' ? Temporal.Instant.from(start) : start
  }

  now(): Temporal.Instant {
    return this.#now
  }

  /** Moves the clock to `to`. @throws {RangeError} if `to` is before the current time. */
  set(to: Temporal.Instant | string): void {
    const instant = typeof to === 'string' ? Temporal.Instant.from(to) : to
    if (Temporal.Instant.compare(instant, this.#now) < 0) {
      throw new RangeError(`The clock cannot move backwards from ${this.#now.toString()} to ${instant.toString()}.`)
    }
    this.#now = instant
  }

  /** Moves the clock forward by an ISO 8601 duration of exact units (`PT1H`, `P14D` counted as 14 × 24 hours in UTC). */
  advance(by: Temporal.Duration | string): void {
    const duration = typeof by === 'string' ? Temporal.Duration.from(by) : by
    this.set(this.#now.toZonedDateTimeISO('UTC').add(duration).toInstant())
  }
}
