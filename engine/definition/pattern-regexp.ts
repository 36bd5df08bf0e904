import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js'

// ajv compiles an author's `pattern` with the u flag, and V8 cannot leave a backtracking match
// with the u flag for its linear-time engine (engine/regexp-engine.ts): a pattern such as
// `\d*\d*\d*\d*\d*\d*x` then tries every way of sharing 60 digits out, for seconds or hours. A
// pattern of plain ASCII, without what only the u flag means (`\p{...}`, `\u{...}`, `\k<...>`),
// matches text without surrogates exactly as it does without the flag, so it is run without it
// there, where V8 can fall back to the linear engine.

/** Printable ASCII: the patterns whose meaning may not depend on the u flag. */
const PLAIN = /^[\x20-\x7e]*$/
/** What only the u flag gives a pattern: property escapes, code point escapes, named backreferences. */
const UNICODE_ONLY = /\\[pPk]|\\u\{/
/** A surrogate code unit: text where the u flag matches differently (a code point is two units). */
const SURROGATE = /[\ud800-\udfff]/

/** Compiles an author's `pattern` for ajv, to run without the u flag wherever that means the same (see above). */
export const patternRegExp: RegExpEngine = Object.assign((pattern: string, flags: string): RegExpLike => {
  const unicode = new RegExp(pattern, flags)
  if (!flags.includes('u') || !PLAIN.test(pattern) || UNICODE_ONLY.test(pattern)) return unicode
  const plain = new RegExp(pattern, flags.replace('u', ''))
  // ajv keeps one compiled pattern per `toString()`: it must name the pattern, as a RegExp's does.
  const matcher = { test: (text: string) => (SURROGATE.test(text) ? unicode : plain).test(text), toString: () => unicode.toString() }
  return matcher
}, { code: 'patternRegExp' })
