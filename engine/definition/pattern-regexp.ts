import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js'
import rewritePattern from 'regexpu-core'
import { largestCount, needsBacktracking, propertyEscapes, repeatsRepetition } from './backtracking.js'
import { MAX_PROPERTY_ESCAPES, MAX_REPEAT_COUNT } from './limits.js'

// ajv compiles an author's `pattern` with the u flag, and V8 cannot leave a backtracking match
// with the u flag for its linear-time engine (engine/regexp-engine.ts): a pattern such as
// `\d*\d*\d*\d*\d*\d*x` then tries every way of sharing 60 digits out, for seconds or hours,
// and `^(\p{L}*)*x$` doubles its time with each letter. So no pattern runs with the u flag (but
// one regexpu-core cannot rewrite):
// - a pattern of plain ASCII, without what only the u flag means (`\p{...}`, `\u{...}`,
//   `\k<...>`), matches text without surrogates exactly as it does without the flag, and runs
//   so there;
// - anywhere else it runs as regexpu-core (Babel's) rewrites it without the flag, matching the
//   same strings: property escapes become the classes they stand for, a code point beyond the
//   BMP its surrogate pair. V8 can leave either for its linear engine. The rewriting of `.` and of
//   negated classes adds two alternatives with lookarounds, for lone surrogates, which no linear
//   engine runs (`^.*.*.*.*.*.*.*x$` took 58 s on an emoji and 60 letters): they are left out, and a
//   lone surrogate in the text is checked as U+FFFD, the replacement character, which a pattern
//   that names no surrogate treats as it treats a lone one.

/** Printable ASCII: the patterns whose meaning may not depend on the u flag. */
const PLAIN = /^[\x20-\x7e]*$/
/** What only the u flag gives a pattern: property escapes, code point escapes, named backreferences. */
const UNICODE_ONLY = /\\[pPk]|\\u\{/
/** A surrogate code unit: text where the u flag matches differently (a code point is two units). */
const SURROGATE = /[\ud800-\udfff]/
/** A surrogate not in a pair: text that is not well-formed UTF-16. */
const LONE_SURROGATES = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
/** What regexpu-core adds to `.` and negated classes to match a lone surrogate, as it writes it. */
const LONE_SURROGATE_ALTERNATIVES = String.raw`|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]`

/**
 * A pattern whose time nothing bounds (to match, or to rewrite), met where ajv compiles it: the
 * definition's checks refuse each at its place first (engine/definition/schema-faults.ts), this
 * is the last guard.
 */
export class UnsafePatternError extends Error {
  readonly source: string
  constructor(source: string) {
    super(`The pattern "${source}" can take exponential time, or needs a backtracking engine.`)
    this.source = source
  }
}

/**
 * `source` compiled for V8's linear-time engine where it runs there (the `l` flag, which
 * engine/regexp-engine.ts enables: no count past 16 or so, no `i` or `u` flag, no backreference or
 * lookaround), else as written, for the backtracking engine, which leaves for the linear one when
 * a match backtracks too much. A search for a pattern that is not anchored tries each place of the
 * text in turn, each in time up to the rest of it, which no single match counts as backtracking:
 * `[a-z]+[0-9]` took 2.9 s on 40,000 letters, and 14 ms on the linear engine, which searches the
 * whole text in one pass. The same matches either way.
 */
export function linearWherePossible(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, `${flags}l`)
  } catch {
    return new RegExp(source, flags)
  }
}

/**
 * The regular expressions of JSONata expressions (`/[a-z]+[0-9]/`), as JSONata's `RegexEngine`
 * makes them from the one it parsed: on the linear engine where they run there.
 */
export class LinearWherePossible extends RegExp {
  constructor(pattern: RegExp | string, flags?: string) {
    const linear = linearWherePossible(typeof pattern === 'string' ? pattern : pattern.source, flags ?? (typeof pattern === 'string' ? '' : pattern.flags))
    super(linear.source, linear.flags)
  }
}

/** Compiles an author's `pattern` for ajv, to run without the u flag (see above). */
export const patternRegExp: RegExpEngine = Object.assign((pattern: string, flags: string): RegExpLike => {
  // Compiled as written first: a pattern that is not one is refused with JavaScript's own message.
  const unicode = new RegExp(pattern, flags)
  if (needsBacktracking(pattern) || repeatsRepetition(pattern) || propertyEscapes(pattern) > MAX_PROPERTY_ESCAPES || largestCount(pattern) > MAX_REPEAT_COUNT) throw new UnsafePatternError(pattern)
  if (!flags.includes('u')) return unicode
  const rewritten = withoutUnicodeFlag(pattern, flags) ?? unicode
  const plain = PLAIN.test(pattern) && !UNICODE_ONLY.test(pattern) ? linearWherePossible(pattern, flags.replace('u', '')) : undefined
  const test = (text: string): boolean => {
    if (!SURROGATE.test(text)) return (plain ?? rewritten).test(text)
    return rewritten.test(text.replace(LONE_SURROGATES, '\ufffd'))
  }
  // ajv keeps one compiled pattern per `toString()`: it must name the pattern, as a RegExp's does.
  const matcher = { test, toString: () => unicode.toString() }
  return matcher
}, { code: 'patternRegExp' })

/**
 * `pattern` rewritten to match the same in well-formed text without the u flag (the alternatives
 * for lone surrogates left out), or undefined where regexpu-core cannot.
 */
function withoutUnicodeFlag(pattern: string, flags: string): RegExp | undefined {
  try {
    const source = rewritePattern(pattern, flags, { unicodeFlag: 'transform', unicodePropertyEscapes: 'transform' })
    return linearWherePossible(source.replaceAll(LONE_SURROGATE_ALTERNATIVES, ''), flags.replace('u', ''))
  } catch {
    return undefined
  }
}
