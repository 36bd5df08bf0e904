import type jsonata from 'jsonata'
import { Temporal } from 'temporal-polyfill'
import { EXPRESSION_LIMITS, EvaluationProblem } from './expression-limits.js'

/**
 * JSONata's built-in functions (jsonata 2.2), which every expression may call, with their
 * signatures as JSONata declares them (https://docs.jsonata.org/embedding-extending#function-signature-syntax):
 * from them the definition check knows how many arguments each takes.
 */
export const BUILT_IN_SIGNATURES: ReadonlyMap<string, string> = new Map([
  ['sum', '<a<n>:n>'], ['count', '<a:n>'], ['max', '<a<n>:n>'], ['min', '<a<n>:n>'], ['average', '<a<n>:n>'],
  ['string', '<x-b?:s>'], ['substring', '<s-nn?:s>'], ['substringBefore', '<s-s:s>'], ['substringAfter', '<s-s:s>'],
  ['lowercase', '<s-:s>'], ['uppercase', '<s-:s>'], ['length', '<s-:n>'], ['trim', '<s-:s>'], ['pad', '<s-ns?:s>'],
  ['match', '<s-f<s:o>n?:a<o>>'], ['contains', '<s-(sf):b>'], ['replace', '<s-(sf)(sf)n?:s>'], ['split', '<s-(sf)n?:a<s>>'],
  ['join', '<a<s>s?:s>'], ['formatNumber', '<n-so?:s>'], ['formatBase', '<n-n?:s>'], ['formatInteger', '<n-s:s>'],
  ['parseInteger', '<s-s:n>'], ['number', '<(nsb)-:n>'], ['floor', '<n-:n>'], ['ceil', '<n-:n>'], ['round', '<n-n?:n>'],
  ['abs', '<n-:n>'], ['sqrt', '<n-:n>'], ['power', '<n-n:n>'], ['random', '<:n>'], ['boolean', '<x-:b>'], ['not', '<x-:b>'],
  ['map', '<af>'], ['zip', '<a+>'], ['filter', '<af>'], ['single', '<af?>'], ['reduce', '<afj?:j>'], ['sift', '<o-f?:o>'],
  ['keys', '<x-:a<s>>'], ['lookup', '<x-s:x>'], ['append', '<xx:a>'], ['exists', '<x:b>'], ['spread', '<x-:a<o>>'],
  ['merge', '<a<o>:o>'], ['reverse', '<a:a>'], ['each', '<o-f:a>'], ['error', '<s?:x>'], ['assert', '<bs?:x>'],
  ['type', '<x:s>'], ['sort', '<af?:a>'], ['shuffle', '<a:a>'], ['distinct', '<x:x>'], ['base64encode', '<s-:s>'],
  ['base64decode', '<s-:s>'], ['encodeUrlComponent', '<s-:s>'], ['encodeUrl', '<s-:s>'], ['decodeUrlComponent', '<s-:s>'],
  ['decodeUrl', '<s-:s>'], ['eval', '<sx?:x>'], ['toMillis', '<s-s?:n>'], ['fromMillis', '<n-s?s?:s>'], ['clone', '<(oa)-:o>'],
  ['now', '<s?s?:s>'], ['millis', '<:n>'],
])

/** The names of JSONata's built-in functions. */
export const BUILT_IN_FUNCTIONS: readonly string[] = [...BUILT_IN_SIGNATURES.keys()]

/** The functions the engine adds to JSONata's, with their signatures: calendar-aware date arithmetic in the process's time zone. */
export const ENGINE_SIGNATURES: ReadonlyMap<string, string> = new Map([['addDuration', '<ss:s>'], ['instant', '<s:s>']])

/** The names of the functions the engine adds. */
export const ENGINE_FUNCTIONS: readonly string[] = [...ENGINE_SIGNATURES.keys()]

/** A parameter of a JSONata function signature. */
export interface SignatureParameter {
  /** The type letters it takes: `s` text, `n` number, `b` boolean, `l` null, `a` array, `o` object, `f` function, `x` anything, `j` JSON, `u` s, n, b or l. */
  readonly types: string
  readonly optional: boolean
  /** `+`: one or more. */
  readonly repeats: boolean
  /** `-`: left out, it is the current value (the first parameter only). */
  readonly context: boolean
  /** The type letters the items of an array it takes must have (`a<n>`: `n`), when the signature says. */
  readonly items?: string | undefined
}

/**
 * The parameters of a JSONata function signature such as `<s-nn?:s>`: each is a type letter or a
 * parenthesised choice of them, perhaps with a subtype in angle brackets (`a<n>`, `f<s:o>`), then
 * `?` (optional), `+` (one or more) or `-` (the current value when left out).
 */
