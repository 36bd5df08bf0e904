import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, SchemaValidateFunction, ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { FieldProblem } from '../errors.js'
import type { JsonSchema } from './definition.js'
import { patternRegExp, UnsafePatternError } from './pattern-regexp.js'
import { escapeSegment, parsePointer } from './pointer.js'
import { COMPOSING, findSchemaFaults, patternFault, schemaNodes } from './schema-faults.js'
import type { SchemaFault } from './schema-faults.js'
import { closestName } from './suggest.js'
import { CONTROL, isBlank } from '../runtime/free-text.js'
import { countWords } from './word-count.js'

// ajv-formats is CommonJS; under NodeNext its callable is the `default` export.
const addFormats = addFormatsModule.default

/**
 * The ajv instance that compiles the JSON Schemas authors write (action inputs, order context).
 * Strict about schema keywords, so a misspelt `minLenght` is an error rather than a silent no-op.
 */
function createAjv(allErrors: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors,
    // Each error carries its schema: a pattern's own words (`patternErrorMessage`) are read there.
    verbose: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    logger: false,
    // A property is what a value holds itself: an input named `constructor` or `toString` left
    // out is not the function every object inherits under that name, and `__proto__` is required
    // only when given.
    ownProperties: true,
    code: { regExp: patternRegExp },
  })
  addFormats(ajv)
  // Free text a person must write: something visible, and nothing a terminal or a log would act on.
  ajv.addFormat('text', { type: 'string', validate: (text: string) => !isBlank(text) && !CONTROL.test(text) })
  addWordLimits(ajv)
  // What a pattern accepts, in words, said instead of the regular expression when a value breaks it.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' })
  return ajv
}

/**
 * `maxWords` and `minWords`: limits on the number of words of a string (see {@link countWords}),
 * for rules such as "an introduction of at most 300 words". Part of the process language, so
 * ajv's strict mode knows them and a misspelling is still caught.
 */
function addWordLimits(ajv: Ajv2020): void {
  for (const [keyword, fits, bound] of [
    ['maxWords', (words: number, limit: number) => words <= limit, 'more'],
    ['minWords', (words: number, limit: number) => words >= limit, 'fewer'],
  ] as const) {
    ajv.addKeyword({
      keyword,
      type: 'string',
      schemaType: 'number',
      metaSchema: { type: 'integer', minimum: 0 },
      validate: wordLimit(keyword, fits, bound),
    })
  }
}

/**
 * Schemas one ajv instance compiles before the next is made. ajv keeps every schema it compiled,
 * and a name for each function and pattern in a scope shared by all of them, for as long as the
 * instance lives: one instance for the life of a server that checks definitions for anyone who
 * asks (`POST /v1/processes/validate`) would grow for ever. A validator outlives its instance.
 */
const SCHEMAS_PER_INSTANCE = 2000

/**
 * The most values (each string, number, boolean, null, array and object counts) an input may hold
 * to be checked for every problem at once. A larger one is checked up to its first problem, which
 * is the only one its refusal names: listing every problem of a megabyte of wrong values took
 * seconds and gigabytes.
 */
export const MAX_VALUES_CHECKED_IN_FULL = 10_000

/** The most problems a refusal lists, the first ones found. */
export const MAX_FIELD_PROBLEMS = 100

/** A compiled author's schema: called on a value, it says whether the value is valid, and leaves the reasons in `errors`. */
export type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null | undefined }

interface AuthoredSchemas {
  /** Reports every problem of a value. */
  readonly ajv: Ajv2020
  /** Stops at a value's first problem: made the first time a value too large to check in full comes. */
  quick?: Ajv2020
  readonly validators: Map<string, Validator>
  compiled: number
}

/** The ajv instance, made on first use (a command that compiles no process does not pay for it), with the validators it compiled by schema text. */
let authored: AuthoredSchemas | undefined
/** The ajv instance to compile with: a new one once the last has compiled (or failed to compile) its share of schemas. */
function authoredSchemas(): AuthoredSchemas {
  if (!authored || authored.compiled >= SCHEMAS_PER_INSTANCE) authored = { ajv: createAjv(true), validators: new Map(), compiled: 0 }
  return authored
}

