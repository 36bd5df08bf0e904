import type { SchemaFault } from './schema-faults.js'
import { isObject } from './schema-unsatisfiable.js'

/** A schema object as the checks read it. */
type Node = Readonly<Record<string, unknown>>
/**
 * One schema a value must meet at once with the others: the node itself, or a schema its `allOf`
 * joins, with its pointer and the branch of the node's `allOf` it is in (-1: the node itself).
 */
type Member = { readonly node: Node; readonly pointer: string; readonly branch: number }

/** Bounds on a length or a count, by the kind of value they hold. */
const COUNTS = [['minLength', 'maxLength', 'text'], ['minWords', 'maxWords', 'text'], ['minItems', 'maxItems', 'list'], ['minProperties', 'maxProperties', 'mapping']] as const
/** How deep `allOf` inside `allOf` is followed. */
const MAX_DEPTH = 8
const NONE = 'no value can satisfy them all.'
const HINT = 'Make the schemas `allOf` joins agree, or use `anyOf` for a value that may meet either.'

/**
 * Constraints that no value meets once the schemas a node's `allOf` joins (and theirs, and the
 * node's own) are applied together, each set in a different one, which the checks of each schema
 * alone cannot see: a lower bound on a length, a count or a number above an upper one
 * (`minLength: 5` in one, `maxLength: 3` in another; `minimum: 10` against `maximum: 5`), or
 * `const` and `enum` values none of which is in all of them. What one schema sets alone is its
 * own fault (findSchemaFaults), and what one branch of `allOf` sets with the schemas it joins in
 * turn is that branch's. Each is reported at the keyword that closes the gap, in the later schema.
 */
export function conjunctionFaults(node: Node, pointer: string): SchemaFault[] {
  if (!Array.isArray(node['allOf'])) return []
  const members = [{ node, pointer, branch: -1 }, ...node['allOf'].flatMap((branch: unknown, i) =>
    isObject(branch) ? joined(branch, `${pointer}/allOf/${i}`, 1).map((member) => ({ ...member, branch: i })) : [])]
  // Where each member is, in words, from the node: `this schema`, `allOf/1`.
  const where = (member: string): string => member === pointer ? 'this schema' : member.slice(pointer.length + 1)
  const faults: SchemaFault[] = []
  for (const [low, high, kind] of COUNTS) {
    const fault = gap(members, [low], [high], (min, max) => min > max, where)
    if (fault) faults.push({ ...fault, message: `${fault.message} no ${kind} can satisfy them all.` })
  }
  const range = gap(members, ['minimum', 'exclusiveMinimum'], ['maximum', 'exclusiveMaximum'],
    (min, max, exclusive) => min > max || (min === max && exclusive), where)
  if (range) faults.push({ ...range, message: `${range.message} no number can satisfy them all.` })
  const values = valuesFault(members, where)
  if (values) faults.push(values)
  return faults
}

/** `node` and every schema its `allOf` joins, and theirs, in order. */
function joined(node: Node, pointer: string, depth: number): Array<{ node: Node; pointer: string }> {
  const branches = node['allOf']
  if (!Array.isArray(branches) || depth >= MAX_DEPTH) return [{ node, pointer }]
  return [{ node, pointer }, ...branches.flatMap((branch: unknown, i) => isObject(branch) ? joined(branch, `${pointer}/allOf/${i}`, depth + 1) : [])]
}

/** A bound a member sets, where it is and whether it is exclusive. */
type Bound = { readonly key: string; readonly value: number; readonly exclusive: boolean; readonly at: number; readonly branch: number; readonly member: string; readonly pointer: string }

/**
 * A lower bound among `lows` and an upper bound among `highs` set in different branches (or one
 * in the node itself) that `apart` says no value lies between. In linear time whatever the number
 * of schemas: only the tightest bound of each side and the tightest of another branch than it can
 * be apart if any two are.
 */
