/**
 * Whether a regular expression repeats a group that itself contains a repetition or an
 * alternation, such as `(a+)+`, `(\w+\s?)*` or `(a|a)*`: on a text that almost matches, a
 * backtracking engine may then try exponentially many ways, and one match can stall the process
 * for minutes (no time limit can interrupt a match). Conservative: it also refuses some safe
 * patterns, such as `(ab|cd)+`, which can be written without the repeated group. Pure.
 */
export function repeatsRepetition(source: string): boolean {
  // For each open group: whether something inside it repeats or alternates.
  const groups: boolean[] = [false]
  // Whether the atom just read is a group with a repetition inside.
  let lastRepeats = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') {
      i++
      lastRepeats = false
    } else if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++
      lastRepeats = false
    } else if (c === '|') {
      groups[groups.length - 1] = true
      lastRepeats = false
    } else if (c === '(') {
      groups.push(false)
      if (source[i + 1] === '?') i++
      lastRepeats = false
    } else if (c === ')') {
      const inner = groups.pop() ?? false
      if (inner && groups.length > 0) groups[groups.length - 1] = true
      lastRepeats = inner
    } else if (c === '*' || c === '+' || c === '{') {
      const bound = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i)) : null
      if (c === '{' && !bound) {
        lastRepeats = false
        continue
      }
      if (bound) i += bound[0].length - 1
      // `{1}` and `{0,1}` do not repeat; `{2}`, `{1,5}` and `{3,}` do.
      const repeats = !bound || (bound[2] === undefined ? Number(bound[1]) > 1 : bound[3] === '' || Number(bound[3]) > 1)
      if (repeats && lastRepeats) return true
      if (repeats) groups[groups.length - 1] = true
      lastRepeats = false
    } else {
      lastRepeats = false
    }
  }
  return false
}

/**
 * Whether a regular expression uses what only a backtracking engine can run: a backreference
 * (`\1`, `\k<name>`) or a lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`). V8 moves a match that
 * backtracks too much to its linear-time engine, but not one of these: `^(\d)\d*\d*\d*\d*\1$`
 * on sixty digits ran for 17 seconds, and nothing can interrupt a match. Pure.
 */
export function needsBacktracking(source: string): boolean {
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') {
      const next = source[i + 1] ?? ''
      if (/[1-9]/.test(next) || (next === 'k' && source[i + 2] === '<')) return true
      i++
    } else if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++
    } else if (c === '(' && source[i + 1] === '?') {
      const kind = source.slice(i + 2, i + 4)
      if (kind[0] === '=' || kind[0] === '!' || kind === '<=' || kind === '<!') return true
    }
  }
  return false
}

/** The largest count a repeat of a regular expression gives (`{2,50}` 50, `{7,}` 7), outside classes and escapes; 0 when it counts none. Pure. */
export function largestCount(source: string): number {
  let largest = 0
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') i++
    else if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++
    } else if (c === '{') {
      const bound = /^\{(\d+)(?:,(\d*))?\}/.exec(source.slice(i, i + 40))
      if (bound) largest = Math.max(largest, Number(bound[1]), bound[2] ? Number(bound[2]) : 0)
    }
  }
  return largest
}

/**
 * How many repeats of a length a match chooses (`*`, `+`, `{1,5}`, `{3,}`; not `{2}`), of them
 * without a bound (`*`, `+`, `{3,}`), and optional parts (`?`, `{0,1}`) a regular expression
 * holds, outside classes and escapes (a lazy `*?` is one repeat). Pure.
 */