/** Whether `value` holds more than `limit` values, counting them only up to there. */
function holdsMoreThan(value: unknown, limit: number): boolean {
  let count = 0
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const next = pending.pop()
    if (++count > limit) return true
    if (typeof next !== 'object' || next === null) continue
    const children = Array.isArray(next) ? next : Object.values(next)
    // Every value waiting will be counted: a list that passes the limit passes it at once.
    if (count + pending.length + children.length > limit) return true
    for (const child of children) pending.push(child)
  }
  return false
}

/**
 * A schema as it is checked: each `uniqueItems` (which compares every pair of items) is checked
 * only once `maxItems` holds, which ajv does not ensure when it looks for every problem.
 */
function boundedUniqueItems(schema: JsonSchema): JsonSchema {
  const copy = structuredClone(schema)
  for (const { node } of schemaNodes(copy)) {
    if (node['uniqueItems'] !== true || typeof node['maxItems'] !== 'number') continue
    const writable = node as Record<string, unknown>
    delete writable['uniqueItems']
    writable['allOf'] = [...(Array.isArray(node['allOf']) ? node['allOf'] : []), { if: { maxItems: node['maxItems'] }, then: { uniqueItems: true } }]
  }
  return copy
}

/** A validator checking a value in full when it is small enough, else up to its first problem. */
function validatorOf(schema: JsonSchema, full: ValidateFunction, instance: AuthoredSchemas): Validator {
  let quick: ValidateFunction | undefined
  const validate: Validator = (data) => {
    if (!holdsMoreThan(data, MAX_VALUES_CHECKED_IN_FULL)) {
      const valid = full(data)
      validate.errors = full.errors
      return valid
    }
    quick ??= (instance.quick ??= createAjv(false)).compile(schema)
    const valid = quick(data)
    validate.errors = quick.errors
    return valid
  }
  return validate
}

/**
 * Compiles an author's schema; returns the validator (shared by every schema written the same
 * way: read its `errors` right after calling it, before any `await`), or every reason it cannot be used, each
 * where it is in the schema: not valid JSON Schema (one reason per place), a mistake ajv would
 * accept or report without a place ({@link findSchemaFaults}: formats, patterns, `required`), or
 * a keyword ajv does not know (with "Did you mean").
 */
export function compileAuthoredSchema(schema: JsonSchema): Validator | SchemaFault[] {
  const instance = authoredSchemas()
  const { ajv, validators } = instance
  // The same schema twice (actions without inputs, a schema repeated across versions) is compiled once.
  const text = JSON.stringify(schema)
  const known = validators.get(text)
  if (known) return known
  const dialect = dialectFault(schema)
  if (dialect) return [dialect]
  try {
    if (!ajv.validateSchema(schema)) return metaSchemaFaults(schema, ajv.errors ?? [])
  } catch (error) {
    // ajv throws rather than answers for a few schemas it cannot check at all.
    return [{ message: `Not a valid JSON Schema (2020-12): ${error instanceof Error ? error.message : String(error)}`, pointer: '', atKey: false }]
  }
  const faults = findSchemaFaults(schema, Object.keys(ajv.formats))
  if (faults.length > 0) return faults
  // A compilation that fails leaves its names in ajv's scope too: it counts.
  instance.compiled++
  // Most schemas have no `uniqueItems`: they are compiled as written, without a copy.
  const checked = text.includes('"uniqueItems":true') ? boundedUniqueItems(schema) : schema
  try {
    const validate = validatorOf(checked, ajv.compile(checked), instance)
    validators.set(text, validate)
    return validate
  } catch (error) {
    if (error instanceof UnsafePatternError) {
      const place = pathOfPattern(schema, error.source)
      const fault = patternFault(error.source, place?.pointer ?? '', place?.atKey ?? false)
      if (fault) return [fault]
    }
    const message = error instanceof Error ? error.message : String(error)
    const keyword = /unknown keyword: "([^"]+)"/.exec(message)?.[1]
    const pointer = keyword === undefined ? undefined : pathOfKey(schema, keyword)
    if (keyword === undefined || pointer === undefined) return [{ message: `Not a valid JSON Schema (2020-12): ${message}`, pointer: '', atKey: false }]
    const meant = closestName(keyword, KEYWORDS)
    return [{ message: `Not a valid JSON Schema (2020-12): "${keyword}" is not a keyword.`, pointer, atKey: true,
      hint: `${meant === undefined ? '' : `Did you mean "${meant}"? `}See https://json-schema.org/understanding-json-schema for the keywords.` }]
  } finally {
    // ajv's cache holds a schema by the object, which no one asks for again: the text is the key here.
    ajv.removeSchema(checked)
  }
}