function gap(members: readonly Member[], lows: readonly string[], highs: readonly string[], apart: (min: number, max: number, exclusive: boolean) => boolean, where: (pointer: string) => string): SchemaFault | undefined {
  const bounds = (keys: readonly string[]): Bound[] => members.flatMap(({ node, pointer, branch }, at) => keys.flatMap((key) =>
    typeof node[key] === 'number' ? [{ key, value: node[key], exclusive: key.startsWith('exclusive'), at, branch, member: pointer, pointer: `${pointer}/${key}` }] : []))
  // Tighter first: the higher lower bound, the lower upper bound; exclusive before inclusive at one number.
  const tightest = (list: readonly Bound[], sign: 1 | -1): Bound[] => {
    const first = list.reduce<Bound | undefined>((best, b) => best === undefined || tighter(b, best, sign) ? b : best, undefined)
    if (!first) return []
    const second = list.reduce<Bound | undefined>((best, b) => b.branch === first.branch || (best !== undefined && !tighter(b, best, sign)) ? best : b, undefined)
    return second ? [first, second] : [first]
  }
  for (const low of tightest(bounds(lows), 1)) {
    for (const high of tightest(bounds(highs), -1)) {
      if (low.branch === high.branch || !apart(low.value, high.value, low.exclusive || high.exclusive)) continue
      return {
        pointer: (low.at < high.at ? high : low).pointer, atKey: false, hint: HINT,
        message: `\`${low.key}\` ${low.value} in ${where(low.member)} and \`${high.key}\` ${high.value} in ${where(high.member)} apply together through \`allOf\`, and leave nothing between them:`,
      }
    }
  }
  return undefined
}

/** Whether bound `a` is tighter than `b`: higher (`sign` 1, lower bounds) or lower (-1, upper bounds), or as high and exclusive where `b` is not. */
function tighter(a: Bound, b: Bound, sign: 1 | -1): boolean {
  return sign * a.value > sign * b.value || (a.value === b.value && a.exclusive && !b.exclusive)
}

/** How many of the schemas listing values a message names. */
const NAMED = 4

/**
 * `const` and `enum` values of the members none of which every member listing some allows
 * (compared as JSON texts; values that are objects or lists are not compared), unless those of
 * one branch alone, or of the node alone, already allow none.
 */
function valuesFault(members: readonly Member[], where: (pointer: string) => string): SchemaFault | undefined {
  const listing = members.flatMap(({ node, pointer, branch }) =>
    'const' in node ? [{ values: [node['const']], keyword: 'const', member: pointer, pointer: `${pointer}/const`, branch }]
      : Array.isArray(node['enum']) && node['enum'].length > 0 ? [{ values: node['enum'] as unknown[], keyword: 'enum', member: pointer, pointer: `${pointer}/enum`, branch }] : [])
  if (listing.length < 2 || listing.some(({ values }) => values.some((value) => typeof value === 'object' && value !== null))) return undefined
  const noneShared = (lists: typeof listing): boolean => {
    if (lists.length < 2) return false
    let shared = new Set(lists[0]?.values.map((value) => JSON.stringify(value)))
    for (const { values } of lists.slice(1)) {
      const these = new Set(values.map((value) => JSON.stringify(value)))
      shared = new Set([...shared].filter((value) => these.has(value)))
    }
    return shared.size === 0
  }
  const byBranch = new Map<number, typeof listing>()
  for (const list of listing) {
    const group = byBranch.get(list.branch)
    if (group) group.push(list)
    else byBranch.set(list.branch, [list])
  }
  if (!noneShared(listing) || [...byBranch.values()].some(noneShared)) return undefined
  const last = listing.at(-1) as typeof listing[number]
  const named = listing.slice(0, NAMED).map(({ keyword, member }) => `\`${keyword}\` in ${where(member)}`)
  const names = listing.length > NAMED ? `${named.join(', ')} and ${(listing.length - NAMED).toLocaleString('en-US')} more` : `${named.slice(0, -1).join(', ')} and ${named.at(-1) ?? ''}`
  return { pointer: last.pointer, atKey: false, hint: HINT, message: `${names} apply together through \`allOf\`, and share no value: ${NONE}` }
}