export function repetitions(source: string): { readonly repeats: number; readonly unbounded: number; readonly optional: number } {
  let repeats = 0
  let unbounded = 0
  let optional = 0
  // Whether the character before can take a quantifier: not after `(`, `|`, or another quantifier.
  let quantifiable = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') {
      i++
      quantifiable = true
    } else if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++
      quantifiable = true
    } else if (c === '(') {
      if (source[i + 1] === '?') i += source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!' ? source.indexOf('>', i) - i : 2
      quantifiable = false
    } else if (c === '|' || c === '^') {
      quantifiable = false
    } else if (quantifiable && (c === '*' || c === '+' || c === '?' || c === '{')) {
      const bound = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 40)) : null
      if (c === '{' && !bound) continue
      if (bound) i += bound[0].length - 1
      const least = bound ? Number(bound[1]) : c === '+' ? 1 : 0
      const most = bound ? (bound[2] === undefined ? least : bound[3] === '' ? Infinity : Number(bound[3])) : c === '?' ? 1 : Infinity
      if (most > 1 && most > least) repeats++
      if (most === Infinity) unbounded++
      else if (most === 1 && least === 0) optional++
      // A lazy mark after a quantifier is not another one.
      if (source[i + 1] === '?') i++
      quantifiable = false
    } else {
      quantifiable = true
    }
  }
  return { repeats, unbounded, optional }
}

/** The largest count of a repeat V8's linear-time engine runs (`{0,16}`: it writes the repeated part out that many times). */
export const LINEAR_COUNT = 16

/** Most optional parts (`a?`) a regular expression off the linear-time engine may hold: a match may try each way of taking or leaving them. */
const MAX_OPTIONAL = 4

/**
 * What lets one match of a regular expression that cannot run on V8's linear-time engine (see
 * pattern-regexp.ts) take minutes, in words completing "The regular expression ... ", or
 * undefined: several repeats, which a backtracking match may share a text out among in every way
 * (`/a{0,100}a{0,100}a{0,100}b/` on 300 letters); one without a bound, which a search tries at
 * every place of the text (time growing with the square of its length); or more than
 * {@link MAX_OPTIONAL} optional parts. One counted repeat alone takes time in proportion to the
 * text times its count. Pure.
 */
export function offLinearRisk(source: string, flags: string): string | undefined {
  const { repeats, unbounded, optional } = repetitions(source)
  const count = largestCount(source)
  const why = count > LINEAR_COUNT ? `it counts a repeat to ${count}, past the ${LINEAR_COUNT} that engine runs`
    : flags.includes('i') ? 'it matches letters beyond ASCII in either case, with the i flag' : 'it holds what that engine does not run'
  const off = `cannot run on V8's linear-time engine (${why})`
  if (repeats > 1) return `${off} and holds ${repeats} repeats: one match may try every way of sharing a text out among them, for minutes on a few hundred characters`
  if (unbounded > 0) return `${off} and repeats without a bound: a search tries it at every place of a text, in time growing with the square of its length`
  if (optional > MAX_OPTIONAL) return `${off} and holds ${optional} optional parts: one match may try each way of taking or leaving them`
  return undefined
}

/** How to let a regular expression run on the linear-time engine. */
export const LINEAR_HINT = 'Keep each count at 16 or below and bound a length apart (`maxLength` in a schema, `$length()` in an expression), and write a letter beyond ASCII in both cases ([éÉ]) rather than with the i flag: it then runs on the linear-time engine, in time proportional to the text.'

/** How to bound a length without a large counted repeat. */
export const COUNT_HINT = 'Repeat with + or * and bound the length apart: `maxLength` in a schema (`[a-z]+` with `maxLength: 100000`), `$length()` in an expression.'

/** How to do without a backreference or a lookaround. */
export const BACKTRACKING_HINT = 'Write it without \\1, \\k<name>, (?=, (?!, (?<= or (?<!: to require several things of one value, check each apart, e.g. with an action\'s `require` and $contains(inputs.code, /[0-9]/).'

/**
 * How many Unicode property escapes (`\p{...}`, `\P{...}`) a regular expression holds, inside
 * classes or not. Each is rewritten into a class of up to thousands of ranges before the pattern
 * can run without the u flag (pattern-regexp.ts): about 3 ms and 8 KB of source for `\p{L}`.
 * Pure.
 */
export function propertyEscapes(source: string): number {
  let count = 0
  for (let i = 0; i < source.length; i++) {
    if (source[i] !== '\\') continue
    if ((source[i + 1] === 'p' || source[i + 1] === 'P') && source[i + 2] === '{') count++
    i++
  }
  return count
}
