import jsonata from 'jsonata'
import { Temporal } from 'temporal-polyfill'
import type { SourceLocation } from '../errors.js'
import { registerFunctions } from './expression-functions.js'
import { Budget, EXPRESSION_LIMITS, EvaluationProblem, toJsonValue } from './expression-limits.js'
import { LinearWherePossible } from './pattern-regexp.js'

/** A compiled JSONata expression of a process (a condition or a recorded value). */
export interface CompiledExpression {
  readonly text: string
  /** Where it is written: its JSON pointer in the definition, and its line and column in the YAML. */
  readonly place: SourceLocation
  /**
   * Evaluates against `input` at instant `now` (ISO 8601) and returns the result as a plain JSON
   * value. Pure: `$now()` is `now`, not the clock. Bounded by {@link EXPRESSION_LIMITS}, counted
   * on `budget`: a decision passes one budget to all its evaluations, so that together they stay
   * within the limits of one; without it, the evaluation has a budget of its own.
   * @throws {ExpressionFailure} when the evaluation fails, is cut off or reaches a limit.
   */
  evaluate(input: unknown, now: string, budget?: Budget): Promise<unknown>
}

/** An evaluation that failed: its message names the expression's place and what went wrong. */
export class ExpressionFailure extends Error {
  override name = 'ExpressionFailure'
  readonly place: SourceLocation
  constructor(place: SourceLocation, reason: string) {
    super(`The expression at ${place.pointer} (line ${place.line}, column ${place.column}) failed: ${reason}.`)
    this.place = place
  }
}

// JSONata looks this hook up as every sub-expression yields its value (its own tests time-box
// evaluations with the same hook); it counts what the evaluation builds.
const EVALUATE_EXIT = Symbol.for('jsonata.__evaluate_exit')
// The budget of one evaluation is bound beside `$now`, under a name no expression can write
// (a variable name cannot start with a space), so evaluations running at once never share one.
const BUDGET = ' budget'

/** The longest explanation quoted from JSONata: its messages may quote a whole value. */
const MAX_REASON = 300

/** Why a text is not a valid expression: the parser's explanation, and where in the text it found the mistake. */
export interface ExpressionSyntaxError {
  readonly reason: string
  /** The index in the text of the token the parser stopped at (the text's length at its end); undefined when not known. */
  readonly index: number | undefined
}

/**
 * Compiles a JSONata expression once per definition version, with the engine's functions (see
 * `registerFunctions`) and the limits of {@link EXPRESSION_LIMITS}. `$now()` and `$millis()`
 * return the decision's instant, so evaluation never reads the clock. Returns the parser's
 * explanation and place when the text is not a valid expression.
 */
export function compileExpression(text: string, timeZone: string, place: SourceLocation): CompiledExpression | ExpressionSyntaxError {
  let expression: jsonata.Expression
  try {
    // JSONata only ever constructs its RegexEngine with `new`, which its typings do not say.
    expression = jsonata(text, { timeout: EXPRESSION_LIMITS.timeMs, stack: EXPRESSION_LIMITS.depth, sequence: EXPRESSION_LIMITS.items, RegexEngine: LinearWherePossible as unknown as RegExpConstructor })
  } catch (error) {
    // The parser recurses once per level of nesting: thousands of brackets exhaust the stack.
    if (error instanceof RangeError) return { reason: `it is nested too deeply to be read (${error.message})`, index: undefined }
    const e = error as { message?: string; position?: number; token?: unknown }
    const index = typeof e.position === 'number' ? tokenStart(text, Math.min(Math.max(e.position, 0), text.length), e.token) : undefined
    return { reason: `${e.message ?? 'invalid expression'}${index === undefined ? '' : ` (at character ${index + 1})`}`, index }
  }
  registerFunctions(expression, timeZone)
  // The hook is a symbol-keyed binding, which JSONata's typings do not describe.
  expression.assign(EVALUATE_EXIT as unknown as string, observe)
  return {
    text,
    place,
    evaluate: async (input, now, budget = new Budget()) => {
      try {
        const result: unknown = await expression.evaluate(input, {
          now: () => now,
          millis: () => Temporal.Instant.from(now).epochMilliseconds,
          [BUDGET]: budget,
        })
        return toJsonValue(result)
      } catch (error) {
        throw new ExpressionFailure(place, reasonOf(error))
      }
    },
  }
}

/**
 * Where the token JSONata stopped at starts in `text`: its `position` is just after the token,
 * whose value is decoded (a string without its quotes, a name without its backticks, a number).
 */
function tokenStart(text: string, end: number, token: unknown): number {
  if (token === '(end)' || token === undefined) return end
  const written = String(token)
  if (text.slice(end - written.length, end) === written) return end - written.length
  const quote = text[end - 1]
  if (quote === '"' || quote === "'" || quote === '`') return Math.max(text.lastIndexOf(quote, end - 2), 0)
  let start = end
  while (start > 0 && /[\w.$]/.test(text[start - 1] as string)) start--
  return start
}

function observe(_expression: unknown, _input: unknown, environment: { lookup(name: string): unknown }, result: unknown): void {
  const budget = environment.lookup(BUDGET)
  if (budget instanceof Budget) budget.observe(result)
}

/** What went wrong, in words: JSONata's errors are plain objects with a code and a message. */
function reasonOf(error: unknown): string {
  if (error instanceof EvaluationProblem) return error.message
  const { code, message, position } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown; position?: unknown }
  switch (code) {
    case 'D1012':
      return `it ran longer than ${EXPRESSION_LIMITS.timeMs} ms and was cut off`
    case 'D1011':
      return `it nested deeper than ${EXPRESSION_LIMITS.depth} levels and was cut off (a recursive function that does not end?)`
    case 'D2014':
    case 'D2015':
      return `it built a sequence of more than ${EXPRESSION_LIMITS.items} items`
  }
  const text = typeof message === 'string' ? message : String(error)
  const where = typeof position === 'number' ? `, at character ${position}` : ''
  const reason = typeof code === 'string' ? `${text} (JSONata ${code}${where})` : error instanceof RangeError ? `it ran out of room (${text})` : text
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}...` : reason
}
