import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js'
import rewritePattern from 'regexpu-core'
import { largestCount, LINEAR_COUNT, needsBacktracking, propertyEscapes, repeatsRepetition } from './backtracking.js'
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
  // The linear engine takes no i flag: letters of either case are written out where they can be.
  const caseless = flags.includes('i') ? withoutIgnoreCase(source) : undefined
  try {
    return caseless === undefined ? new RegExp(source, `${flags}l`) : new RegExp(caseless, `${flags.replace('i', '')}l`)
  } catch {
    return new RegExp(source, flags)
  }
}

const LETTER = /[A-Za-z]/

/** Both cases of an ASCII letter (`aA`), or the character itself. */
const bothCases = (c: string): string => (LETTER.test(c) ? `${c.toLowerCase()}${c.toUpperCase()}` : c)

/**
 * `source` matching without the i flag what it matches with it: each ASCII letter outside a class
 * as a class of both its cases (`a` as `[aA]`), each class given the other case of its letters and
 * of the letters its ranges hold. Undefined for a source holding a character beyond ASCII, or an
 * escape naming a character by its code (`\x41`, `\u0041`, `\cA`), whose cases it does not read.
 * (Without the u flag, the i flag matches an ASCII letter with its other case only.) Pure.
 */
export function withoutIgnoreCase(source: string): string | undefined {
  if (!PLAIN.test(source) || /\\[xuc]/.test(source.replace(/\\\\/g, ''))) return undefined
  let out = ''
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string
    if (c === '\\') {
      out += source.slice(i, i + 2)
      i++
    } else if (c === '[') {
      // `[]` matches nothing and `[^]` anything: a class ends at its first `]` not escaped.
      const negated = source[i + 1] === '^'
      let end = negated ? i + 2 : i + 1
      for (; end < source.length && source[end] !== ']'; end++) if (source[end] === '\\') end++
      const content = source.slice(negated ? i + 2 : i + 1, end)
      // The other cases first: after them a `-` the class began with would make a range.
      out += `[${negated ? '^' : ''}${otherCases(content)}${content.startsWith('-') ? `\\${content}` : content}]`
      i = end
    } else {
      out += LETTER.test(c) ? `[${bothCases(c)}]` : c
    }
  }
  return out
}

/** The other case of the ASCII letters a class's content holds, as more of its content: `a-f` gives `A-F`. */
function otherCases(content: string): string {
  let more = ''
  for (let i = 0; i < content.length; i++) {
    const c = content[i] as string
    if (c === '\\') {
      i++
      continue
    }
    const high = content[i + 1] === '-' && i + 2 < content.length && content[i + 2] !== '\\' ? content[i + 2] as string : undefined
    const [low, top] = [c.charCodeAt(0), (high ?? c).charCodeAt(0)]
    for (const [from, to, shift] of [[0x61, 0x7a, -32], [0x41, 0x5a, 32]] as const) {
      const [a, b] = [Math.max(low, from), Math.min(top, to)]
      if (a <= b) more += a === b ? String.fromCharCode(a + shift) : `${String.fromCharCode(a + shift)}-${String.fromCharCode(b + shift)}`
    }
    if (high !== undefined) i += 2
  }
  return more
}

/**
 * Whether `source` with `flags` runs on V8's linear-time engine as {@link linearWherePossible}
 * compiles it: read from the expression (no backreference or lookaround, no count past
 * {@link LINEAR_COUNT}, an i flag it can write out), so that a check says the same whatever flags
 * the process runs with.
 */
export function runsInLinearTime(source: string, flags: string): boolean {
  const caseless = flags.includes('i') ? withoutIgnoreCase(source) : source
  return caseless !== undefined && !needsBacktracking(caseless) && largestCount(caseless) <= LINEAR_COUNT
}

/** Whether a schema's `pattern` runs on V8's linear-time engine, for every text, as {@link patternRegExp} compiles it. */
export function patternRunsInLinearTime(pattern: string): boolean {
  const rewritten = withoutUnicodeFlag(pattern, 'u')
  return rewritten !== undefined && runsInLinearTime(rewritten.source, '') && runsInLinearTime(pattern, '')
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