/** The dialect the process language reads, the only one a schema may name in `$schema`. */
const DIALECT = 'https://json-schema.org/draft/2020-12/schema'

/**
 * A `$schema` naming another dialect than {@link DIALECT} (draft-07, say, whose rules differ) or
 * not a string: ajv would throw on it rather than report it.
 */
function dialectFault(schema: JsonSchema): SchemaFault | undefined {
  if (typeof schema !== 'object' || schema === null || !('$schema' in schema)) return undefined
  const named = (schema as Record<string, unknown>)['$schema']
  if (named === DIALECT || named === `${DIALECT}#`) return undefined
  return {
    message: `Not a valid JSON Schema (2020-12): $schema must be ${DIALECT} or be left out, not ${JSON.stringify(named)?.slice(0, 100) ?? String(named)}.`,
    pointer: '/$schema', atKey: false,
    hint: 'Schemas in a process definition are JSON Schema 2020-12; remove `$schema`, or write one of that dialect.',
  }
}

/** One fault per place the meta-schema rejects (its first reason there), with "Did you mean" for a misspelt value. */
function metaSchemaFaults(schema: JsonSchema, errors: readonly ErrorObject[]): SchemaFault[] {
  const seen = new Set<string>()
  const faults: SchemaFault[] = []
  for (const e of errors) {
    if (seen.has(e.instancePath) || e.keyword === 'anyOf') continue
    seen.add(e.instancePath)
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues
    const value = valueAt(schema, e.instancePath)
    if (value === null && allowed?.includes('null')) {
      // `type: [string, null]`: YAML reads the unquoted word as nothing, not as the type's name.
      faults.push({ pointer: e.instancePath, atKey: false, message: `Not a valid JSON Schema (2020-12): ${e.instancePath} is null, where the name of a type is expected.`,
        hint: 'Write "null" in quotes: YAML reads an unquoted null as no value at all.' })
      continue
    }
    const meant = allowed && typeof value === 'string' ? closestName(value, allowed.map(String)) : undefined
    faults.push({
      pointer: e.instancePath, atKey: false,
      message: `Not a valid JSON Schema (2020-12): ${e.instancePath || 'the schema'} ${e.message ?? 'is invalid'}${allowed ? `: ${allowed.join(', ')}` : ''}`,
      ...(meant === undefined ? {} : { hint: `Did you mean "${meant}"?` }),
    })
  }
  // A place inside another one at fault says more precisely what is wrong: the outer one is left out.
  return faults.filter((fault) => !faults.some((other) => other !== fault && other.pointer.startsWith(`${fault.pointer}/`)))
}

function valueAt(schema: JsonSchema, pointer: string): unknown {
  let node: unknown = schema
  for (const segment of parsePointer(pointer)) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined
  return node
}

/** The keywords of JSON Schema 2020-12 and of the process language, for "Did you mean". */
const KEYWORDS = [
  '$schema', '$id', '$ref', '$defs', '$comment',
  'type', 'enum', 'const', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly',
  'properties', 'patternProperties', 'additionalProperties', 'unevaluatedProperties', 'required', 'dependentRequired',
  'dependentSchemas', 'propertyNames', 'minProperties', 'maxProperties',
  'items', 'prefixItems', 'unevaluatedItems', 'contains', 'minContains', 'maxContains', 'minItems', 'maxItems', 'uniqueItems',
  'minLength', 'maxLength', 'pattern', 'format', 'contentEncoding', 'contentMediaType', 'contentSchema',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'minWords', 'maxWords', 'patternErrorMessage',
]

/** Where `source` is first written as a `pattern` (its value) or a `patternProperties` key (the key). */
function pathOfPattern(schema: unknown, source: string): { pointer: string; atKey: boolean } | undefined {
  const pointer = firstPath(schema, (name, child, parent) => (name === 'pattern' && child === source) || (parent === 'patternProperties' && name === source))
  return pointer === undefined ? undefined : { pointer, atKey: !pointer.endsWith('/pattern') }
}

