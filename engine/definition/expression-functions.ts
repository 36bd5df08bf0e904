import type jsonata from 'jsonata'
import { Temporal } from 'temporal-polyfill'
import { EXPRESSION_LIMITS, EvaluationProblem } from './expression-limits.js'

/** JSONata's built-in functions (jsonata 2.2), which every expression may call. */
export const BUILT_IN_FUNCTIONS: readonly string[] = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter',
  'lowercase', 'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join',
  'formatNumber', 'formatBase', 'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round',
  'abs', 'sqrt', 'power', 'random', 'boolean', 'not', 'map', 'zip', 'filter', 'single', 'reduce', 'sift',
  'keys', 'lookup', 'append', 'exists', 'spread', 'merge', 'reverse', 'each', 'error', 'assert', 'type',
  'sort', 'shuffle', 'distinct', 'base64encode', 'base64decode', 'encodeUrlComponent', 'encodeUrl',
  'decodeUrlComponent', 'decodeUrl', 'eval', 'toMillis', 'fromMillis', 'clone', 'now', 'millis',
]

/** The functions the engine adds to JSONata's: calendar-aware date arithmetic in the process's time zone. */
export const ENGINE_FUNCTIONS: readonly string[] = ['addDuration', 'instant']

/**
 * Built-in functions no expression may call, with the reason. A decision must replay identically
 * from the same inputs, so nothing random; and every expression must be checkable when the
 * definition is validated, so no text evaluated at run time.
 */
export const REFUSED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['random', 'it returns another number on every evaluation, and a decision must replay identically'],
  ['shuffle', 'it orders the items differently on every evaluation, and a decision must replay identically'],
  ['eval', 'it evaluates text made at run time, which cannot be checked when the definition is validated'],
])

/**
 * Registers the engine's functions on a compiled expression, in the process's time zone:
 * - `$addDuration(instant, duration)`: the instant plus an ISO 8601 duration, counted on the
 *   calendar of the time zone (P1M from 31 January is the end of February);
 * - `$instant(text)`: an RFC 3339 instant in the engine's form (UTC, milliseconds).
 * It also replaces `$pad` by one that refuses a width beyond {@link EXPRESSION_LIMITS}, since
 * one call could otherwise build a string of any size, and makes the refused functions fail at
 * run time too (a belt to the check in `validate`).
 */
export function registerFunctions(expression: jsonata.Expression, timeZone: string): void {
  expression.registerFunction('addDuration', (from: string | undefined, duration: string | undefined) => {
    if (from === undefined || duration === undefined) return undefined
    return temporal('addDuration', () => Temporal.Instant.from(from).toZonedDateTimeISO(timeZone).add(Temporal.Duration.from(duration)).toInstant())
  }, '<ss:s>')
  expression.registerFunction('instant', (from: string | undefined) => from === undefined ? undefined : temporal('instant', () => Temporal.Instant.from(from)), '<s:s>')
  expression.registerFunction('pad', pad, '<s-ns?:s>')
  for (const [name, reason] of REFUSED_FUNCTIONS) {
    expression.registerFunction(name, () => {
      throw new EvaluationProblem(`$${name}() may not be called: ${reason}`)
    })
  }
}

/** Runs a Temporal computation, naming the function when its arguments are not an instant or a duration. */
function temporal(name: string, compute: () => Temporal.Instant): string {
  let instant: Temporal.Instant
  try {
    instant = compute()
  } catch (error) {
    throw new EvaluationProblem(`$${name}() was given arguments it cannot use (${error instanceof Error ? error.message : String(error)})`)
  }
  return instant.toString({ fractionalSecondDigits: 3, smallestUnit: 'millisecond' })
}

/** JSONata's `$pad(str, width, char)`, counting characters as code points as JSONata does, with a bounded width. */
function pad(str: string | undefined, width: number, char: string | undefined): string | undefined {
  if (str === undefined) return undefined
  const fill = char === undefined || char.length === 0 ? [' '] : [...char]
  const length = Math.abs(Math.trunc(width))
  const missing = length - [...str].length
  if (!(missing > 0)) return str
  if (length > EXPRESSION_LIMITS.stringLength) {
    throw new EvaluationProblem(`$pad() was asked for a width of ${width} characters; at most ${EXPRESSION_LIMITS.stringLength} are allowed`)
  }
  const padding = Array.from({ length: missing }, (_, i) => fill[i % fill.length]).join('')
  return width > 0 ? str + padding : padding + str
}
