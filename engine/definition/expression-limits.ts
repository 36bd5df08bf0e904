/**
 * What one evaluation of an expression may use, so that no expression of a definition can stall
 * or exhaust the process that evaluates it (documented in docs/engine.md, "Expressions"). An
 * evaluation that reaches a limit fails, and the command that needed it is refused
 * (`expression.failed`).
 */
export const EXPRESSION_LIMITS = {
  /**
   * Steps (sub-expressions evaluated) one evaluation may take before it is cut off: about 100 to
   * 400 ms of work. Counted, not timed, so the cut-off falls at the same point on every machine and
   * under any load, and a decision replays identically.
   */
  steps: 50_000,
  /** Milliseconds one evaluation may run before it is cut off: the net for what steps do not count (one long call of a built-in function). */
  timeMs: 1000,
  /** Nesting depth of the evaluation (sub-expressions within sub-expressions, calls within calls). */
  depth: 1000,
  /** Items in one sequence or array the evaluation builds or reads. */
  items: 1000,
  /** Characters of one string the evaluation builds or reads; also of its result, written as JSON. */
  stringLength: 1_000_000,
  /** Characters of all the strings the evaluation yields along the way, together. */
  characters: 10_000_000,
  /** Levels of arrays and objects nested in the result. */
  valueDepth: 100,
} as const

/** Why an evaluation was stopped or its result refused; the message completes "The expression failed: ...". */
export class EvaluationProblem extends Error {
  override name = 'EvaluationProblem'
}

/**
 * What the evaluations of one decision have used so far (or of one evaluation, given none). JSONata reports each value a sub-expression yields
 * ({@link Budget.observe}), so a loop that does not end is cut off after a number of steps, and
 * a string or sequence that keeps growing is stopped as it grows, not after it has taken the memory.
 */
export class Budget {
  #steps = 0
  #characters = 0

  /**
   * Counts a step and the value it yielded.
   * @throws {EvaluationProblem} when it passes {@link EXPRESSION_LIMITS}.
   */
  observe(value: unknown): void {
    if (++this.#steps > EXPRESSION_LIMITS.steps) {
      throw new EvaluationProblem(`it took more than ${EXPRESSION_LIMITS.steps} steps and was cut off (a loop or recursion that does not end?)`)
    }
    if (typeof value === 'string') {
      if (value.length > EXPRESSION_LIMITS.stringLength) {
        throw new EvaluationProblem(`it built a string of ${value.length} characters; at most ${EXPRESSION_LIMITS.stringLength} are allowed`)
      }
      this.#characters += value.length
      if (this.#characters > EXPRESSION_LIMITS.characters) {
        throw new EvaluationProblem(`it built more than ${EXPRESSION_LIMITS.characters} characters of strings in all`)
      }
    } else if (Array.isArray(value) && value.length > EXPRESSION_LIMITS.items) {
      throw new EvaluationProblem(`it built a sequence of ${value.length} items; at most ${EXPRESSION_LIMITS.items} are allowed`)
    }
  }
}

/**
 * The result of an evaluation as a plain JSON value, as it will be stored: JSONata's sequences
 * become arrays, fields holding nothing are left out.
 * @throws {EvaluationProblem} for a function (a JSONata lambda, a regular expression) or a
 * number that is not finite, a result nested deeper than `valueDepth` or larger than
 * `stringLength` characters of JSON.
 */
export function toJsonValue(value: unknown): unknown {
  const size = { characters: 0 }
  return plain(value, 0, size)
}

function plain(value: unknown, depth: number, size: { characters: number }): unknown {
  if (value === undefined || value === null || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new EvaluationProblem(`it yields ${value}, which is not a JSON number`)
    return grow(size, 16, value)
  }
  if (typeof value === 'string') return grow(size, value.length + 2, value)
  if (typeof value === 'function' || isJsonataFunction(value)) {
    throw new EvaluationProblem('it yields a function, not a value (a function defined but not called?)')
  }
  if (typeof value !== 'object') throw new EvaluationProblem(`it yields a ${typeof value}, not a JSON value`)
  if (depth >= EXPRESSION_LIMITS.valueDepth) {
    throw new EvaluationProblem(`its value nests more than ${EXPRESSION_LIMITS.valueDepth} levels of arrays and objects`)
  }
  if (Array.isArray(value)) {
    grow(size, value.length + 2, undefined)
    return value.map((item: unknown) => item === undefined ? null : plain(item, depth + 1, size))
  }
  const entries: Array<[string, unknown]> = []
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue
    grow(size, key.length + 4, undefined)
    entries.push([key, plain(item, depth + 1, size)])
  }
  // fromEntries defines properties, so a field named "__proto__" stays a field.
  return Object.fromEntries(entries)
}

function grow<T>(size: { characters: number }, by: number, value: T): T {
  size.characters += by
  if (size.characters > EXPRESSION_LIMITS.stringLength) {
    throw new EvaluationProblem(`its value is larger than ${EXPRESSION_LIMITS.stringLength} characters as JSON`)
  }
  return value
}

/** JSONata's own function values (lambdas and built-in functions) are objects marked so. */
function isJsonataFunction(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ('_jsonata_lambda' in value || '_jsonata_function' in value)
}

/** JSONata's truthiness for conditions: only `true`, a non-empty string, a non-zero number or a non-empty array/object pass. */
export function isTrue(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isTrue)
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0
  return Boolean(value)
}
