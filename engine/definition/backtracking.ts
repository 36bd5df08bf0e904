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
