import { closest, distance } from 'fastest-levenshtein'

/** `Did you mean "x"?` when a known name is within two edits of `name`, else the list of known names. */
export function suggest(name: string, known: readonly string[], what: string): string {
  if (known.length === 0) return `No ${what} is declared.`
  const best = closest(name, [...known])
  if (distance(name, best) <= 2) return `Did you mean "${best}"?`
  return `Known ${what}: ${known.join(', ')}.`
}