export function parametersOf(signature: string): readonly SignatureParameter[] {
  const params: Array<{ types: string; optional: boolean; repeats: boolean; context: boolean; items?: string }> = []
  let depth = 0
  for (let i = 1; i < signature.length; i++) {
    const c = signature[i] as string
    const last = params.at(-1)
    // The subtype of an array: the letters (or the choice of them) up to its closing bracket.
    if (c === '<' && depth === 0 && last?.types === 'a') last.items = signature.slice(i + 1, signature.indexOf('>', i)).replace(/[()]/g, '')
    if (c === '<') depth++
    else if (c === '>' && depth > 0) depth--
    else if (depth > 0) continue
    else if (c === ':' || c === '>') break
    else if (c === '(') {
      const close = signature.indexOf(')', i)
      params.push({ types: signature.slice(i + 1, close), optional: false, repeats: false, context: false })
      i = close
    } else {
      if (c === '?' && last) last.optional = true
      else if (c === '+' && last) last.repeats = true
      else if (c === '-' && last) last.context = true
      else params.push({ types: c, optional: false, repeats: false, context: false })
    }
  }
  return params
}

/** The type letter a function of `signature` returns (`<s-:n>`: `n`; `<a<n>:n>`: `n`), or undefined when it says none. */
export function resultOf(signature: string): string | undefined {
  let depth = 0
  for (let i = 1; i < signature.length; i++) {
    const c = signature[i]
    if (c === '<') depth++
    else if (c === '>') depth--
    else if (c === ':' && depth === 0) return signature[i + 1]
  }
  return undefined
}

/** How many arguments a call of a function may pass: `min` to `max` (Infinity when the last repeats). */
export interface Arity {
  readonly min: number
  readonly max: number
  /** Whether the first argument, left out, is the current value (`-` in the signature). */
  readonly context: boolean
}

/** The arity of a JSONata function signature: see {@link parametersOf}. */
export function arityOf(signature: string): Arity {
  const params = parametersOf(signature)
  const context = params[0]?.context === true
  const required = params.filter((p) => !p.optional).length
  return { min: required - (context ? 1 : 0), max: params.some((p) => p.repeats) ? Infinity : params.length, context }
}

/**
 * The type letter of an argument known before the expression runs: of a literal (`'a'`, `2`,
 * `true`, `null`) or of a declared field (`o` for a mapping, `a` for a list;
 * engine/definition/argument-types.ts), or undefined when only running the expression tells.
 */
export type LiteralType = 's' | 'n' | 'b' | 'l' | 'o' | 'a' | undefined

/**
 * Whether a parameter taking `types` accepts an argument of `literal`'s type: JSONata wraps a
 * single value given for a list, but refuses a list (even of one item, or none) given for
 * anything else than a list or any value.
 */
function accepts({ types, items }: SignatureParameter, literal: Exclude<LiteralType, undefined>, item?: LiteralType): boolean {
  const itemFits = (given: Exclude<LiteralType, undefined>): boolean => items === undefined || items.includes(given) || /[xj]/.test(items) || (items.includes('u') && 'snbl'.includes(given))
  // A list whose items are all of one known type (`item`) must hold those the parameter's subtype takes (`a<n>`).
  if (literal === 'a') return /[axj]/.test(types) && (item === undefined || !types.includes('a') || itemFits(item))
  // A single value given for an array of items of some type is one such item.
  if (types === 'a' && items !== undefined) return itemFits(literal)
  return types.includes(literal) || /[xjua]/.test(types)
}

/**
 * Whether JSONata can run a call passing arguments of these literal types (undefined: not a
 * literal) to a function of `signature`: as given, or, where the first parameter may be the
 * current value (of type `current`, undefined when not known) and takes it, after it; `items`
 * gives, for a list, the type every item has, where known. Counts and literal types only: a call
 * that passes might still fail on what its other arguments turn out to be.
 */
export function mayCall(signature: string, literals: readonly LiteralType[], current?: LiteralType, items: readonly LiteralType[] = []): boolean {
  const params = parametersOf(signature)
  const fits = (from: number): boolean => {
    const rest = params.slice(from)
    const repeats = rest.some((p) => p.repeats)
    if (literals.length < rest.filter((p) => !p.optional).length || (!repeats && literals.length > rest.length)) return false
    return literals.every((literal, i) => literal === undefined || accepts(rest[Math.min(i, rest.length - 1)] as SignatureParameter, literal, items[i]))
  }
  const first = params[0]
  return fits(0) || (first?.context === true && (current === undefined || accepts(first, current)) && fits(1))
}

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
  }, ENGINE_SIGNATURES.get('addDuration'))
  expression.registerFunction('instant', (from: string | undefined) => from === undefined ? undefined : temporal('instant', () => Temporal.Instant.from(from)), ENGINE_SIGNATURES.get('instant'))
  expression.registerFunction('pad', pad, BUILT_IN_SIGNATURES.get('pad'))
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
