import { closest, distance } from 'fastest-levenshtein'

/** The known name within two edits of `name` (the closest), or undefined: what "Did you mean" proposes. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined
  const best = closest(name, [...known])
  return distance(name, best) <= 2 ? best : undefined
}

/** `Did you mean "x"?` when a known name is within two edits of `name`, else the list of known names. */
export function suggest(name: string, known: readonly string[], what: string): string {
  if (known.length === 0) return `No ${what} is declared.`
  const best = closestName(name, known)
  if (best !== undefined) return `Did you mean "${best}"?`
  return `Known ${what}: ${known.join(', ')}.`
}
