import type { SchemaFault } from './schema-faults.js'

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

/**
 * A lower bound among `lows` and an upper bound among `highs` set in different branches (or one
 * in the node itself) that `apart` says no value lies between.
 */
function gap(members: readonly Member[], lows: readonly string[], highs: readonly string[], apart: (min: number, max: number, exclusive: boolean) => boolean, where: (pointer: string) => string): SchemaFault | undefined {
  const bounds = (keys: readonly string[]): Array<{ key: string; value: number; at: number; branch: number; member: string; pointer: string }> =>
    members.flatMap(({ node, pointer, branch }, at) => keys.flatMap((key) => typeof node[key] === 'number' ? [{ key, value: node[key], at, branch, member: pointer, pointer: `${pointer}/${key}` }] : []))
  for (const low of bounds(lows)) {
    for (const high of bounds(highs)) {
      if (low.branch === high.branch || !apart(low.value, high.value, low.key.startsWith('exclusive') || high.key.startsWith('exclusive'))) continue
      return {
        pointer: (low.at < high.at ? high : low).pointer, atKey: false, hint: HINT,
        message: `\`${low.key}\` ${low.value} in ${where(low.member)} and \`${high.key}\` ${high.value} in ${where(high.member)} apply together through \`allOf\`, and leave nothing between them:`,
      }
    }
  }
  return undefined
}

/**
 * `const` and `enum` values of the members none of which every member listing some allows
 * (compared as JSON texts; values that are objects or lists are not compared), unless those of
 * one branch alone, or of the node alone, already allow none.
 */
function valuesFault(members: readonly Member[], where: (pointer: string) => string): SchemaFault | undefined {
  const listing = members.flatMap(({ node, pointer, branch }) =>
    'const' in node ? [{ values: [node['const']], keyword: 'const', member: pointer, pointer: `${pointer}/const`, branch }]
      : Array.isArray(node['enum']) && node['enum'].length > 0 ? [{ values: node['enum'] as unknown[], keyword: 'enum', member: pointer, pointer: `${pointer}/enum`, branch }] : [])
  if (listing.some(({ values }) => values.some((value) => typeof value === 'object' && value !== null))) return undefined
  const noneShared = (lists: typeof listing): boolean => lists.length > 1 && !(lists[0] as typeof listing[number]).values
    .some((value) => lists.every(({ values }) => values.some((other) => JSON.stringify(other) === JSON.stringify(value))))
  if (!noneShared(listing) || [...new Set(listing.map(({ branch }) => branch))].some((branch) => noneShared(listing.filter((l) => l.branch === branch)))) return undefined
  const last = listing.at(-1) as typeof listing[number]
  return {
    pointer: last.pointer, atKey: false, hint: HINT,
    message: `${listing.map(({ keyword, member }) => `\`${keyword}\` in ${where(member)}`).join(', ').replace(/, ([^,]*)$/, ' and $1')} apply together through \`allOf\`, and share no value: ${NONE}`,
  }
}

function isObject(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
