import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js'
import rewritePattern from 'regexpu-core'
import { needsBacktracking, propertyEscapes, repeatsRepetition } from './backtracking.js'
import { MAX_PROPERTY_ESCAPES } from './limits.js'

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

/** Compiles an author's `pattern` for ajv, to run without the u flag (see above). */
export const patternRegExp: RegExpEngine = Object.assign((pattern: string, flags: string): RegExpLike => {
  // Compiled as written first: a pattern that is not one is refused with JavaScript's own message.
  const unicode = new RegExp(pattern, flags)
  if (needsBacktracking(pattern) || repeatsRepetition(pattern) || propertyEscapes(pattern) > MAX_PROPERTY_ESCAPES) throw new UnsafePatternError(pattern)
  if (!flags.includes('u')) return unicode
  const rewritten = withoutUnicodeFlag(pattern, flags) ?? unicode
  const plain = PLAIN.test(pattern) && !UNICODE_ONLY.test(pattern) ? new RegExp(pattern, flags.replace('u', '')) : undefined
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
    return new RegExp(source.replaceAll(LONE_SURROGATE_ALTERNATIVES, ''), flags.replace('u', ''))
  } catch {
    return undefined
  }
}