/** JSON Pointer of the first property named `key` anywhere in `value` (depth first). */
function pathOfKey(value: unknown, key: string): string | undefined {
  return firstPath(value, (name) => name === key)
}

/** JSON Pointer of the first property of `value` (depth first) for which `found` holds, given its name, value and its parent's name. */
function firstPath(value: unknown, found: (name: string, child: unknown, parent: string | undefined) => boolean, pointer = '', parent?: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  for (const [name, child] of Object.entries(value)) {
    const here = `${pointer}/${escapeSegment(name)}`
    if (found(name, child, parent)) return here
    const deeper = firstPath(child, found, here, name)
    if (deeper !== undefined) return deeper
  }
  return undefined
}

function wordLimit(keyword: string, fits: (words: number, limit: number) => boolean, bound: string): SchemaValidateFunction {
  const check: SchemaValidateFunction = (limit: number, data: string) => {
    const words = countWords(data)
    if (fits(words, limit)) return true
    check.errors = [{ keyword, message: `must not have ${bound} than ${limit} words (it has ${words})`, params: { limit, words } }]
    return false
  }
  return check
}

/**
 * Closes object schemas: where an object schema lists `properties` but says nothing about other
 * properties, unknown fields are rejected (`additionalProperties: false`). One that also takes
 * properties from subschemas (`anyOf`, `$ref`, `if`/`then`...), or is a `$ref` alone, is closed
 * with `unevaluatedProperties: false` instead, which counts the properties those subschemas
 * declare: `additionalProperties` counts only its own, and would refuse every one declared there.
 * Subschemas inside `allOf`/`anyOf`/`oneOf`/`not`, and the parts under `$defs` themselves, are
 * left open, because closing them would break composition (`closeItself` false); what they
 * nest under `properties` or `items` is closed.
 */
export function closeObjects(schema: JsonSchema, closeItself = true): JsonSchema {
  const out: Record<string, unknown> = { ...schema }
  const opensItself = 'additionalProperties' in schema || 'unevaluatedProperties' in schema || 'patternProperties' in schema
  const composes = COMPOSING.some((key) => key in schema)
  // A `$ref` alone (`address: { $ref: '#/$defs/address' }`) is closed where it is used, as what it names may be joined with more.
  const isObject = schema['type'] === 'object' || 'properties' in schema || '$ref' in schema
  if (closeItself && isObject && !opensItself) out[composes ? 'unevaluatedProperties' : 'additionalProperties'] = false
  const properties = schema['properties']
  if (isSchema(properties)) {
    out['properties'] = Object.fromEntries(Object.entries(properties).map(([name, child]) => [name, isSchema(child) ? closeObjects(child) : child]))
  }
  // What `$defs` holds is closed where a `$ref` uses it, not in itself: joined with other parts
  // (`allOf` of two `$ref`s, a `$ref` beside `properties`), each part would refuse the others' properties.
  const defs = schema['$defs']
  if (isSchema(defs)) {
    out['$defs'] = Object.fromEntries(Object.entries(defs).map(([name, child]) => [name, isSchema(child) ? closeObjects(child, false) : child]))
  }
  for (const key of ['items', 'additionalProperties'] as const) {
    const child = schema[key]
    if (isSchema(child)) out[key] = closeObjects(child)
  }
  if (Array.isArray(schema['prefixItems'])) {
    out['prefixItems'] = schema['prefixItems'].map((child: unknown) => isSchema(child) ? closeObjects(child) : child)
  }
  return out
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Turns ajv's errors into field problems whose pointers name the offending property. */
export function fieldProblems(errors: readonly ErrorObject[] | null | undefined): FieldProblem[] {
  // An `if` that holds and a `then` that fails report the `then`'s own errors, each at its
  // field, and one more at the object saying only that `then` failed: left out.
  return (errors ?? []).filter((e) => e.keyword !== 'if').slice(0, MAX_FIELD_PROBLEMS).map((e) => {
    const params = e.params as Record<string, unknown>
    if (e.keyword === 'required') {
      return { pointer: `${e.instancePath}/${escapeSegment(String(params['missingProperty']))}`, rule: 'required', message: 'is required' }
    }
    if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
      const name = String(params[e.keyword === 'additionalProperties' ? 'additionalProperty' : 'unevaluatedProperty'])
      return { pointer: `${e.instancePath}/${escapeSegment(name)}`, rule: 'additionalProperties', message: 'is not an accepted field' }
    }
    if (e.keyword === 'false schema') {
      // A property a schema forbids (`tiers: false` where fixed pricing has no tiers).
      return { pointer: e.instancePath, rule: 'additionalProperties', message: 'is not an accepted field with the other values given' }
    }
    const stated = (e.parentSchema as { patternErrorMessage?: unknown } | undefined)?.patternErrorMessage
    if (e.keyword === 'pattern' && typeof stated === 'string') return { pointer: e.instancePath, rule: 'pattern', message: stated }
    const format = e.keyword === 'format' ? FORMAT_RULES[String(params['format'])] : undefined
    if (format !== undefined) return { pointer: e.instancePath, rule: 'format', message: format }
    if (e.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
      return { pointer: e.instancePath, rule: 'enum', message: `must be one of ${listed(params['allowedValues'])}` }
    }
    return { pointer: e.instancePath, rule: e.keyword, message: boundMessage(e.keyword, params) ?? e.message ?? 'is invalid' }
  })
}

