import jsonata from 'jsonata'
import { Temporal } from 'temporal-polyfill'

/** A compiled JSONata expression of a process (a condition or a recorded value). */
export interface CompiledExpression {
  readonly text: string
  /** Evaluates against `input` at instant `now` (ISO 8601); pure: `$now()` is `now`, not the clock. */
  evaluate(input: unknown, now: string): Promise<unknown>
}

/**
 * Compiles a JSONata expression once per definition version, with the process's calendar-aware
 * date functions:
 * - `$addDuration(instant, duration)`: the instant plus an ISO 8601 duration, counted on the
 *   calendar of the process's time zone (P1M from 31 January is the end of February);
 * - `$instant(text)`: an RFC 3339 instant in the engine's form (UTC, milliseconds).
 * `$now()` and `$millis()` return the decision's instant, so evaluation never reads the clock.
 * Returns the parser's explanation when the text is not a valid expression.
 */
export function compileExpression(text: string, timeZone: string): CompiledExpression | string {
  let expression: jsonata.Expression
  try {
    expression = jsonata(text)
  } catch (error) {
    const e = error as { message?: string; position?: number }
    return `${e.message ?? 'invalid expression'}${e.position === undefined ? '' : ` (at character ${e.position})`}`
  }
  expression.registerFunction('addDuration', (from: string, duration: string) => {
    if (from === undefined || duration === undefined) return undefined
    return normalise(Temporal.Instant.from(from).toZonedDateTimeISO(timeZone).add(Temporal.Duration.from(duration)).toInstant())
  }, '<ss:s>')
  expression.registerFunction('instant', (from: string) => from === undefined ? undefined : normalise(Temporal.Instant.from(from)), '<s:s>')
  return {
    text,
    evaluate: (input, now) => expression.evaluate(input, {
      now: () => now,
      millis: () => Temporal.Instant.from(now).epochMilliseconds,
    }) as Promise<unknown>,
  }
}

function normalise(instant: Temporal.Instant): string {
  return instant.toString({ fractionalSecondDigits: 3, smallestUnit: 'millisecond' })
}
