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