/** A count of things in words: `1 item`, `20 items`. */
const counted = (n: unknown, thing: string): string => `${String(n)} ${thing}${n === 1 ? '' : 's'}`

/** The words of a broken bound, saying what is accepted (ajv's say `must NOT have more than 20 items`, `must be >= 1`). */
function boundMessage(keyword: string, params: Record<string, unknown>): string | undefined {
  const limit = params['limit']
  switch (keyword) {
    case 'maxItems': return `must have at most ${counted(limit, 'item')}`
    case 'minItems': return `must have at least ${counted(limit, 'item')}`
    case 'maxLength': return `must be at most ${counted(limit, 'character')} long`
    case 'minLength': return `must be at least ${counted(limit, 'character')} long`
    case 'maxProperties': return `must have at most ${counted(limit, 'field')}`
    case 'minProperties': return `must have at least ${counted(limit, 'field')}`
    case 'maximum': return `must be at most ${String(limit)}`
    case 'minimum': return `must be at least ${String(limit)}`
    case 'exclusiveMaximum': return `must be less than ${String(limit)}`
    case 'exclusiveMinimum': return `must be more than ${String(limit)}`
    case 'uniqueItems': return `must not hold the same item twice (items ${String(params['j'])} and ${String(params['i'])} are the same)`
    default: return undefined
  }
}

/** The words of a refusal of `format: text`. */
export const TEXT_RULE = 'must hold something other than spaces, and no control characters (line breaks and tabs are kept)'

/** What each format a schema may name accepts, in words (ajv's say `must match format "email"`). */
export const FORMAT_RULES: Readonly<Record<string, string>> = {
  'date-time': 'must be an RFC 3339 instant with a time zone, such as 2026-01-15T09:00:00Z or 2026-01-15T17:00:00+08:00',
  date: 'must be a date such as 2026-01-15',
  time: 'must be a time of day with a time zone, such as 09:00:00Z or 17:00:00+08:00',
  duration: 'must be an ISO 8601 duration such as P14D or PT2H',
  email: 'must be an email address such as name@example.com',
  hostname: 'must be a host name such as example.com',
  ipv4: 'must be an IPv4 address such as 192.0.2.1',
  ipv6: 'must be an IPv6 address such as 2001:db8::1',
  uri: 'must be an absolute URI such as https://example.com/page',
  'uri-reference': 'must be a URI or a reference relative to one, such as /page',
  uuid: 'must be a UUID such as 123e4567-e89b-12d3-a456-426614174000',
  regex: 'must be a regular expression',
  text: TEXT_RULE,
}

/** How many accepted values a refusal lists before saying how many more there are. */
const VALUES_LISTED = 20

/** Accepted values in words: each as JSON (text in quotes), at most {@link VALUES_LISTED} of them. */
function listed(values: readonly unknown[]): string {
  const shown = values.slice(0, VALUES_LISTED).map((value) => JSON.stringify(value) ?? String(value)).join(', ')
  return values.length > VALUES_LISTED ? `${shown} (and ${values.length - VALUES_LISTED} more)` : shown
}
