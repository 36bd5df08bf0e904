import type { DefinitionError } from '../errors.js'
import { propertyEscapes } from './backtracking.js'
import { MAX_PROPERTY_ESCAPES } from './limits.js'
import { escapeSegment } from './pointer.js'
import { PROPERTY_ESCAPES_HINT } from './schema-faults.js'
import type { Source } from './source.js'

/**
 * The problem of a definition whose texts hold more Unicode property escapes in all than
 * {@link MAX_PROPERTY_ESCAPES}, at the text that passes the limit; checked before any pattern
 * is compiled. Each pattern stays under the limit on its own (schema-faults.ts), but a
 * definition may hold thousands of patterns, and what bounds a check's time is their sum.
 * Every text counts, patterns or not: a definition has no other use for `\p{`.
 */
export function propertyEscapeBudget(source: Source): DefinitionError | undefined {
  let left = MAX_PROPERTY_ESCAPES
  const walk = (value: unknown, pointer: string): string | undefined => {
    if (typeof value === 'string') {
      left -= propertyEscapes(value)
      return left < 0 ? pointer : undefined
    }
    if (typeof value !== 'object' || value === null) return undefined
    for (const [key, item] of Object.entries(value)) {
      const here = `${pointer}/${escapeSegment(key)}`
      const found = walk(key, here) ?? walk(item, here)
      if (found !== undefined) return found
    }
    return undefined
  }
  const at = walk(source.value, '')
  if (at === undefined) return undefined
  return source.error('definition.too-large', at, `The definition's patterns hold more than ${MAX_PROPERTY_ESCAPES} Unicode property escapes (\\p{...}, \\P{...}) in all, passed here: each becomes a class of thousands of characters before its pattern can run.`, PROPERTY_ESCAPES_HINT)
}
