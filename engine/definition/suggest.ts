import { closest, distance } from 'fastest-levenshtein'

/** Names a "Did you mean" compares a name with, at most: beyond, a definition built to be slow to check gets no proposal. */
const MAX_CANDIDATES = 1000

/**
 * The known name within two edits of `name` (the closest; one edit for a name of two or three
 * letters), or one `name` begins with (`mon` for `monday`), or undefined: what "Did you mean"
 * proposes.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  // Two edits change the length by two at most: other names cannot be meant, and are not measured.
  const byLength = lengthsOf(known)
  // The same name in other letter case (`PDF` for `pdf`) is meant before any other.
  const folded = name.toLowerCase()
  const sameLength = byLength.get(name.length) ?? []
  const sameButCase = sameLength.length <= MAX_CANDIDATES ? sameLength.find((k) => k !== name && k.toLowerCase() === folded) : undefined
  if (sameButCase !== undefined) return sameButCase
  const buckets = [-2, -1, 0, 1, 2].map((d) => byLength.get(name.length + d) ?? [])
  const count = buckets.reduce((n, bucket) => n + bucket.length, 0)
  if (count > MAX_CANDIDATES) return undefined
  const candidates = buckets.flat()
  const best = count === 0 ? undefined : closest(name, candidates)
  // Two edits at most; for a name of three letters or fewer, one, or two letters swapped (`mov` is
  // not meant for `csv`, `isv` is for `ivs`). Of those as near, one the name begins or ends
  // (`tiff` for `tif`, before `gif`).
  const edits = best === undefined ? Infinity : distance(name, best)
  const swapped = (known: string): boolean => [...known].sort().join('') === [...name].sort().join('')
  if (best !== undefined && (edits <= 1 || (edits === 2 && (name.length > 3 || swapped(best))))) {
    return candidates.find((k) => (k.startsWith(name) || name.startsWith(k)) && distance(name, k) === edits) ?? best
  }
  // A longer form of a known name (`monday` for `mon`) means it too.
  return known.length <= MAX_CANDIDATES ? known.find((k) => k.length >= 3 && folded.startsWith(k.toLowerCase())) : undefined
}

/** Known names by their length, for each list of them (a compile asks of the same list once per problem). */
const lengths = new WeakMap<readonly string[], ReadonlyMap<number, readonly string[]>>()

function lengthsOf(known: readonly string[]): ReadonlyMap<number, readonly string[]> {
  let byLength = lengths.get(known)
  if (!byLength) {
    const built = new Map<number, string[]>()
    for (const k of known) {
      const same = built.get(k.length)
      if (same) same.push(k)
      else built.set(k.length, [k])
    }
    byLength = built
    lengths.set(known, byLength)
  }
  return byLength
}

/** Names a hint lists at most; a definition may declare thousands, and every problem repeats its hint. */
export const MAX_LISTED = 20

/** `names` joined with commas, the first {@link MAX_LISTED} of them and how many more there are. */
export function listNames(names: readonly string[]): string {
  if (names.length <= MAX_LISTED) return names.join(', ')
  return `${names.slice(0, MAX_LISTED).join(', ')} and ${(names.length - MAX_LISTED).toLocaleString('en')} more`
}

/** `Did you mean "x"?` when a known name is within two edits of `name`, else the list of known names. */
export function suggest(name: string, known: readonly string[], what: string): string {
  if (known.length === 0) return `No ${what} are declared.`
  const best = closestName(name, known)
  if (best !== undefined) return `Did you mean "${best}"?`
  return `Known ${what}: ${listNames(known)}.`
}
