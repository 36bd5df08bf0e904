import type { JsonSchema } from './definition.js'
import { BACKTRACKING_HINT, COUNT_HINT, largestCount, LINEAR_HINT, needsBacktracking, offLinearRisk, propertyEscapes, repeatsRepetition } from './backtracking.js'
import { patternRunsInLinearTime } from './pattern-regexp.js'
import { MAX_PROPERTY_ESCAPES, MAX_REPEAT_COUNT } from './limits.js'
import { escapeSegment, parsePointer } from './pointer.js'
import { conjunctionFaults } from './schema-conjunction.js'
import { isObject, numberRangeFault, unsatisfiableFaults } from './schema-unsatisfiable.js'
import { suggest } from './suggest.js'

/** Why an author's schema cannot be used, and where in it (a JSON Pointer relative to the schema). */
export interface SchemaFault {
  readonly message: string
  readonly pointer: string
  /** Whether `pointer` names a misspelt or unknown key (rather than a bad value). */
  readonly atKey: boolean
  /** How to fix it, when there is more to say than the general JSON Schema reference. */
  readonly hint?: string
}

// Keywords whose value is a schema, an object of schemas by name, or a list of schemas: those of
// 2020-12 and the draft-07 ones ajv still applies (`definitions`, `dependencies`, `additionalItems`,
// `items` as a list).
const SCHEMA_VALUED = ['items', 'additionalItems', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties', 'contentSchema'] as const
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies'] as const
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items'] as const
/** Keywords through which a schema takes properties declared elsewhere: its subschemas, a reference, a condition. */
export const COMPOSING = ['allOf', 'anyOf', 'oneOf', 'not', '$ref', '$dynamicRef', 'if', 'then', 'else', 'dependentSchemas', 'dependencies'] as const
// Lower and upper bounds of one measure: a lower above the upper admits no value.
const BOUNDS = [['minLength', 'maxLength'], ['minWords', 'maxWords'], ['minItems', 'maxItems'], ['minProperties', 'maxProperties'], ['minContains', 'maxContains']] as const

/**
 * Mistakes in an author's JSON Schema that ajv accepts as valid JSON Schema but that make it
 * unusable, each at the value to fix: a `format` ajv does not know (ajv would refuse the whole
 * schema without saying where), a `pattern` (or `patternProperties` key) that is not a regular
 * expression, a lower bound above its upper (`minLength` over `maxLength`, say), and a
 * `required` entry that names no declared property of an object that accepts no other (once
 * `closeObjects` has closed it), or an `enum` of no value: no input could ever satisfy it, so
 * the action could never be performed. Also, located where ajv would only throw: a `$ref` that
 * names nothing in the schema, and a word limit that is not a whole number. `formats` are the
 * names ajv knows. Pure.
 */
export function findSchemaFaults(schema: JsonSchema, formats: readonly string[]): SchemaFault[] {
  const faults: SchemaFault[] = []
  const nodes = schemaNodes(schema)
  for (const { node, pointer } of nodes) {
    const format = node['format']
    if (typeof format === 'string' && !formats.includes(format)) {
      faults.push({ pointer: `${pointer}/format`, atKey: false, message: `"${format}" is not a format this engine knows, so no value could be checked against it.`,
        hint: `${suggestion(format, formats)}Known formats: ${formats.join(', ')}.` })
    }
    const pattern = node['pattern']
    if (typeof pattern === 'string') {
      const fault = patternFault(pattern, `${pointer}/pattern`, false)
      if (fault) faults.push(fault)
    }
    const patternProperties = node['patternProperties']
    if (isObject(patternProperties)) {
      for (const key of Object.keys(patternProperties)) {
        const fault = patternFault(key, `${pointer}/patternProperties/${escapeSegment(key)}`, true)
        if (fault) faults.push(fault)
      }
    }
    if (node['uniqueItems'] === true && !(typeof node['maxItems'] === 'number' && node['maxItems'] <= MAX_UNIQUE_ITEMS)) {
      faults.push({ pointer: `${pointer}/uniqueItems`, atKey: false,
        message: `\`uniqueItems\` compares every pair of items, so an unbounded array makes checking one input take minutes.`,
        hint: `Give this array \`maxItems\` of at most ${MAX_UNIQUE_ITEMS}.` })
    }
    for (const [low, high] of BOUNDS) {
      const min = node[low]
      const max = node[high]
      if (typeof min === 'number' && typeof max === 'number' && min > max) {
        // The bounds check values of one type only: a value of another (a text, where `type` takes two) is not held by them.
        const kind = low === 'minProperties' ? 'mapping' : low === 'minItems' || low === 'minContains' ? 'list' : 'text'
        faults.push({ pointer: `${pointer}/${low}`, atKey: false, message: `\`${low}\` ${min} is more than \`${high}\` ${max}: no ${kind} can satisfy both.`, hint: `Lower \`${low}\` or raise \`${high}\`.` })
      }
    }
    const range = numberRangeFault(node, pointer)
    if (range) faults.push(range)
    if (node['format'] === 'text' && node['maxLength'] === 0) {
      faults.push({ pointer: `${pointer}/maxLength`, atKey: false, message: '`format: text` asks for something to show, and `maxLength` 0 allows nothing: no value can satisfy both.', hint: 'Raise `maxLength`, or drop `format: text`.' })
    }
    faults.push(...unsatisfiableFaults(node, pointer), ...conjunctionFaults(node, pointer))
    if (Array.isArray(node['enum']) && node['enum'].length === 0) {
      faults.push({ pointer: `${pointer}/enum`, atKey: false, message: '`enum` lists no value: no value can be one of them.', hint: 'List the values that are accepted, or remove `enum`.' })
    }
    for (const keyword of ['maxWords', 'minWords']) {
      const limit = node[keyword]
      if (keyword in node && !(typeof limit === 'number' && Number.isSafeInteger(limit) && limit >= 0)) {
        faults.push({ pointer: `${pointer}/${keyword}`, atKey: false, message: `\`${keyword}\` must be a whole number of words, 0 or more, not ${JSON.stringify(limit)?.slice(0, 100) ?? String(limit)}.`, hint: `Write \`${keyword}: 300\`, say.` })
      }
    }
    faults.push(...undeclaredRequired(node, pointer), ...referenceFaults(node, pointer), ...unresolvedReferences(schema, node, pointer))
    if ('patternErrorMessage' in node && !('pattern' in node)) {
      faults.push({ pointer: `${pointer}/patternErrorMessage`, atKey: true, message: '`patternErrorMessage` says in words what a `pattern` accepts, and this schema has no `pattern`: it would never be shown.', hint: 'Add the `pattern` it describes, or remove it.' })
    }
    // ajv looks keywords up in a plain object, where Object.prototype's names (`constructor`,
    // `toString`) are found: such a key passed as a keyword, and checked nothing.
    for (const key of Object.keys(node)) {
      if (key in Object.prototype) faults.push({ pointer: `${pointer}/${escapeSegment(key)}`, atKey: true, message: `Not a valid JSON Schema (2020-12): "${key}" is not a keyword.`, hint: 'See https://json-schema.org/understanding-json-schema for the keywords; a field named so goes under `properties`.' })
    }
    if (isObject(node['properties']) && Object.hasOwn(node['properties'], '__proto__')) {
      faults.push({ pointer: `${pointer}/properties/__proto__`, atKey: true, message: 'A field may not be named `__proto__`: JavaScript reads that name as an object\'s prototype, so a value given under it would be refused or lost.', hint: 'Name the field otherwise, e.g. `proto`.' })
    }
  }
  faults.push(...inPlaceCycles(schema, nodes))
  return faults
}

/** The keywords whose schemas apply to the value itself rather than to a part of it. */
const IN_PLACE_VALUED = ['not', 'if', 'then', 'else'] as const
const IN_PLACE_LISTS = ['allOf', 'anyOf', 'oneOf'] as const

/**
 * Where a schema comes back to itself for the same value: a `$ref`, or `allOf`, `anyOf`,
 * `oneOf`, `not`, `if`/`then`/`else` or `dependentSchemas`, leading (through others of them) to
 * a schema that leads there again, without going into a part of the value (`properties`,
 * `items`...) on the way. Checking any value against it would never end: a stack overflow, so
 * the definition could not be checked, nor a delivery started. One fault where each circle closes.
 */
function inPlaceCycles(schema: JsonSchema, nodes: readonly SchemaNode[]): SchemaFault[] {
  const pointerOf = new Map(nodes.map(({ node, pointer }) => [node as object, pointer]))
  const resolve = (ref: string): unknown => {
    let target: unknown = schema
    for (const part of parsePointer(safeDecode(ref.slice(1)))) target = isObject(target) || Array.isArray(target) ? (target as Record<string, unknown>)[part] : undefined
    return target
  }
  /** The schemas `node` applies to its own value, each with the keyword's place that leads there. */
  const inPlace = (node: Readonly<Record<string, unknown>>, pointer: string): Array<[unknown, string]> => {
    const next: Array<[unknown, string]> = []
    if (typeof node['$ref'] === 'string' && node['$ref'].startsWith('#')) next.push([resolve(node['$ref']), `${pointer}/$ref`])
    for (const key of IN_PLACE_VALUED) next.push([node[key], `${pointer}/${key}`])
    for (const key of IN_PLACE_LISTS) {
      const children = node[key]
      if (Array.isArray(children)) children.forEach((child: unknown, i) => next.push([child, `${pointer}/${key}/${i}`]))
    }
    const dependent = node['dependentSchemas']
    if (isObject(dependent)) for (const [name, child] of Object.entries(dependent)) next.push([child, `${pointer}/dependentSchemas/${escapeSegment(name)}`])
    return next.filter(([child]) => isObject(child))
  }
  const faults: SchemaFault[] = []
  const state = new Map<object, 'open' | 'done'>()
  const visit = (node: Readonly<Record<string, unknown>>, pointer: string): void => {
    state.set(node, 'open')
    for (const [child, place] of inPlace(node, pointer)) {
      const seen = state.get(child as object)
      if (seen === 'open') {
        const target = pointerOf.get(child as object) ?? ''
        faults.push({ pointer: place, atKey: false,
          message: `Not a valid JSON Schema (2020-12): this leads back to the schema at "${target === '' ? '#' : `#${target}`}" for the same value, without going into a part of it, so checking a value would never end.`,
          hint: 'A schema may refer to itself only for a part of the value (under `properties`, `items`...), as a tree\'s children do; never for the value itself.' })
      } else if (seen === undefined) {
        visit(child as Readonly<Record<string, unknown>>, pointerOf.get(child as object) ?? place)
      }
    }
    state.set(node, 'done')
  }
  for (const { node, pointer } of nodes) if (!state.has(node)) visit(node, pointer)
  return faults
}

/** A `$ref` into this schema that names nothing in it (a pointer to no schema), or names a part by an anchor rather than by its place. */
function unresolvedReferences(schema: JsonSchema, node: Readonly<Record<string, unknown>>, pointer: string): SchemaFault[] {
  const faults: SchemaFault[] = []
  // `$dynamicRef` is refused as it is (referenceFaults).
  for (const keyword of ['$ref'] as const) {
    const ref = node[keyword]
    if (typeof ref !== 'string' || !ref.startsWith('#') || ref === '#') continue
    const fragment = safeDecode(ref.slice(1))
    if (!fragment.startsWith('/')) {
      faults.push({ pointer: `${pointer}/${keyword}`, atKey: false, message: `"${ref}" refers to a part by a name: a part is referred to by its place.`,
        hint: 'Put the part under `$defs` and refer to it as `#/$defs/NAME`.' })
      continue
    }
    let target: unknown = schema
    // Own places only: `#/properties/__proto__` names no place of a schema without one.
    for (const part of parsePointer(fragment)) target = (isObject(target) || Array.isArray(target)) && Object.hasOwn(target, part) ? (target as Record<string, unknown>)[part] : undefined
    if (isObject(target) || typeof target === 'boolean') continue
    const defs = [...['$defs', 'definitions'].flatMap((key) => isObject(schema[key]) ? Object.keys(schema[key]).map((name) => `#/${key}/${escapeSegment(name)}`) : [])]
    faults.push({ pointer: `${pointer}/${keyword}`, atKey: false, message: `"${ref}" names nothing in this schema${target === undefined ? '' : ' that is a schema'}.`,
      hint: `${defs.length > 0 ? suggestion(ref, defs) : ''}Put the schema it means under \`$defs\` of this schema and refer to it as \`#/$defs/NAME\`.` })
  }
  return faults
}

type SchemaNode = { readonly node: Readonly<Record<string, unknown>>; readonly pointer: string }

/**
 * Every object of `schema` that ajv may apply as a schema, once each, with its pointer: the root,
 * whatever sits under a keyword that takes schemas, and whatever a `$ref` names with a pointer
 * into the schema (`#/...`), wherever that is: even under `examples`, ajv applies it. Other
 * references, and `$id`, are refused ({@link referenceFaults}), so nothing else can be applied.
 */
export function schemaNodes(schema: JsonSchema): SchemaNode[] {
  const found: SchemaNode[] = []
  const seen = new Set<object>()
  const refs: string[] = []
  const visit = (node: unknown, pointer: string): void => {
    if (!isObject(node) || seen.has(node)) return
    seen.add(node)
    found.push({ node, pointer })
    for (const keyword of REFERENCES) {
      const ref = node[keyword]
      if (typeof ref === 'string' && ref.startsWith('#/')) refs.push(safeDecode(ref.slice(1)))
    }
    for (const key of SCHEMA_VALUED) visit(node[key], `${pointer}/${key}`)
    for (const key of SCHEMA_MAPS) {
      const children = node[key]
      if (isObject(children)) for (const [name, child] of Object.entries(children)) visit(child, `${pointer}/${key}/${escapeSegment(name)}`)
    }
    for (const key of SCHEMA_LISTS) {
      const children = node[key]
      if (Array.isArray(children)) children.forEach((child: unknown, i) => visit(child, `${pointer}/${key}/${i}`))
    }
  }
  visit(schema, '')
  // A `$ref` may name a part no keyword leads to; what it names may hold more references.
  for (let i = 0; i < refs.length; i++) {
    const fragment = refs[i] as string
    let target: unknown = schema
    for (const part of parsePointer(fragment)) target = isObject(target) || Array.isArray(target) ? (target as Record<string, unknown>)[part] : undefined
    visit(target, fragment)
  }
  return found
}

/** The keywords naming another part of a schema to apply. */
const REFERENCES = ['$ref', '$dynamicRef'] as const

/**
 * `$id` and `$anchor` anywhere, and a reference that is not a fragment of this schema (`#/$defs/code`,
 * `#anchor`): an author's schema stands alone, so a reference resolved against a base URI (which
 * ajv normalises: `./root.json`, a host in capitals) could name a part no check has seen.
 */
function referenceFaults(node: Readonly<Record<string, unknown>>, pointer: string): SchemaFault[] {
  const faults: SchemaFault[] = []
  if ('$id' in node) {
    faults.push({ pointer: `${pointer}/$id`, atKey: true, message: '`$id` is not used in a process\'s schemas: each stands alone.', hint: 'Remove it; name a shared part under `$defs` and refer to it with `$ref: \'#/$defs/NAME\'`.' })
  }
  // Parts are referred to by their place: ajv resolves a dynamic reference inside a schema that
  // stands alone wrongly (a value refused, or no end to its recursion).
  for (const keyword of ['$anchor', '$dynamicAnchor', '$dynamicRef']) {
    if (keyword in node) {
      faults.push({ pointer: `${pointer}/${keyword}`, atKey: true, message: `\`${keyword}\` is not used in a process's schemas: a part is referred to by its place.`, hint: 'Remove it; put the part under `$defs` and refer to it with `$ref: \'#/$defs/NAME\'`.' })
    }
  }
  for (const keyword of REFERENCES) {
    const ref = node[keyword]
    if (typeof ref === 'string' && !ref.startsWith('#')) {
      faults.push({ pointer: `${pointer}/${keyword}`, atKey: false, message: `"${ref}" refers outside this schema.`, hint: 'Refer to a part of the same schema, e.g. `$ref: \'#/$defs/NAME\'`.' })
    }
  }
  return faults
}

/** A URI fragment with its percent-escapes decoded, or as written when they are not valid. */
function safeDecode(fragment: string): string {
  try {
    return decodeURIComponent(fragment)
  } catch {
    return fragment
  }
}

/** Most items an array checked for `uniqueItems` may have: the check compares every pair. */
const MAX_UNIQUE_ITEMS = 1000

/** Why `source` cannot serve as a pattern: not a regular expression, or one whose time nothing bounds. */
export function patternFault(source: string, pointer: string, atKey: boolean): SchemaFault | undefined {
  // `/^[A-Z]{3}$/i`: slashes around anchors, or flags after them, and no slash between them that a
  // literal would escape (`/docs/` alone may mean the text `/docs/`, `/api/v[0-9]+/users` a path).
  const literal = /^\/(.+)\/([dgimsuyv]*)$/s.exec(source)
  if (literal && !/(^|[^\\])\//.test(literal[1] ?? '') && (literal[2] !== '' || /^\^|\$$/.test(literal[1] ?? ''))) {
    return { pointer, atKey, message: `"${source}" is written as a JavaScript literal: a pattern is the expression alone, so these slashes${literal[2] ? ' and flags' : ''} would have to be in the text.`,
      hint: `Write ${JSON.stringify(literal[1])}${literal[2]?.includes('i') ? '; for letters of either case, list both, e.g. [A-Za-z]' : ''}.` }
  }
  const problem = regExpProblem(source)
  if (problem) return { pointer, atKey, message: `"${source}" is not a valid regular expression: ${problem}.`, hint: PATTERN_HINT }
  const escapes = propertyEscapes(source)
  if (escapes > MAX_PROPERTY_ESCAPES) return { pointer, atKey, message: `The pattern holds ${escapes} Unicode property escapes (\\p{...}, \\P{...}), more than the ${MAX_PROPERTY_ESCAPES} a definition may: each becomes a class of thousands of characters before the pattern can run.`, hint: PROPERTY_ESCAPES_HINT }
  if (repeatsRepetition(source)) {
    return { pointer, atKey, message: `"${source}" repeats a group that itself repeats or alternates: on an input that almost matches it can take exponential time, stalling the server.`,
      hint: 'Write it without a repeated group around a repetition or an alternation, e.g. [ab]+ for (a|b)+ and a+ for (a+)+.' }
  }
  const count = largestCount(source)
  if (count > MAX_REPEAT_COUNT) {
    return { pointer, atKey, message: `"${source}" counts a repeat to ${count.toLocaleString('en')}, more than the ${MAX_REPEAT_COUNT.toLocaleString('en')} a pattern may: searching a long text then takes time in proportion to both, stalling the server.`, hint: COUNT_HINT }
  }
  if (needsBacktracking(source)) {
    return { pointer, atKey, message: `"${source}" uses a backreference or a lookaround, which only a backtracking engine can run: on some inputs one match can take minutes, stalling the server.`, hint: BACKTRACKING_HINT }
  }
  const risk = patternRunsInLinearTime(source) ? undefined : offLinearRisk(source, '')
  return risk === undefined ? undefined : { pointer, atKey, message: `"${source}" ${risk}, stalling the server.`, hint: LINEAR_HINT }
}

/** How to do with fewer property escapes. */
export const PROPERTY_ESCAPES_HINT = 'Repeat a class with a quantifier rather than writing it out: \\p{L}{2,30} for thirty \\p{L}, [\\p{L}\\p{N}]+ for letters and digits.'

const PATTERN_HINT = 'Patterns are JavaScript regular expressions (with the u flag): close every ( [ {, and write \\ before ( ) [ ] { } . * + ? | \\ to match the character itself.'

/** `required` names of an object schema closed to other properties that it does not declare. */
function undeclaredRequired(node: Readonly<Record<string, unknown>>, pointer: string): SchemaFault[] {
  const required = node['required']
  if (!Array.isArray(required) || node['additionalProperties'] !== false || 'patternProperties' in node) return []
  const properties = node['properties']
  const declared = isObject(properties) ? Object.keys(properties) : []
  const faults: SchemaFault[] = []
  required.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || declared.includes(name)) return
    faults.push({
      pointer: `${pointer}/required/${i}`, atKey: false,
      message: `"${name}" is required but not declared under \`properties\`, and this object accepts no other property: no input could ever be accepted.`,
      hint: `${declared.length > 0 ? suggestion(name, declared) : ''}Declare it under \`properties\` of this object (properties listed only inside allOf, anyOf or oneOf do not count), or remove it from \`required\`.`,
    })
  })
  return faults
}

/** "Did you mean" with a trailing space, or nothing when no known name is close. */
function suggestion(name: string, known: readonly string[]): string {
  const text = suggest(name, known, 'names')
  return text.startsWith('Did you mean') ? `${text} ` : ''
}

/** Why `source` is not a regular expression as ajv compiles it (Unicode mode), or undefined. */
function regExpProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'u')
    return undefined
  } catch (error) {
    const message = (error as Error).message
    // V8 says "Invalid regular expression: /SOURCE/u: REASON"; the source is quoted already.
    return message.slice(message.lastIndexOf(': ') + 2) || message
  }
}
