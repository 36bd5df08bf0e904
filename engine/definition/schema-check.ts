import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv'
import processSchema from '../../schemas/process.schema.json' with { type: 'json' }
import type { DefinitionError } from '../errors.js'
import type { Source } from './source.js'
import { MAX_PROBLEMS } from './limits.js'
import { escapeSegment, parsePointer } from './pointer.js'
import { closestName } from './suggest.js'
import { typeWords } from './type-words.js'

let validator: ValidateFunction | undefined
/** The language's validator, compiled on first use (a command that checks no definition never pays for it). */
function validateProcess(): ValidateFunction {
  if (validator) return validator
  // The schema is ours and checked against the meta-schema by test/schemas/: not again at every start.
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, logger: false, validateSchema: false })
  // The accepted forms of a `pattern`, in words and with an example; editors (VS Code, the YAML
  // language server) show the same text, so the schema stays the single source of it.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' })
  validator = ajv.compile(processSchema)
  return validator
}

/**
 * Checks a parsed definition against `schemas/process.schema.json`, reporting each violation at
 * the YAML node it concerns (an unknown property at its key, with "Did you mean" when a known
 * one is close; a missing one at its parent). A pattern violation states the accepted forms with
 * an example. A required property is not reported missing when an unknown key of the same
 * mapping is its misspelling: that key is the one problem.
 */
export function checkSchema(source: Source): DefinitionError[] {
  const validate = validateProcess()
  if (validate(source.value)) return []
  const errors = withoutMisspeltRequired(collapseAlternatives(validate.errors ?? []))
  const seen = new Set<string>()
  const problems: DefinitionError[] = []
  for (const e of errors) {
    // Locating a problem searches its mapping's keys: a file of many mistakes lists the first ones.
    if (problems.length >= MAX_PROBLEMS) break
    const problem = describe(source, e)
    // A mistake in a value that aliases or merge keys repeat is located where it is written: once.
    const { pointer, line, column } = problem.location
    const keys = [`${pointer} ${problem.message}`, `${line}:${column} ${e.keyword} ${JSON.stringify(e.params)}`]
    if (keys.some((key) => seen.has(key))) continue
    for (const key of keys) seen.add(key)
    problems.push(problem)
  }
  return problems
}

function describe(source: Source, e: ErrorObject): DefinitionError {
  const params = e.params as Record<string, unknown>
  const hint = descriptionOf(e.parentSchema) ?? describedAt(e.instancePath) ?? REFERENCE_HINT
  const where = e.instancePath === '' ? 'The process' : `"${e.instancePath}"`
  // ajv reports a bad property *name* at the object, with the name in `propertyName`.
  if (e.propertyName !== undefined) {
    const pointer = `${e.instancePath}/${escapeSegment(e.propertyName)}`
    const accepted = e.keyword === 'pattern' ? patternMessageOf(e.parentSchema) : undefined
    // YAML reads a key written `~` or `null`, or left out before its colon, as no name at all.
    const name = e.propertyName === '' ? 'An empty name (a key written `~` or `null`, or none before the colon, which YAML reads as no name)' : `Name "${e.propertyName}"`
    return source.errorAtKey('definition.schema', pointer,
      accepted ? `${name} is not accepted. ${accepted}` : `${name} ${e.message ?? 'is invalid'}.`, hint)
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params['additionalProperty'])
      const allowed = allowedProperties(e)
      const meant = closestName(name, allowed)
      // A name that reads as a known one but holds other characters (a Cyrillic і for an i) says which.
      const foreign = [...name].filter((c) => (c.codePointAt(0) as number) > 0x7f && !meant?.includes(c))
      const lookalike = meant !== undefined && foreign.length > 0
        ? ` "${name}" holds ${foreign.map((c) => `U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`).join(', ')}, which only looks like a letter of it.`
        : ''
      return source.errorAtKey('definition.schema', `${e.instancePath}/${escapeSegment(name)}`,
        `Unknown property "${name}" in ${e.instancePath === '' ? 'the process' : where}.`,
        meant !== undefined ? `Did you mean "${meant}"?${lookalike}` : allowed.length > 0 ? `Allowed here: ${allowed.join(', ')}.` : undefined)
    }
    case 'type':
      if (e.instancePath === '') {
        return source.error('definition.schema', '', `The file holds ${kindOf(e.data)}, not a process: a process is a mapping of keys such as id, version, title, roles and steps.`, EMPTY_PROCESS_HINT)
      }
      return source.error('definition.schema', e.instancePath, `${where} ${boundWords('type', params, e.data)}`, hint)
    case 'pattern': {
      const accepted = patternMessageOf(e.parentSchema)
      // `ISV` for `isv`, `Completed` for `completed`: the name meant, in the letters accepted.
      const pattern = typeof params['pattern'] === 'string' ? params['pattern'] : undefined
      const lower = typeof e.data === 'string' ? e.data.toLowerCase() : undefined
      const meant = pattern !== undefined && lower !== undefined && lower !== e.data && new RegExp(pattern, 'u').test(lower) ? `Did you mean "${lower}"? ` : ''
      return source.error('definition.schema', e.instancePath,
        accepted ? `${where} is ${JSON.stringify(e.data)}. ${accepted}` : `${where} ${e.message ?? 'is invalid'}.`, `${meant}${hint}`)
    }
    case 'required': {
      const missing = String(params['missingProperty'])
      return source.error('definition.schema', e.instancePath,
        `${where} is missing the required property "${missing}".`, `Add \`${missing}\`: ${describedAt(`${e.instancePath}/${escapeSegment(missing)}`) ?? hint}`)
    }
    case 'enum': {
      const allowed = params['allowedValues'] as unknown[]
      const meant = typeof e.data === 'string' ? closestName(e.data, allowed.filter((v): v is string => typeof v === 'string')) : undefined
      return source.error('definition.schema', e.instancePath,
        `${where} must be one of: ${allowed.map((v) => JSON.stringify(v)).join(', ')}.`, meant !== undefined ? `Did you mean "${meant}"?` : hint)
    }
    case 'dependentRequired':
    case 'dependencies': {
      // ajv lists every property the present one needs; only the missing one is news.
      const present = String(params['property'])
      const missing = String(params['missingProperty'])
      const needs = describedAt(`${e.instancePath}/${escapeSegment(missing)}`)
      return source.errorAtKey('definition.schema', `${e.instancePath}/${escapeSegment(present)}`,
        `\`${present}\` needs \`${missing}\` beside it in ${where}.`, `Add \`${missing}\`${needs ? `: ${needs}` : '.'}`)
    }
    case 'uniqueItems': {
      // ajv names the two items `i` and `j`, in either order (by how it compares them): the later one is the one to remove.
      const [earlier, later] = [Number(params['i']), Number(params['j'])].sort((a, b) => a - b) as [number, number]
      const item = Array.isArray(e.data) ? e.data[later] : undefined
      return source.error('definition.schema', `${e.instancePath}/${later}`,
        `${JSON.stringify(item)} is listed twice in ${where}, as item ${earlier + 1} and item ${later + 1}.`, 'List each once.')
    }
    case 'const':
      return source.error('definition.schema', e.instancePath, `${where} must be ${JSON.stringify(params['allowedValue'])}.`, hint)
    case 'not':
      return source.error('definition.schema', e.instancePath, `${where} may not be ${JSON.stringify(e.data)}.`, hint)
    case 'anyOf':
      return source.error('definition.schema', e.instancePath, `${where} is ${valueWords(e.data)}, which has none of the accepted forms.`, hint)
    default: {
      const words = boundWords(e.keyword, params, e.data)
      return source.error('definition.schema', e.instancePath, words ? `${where} ${words}` : `${where} ${e.message ?? 'is invalid'}.`, hint)
    }
  }
}

/** A value as a message names it: its kind, and the value itself when it is short. */
function valueWords(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`
  if (value === null) return 'null'
  if (typeof value === 'object') return `a mapping of ${Object.keys(value).map((key) => `\`${key}\``).join(', ') || 'no keys'}`
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a number too large to hold'
  const text = JSON.stringify(value)
  return `${typeof value === 'string' ? 'the text' : `the ${typeof value}`} ${text.length > 60 ? `${text.slice(0, 60)}..."` : text}`
}

/** A broken count, length or bound, with the value that breaks it (ajv says `must NOT have more than 1 properties`). */
function boundWords(keyword: string, params: Record<string, unknown>, data: unknown): string | undefined {
  const limit = Number(params['limit'])
  const plural = (n: number, noun: string): string => `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`
  switch (keyword) {
    case 'maxProperties': {
      const keys = typeof data === 'object' && data !== null ? Object.keys(data).map((key) => `\`${key}\``) : []
      return limit === 1 ? `holds ${keys.join(' and ')}: give only one of them.` : `holds ${plural(keys.length, 'key')}; at most ${limit} are accepted.`
    }
    case 'minProperties':
      return limit === 1 ? 'is empty: give one of its keys.' : `holds too few keys; at least ${limit} are needed.`
    case 'maxItems':
      return `lists ${plural(Array.isArray(data) ? data.length : 0, 'item')}; at most ${limit} are accepted.`
    case 'minItems':
      return Array.isArray(data) && data.length === 0 ? `is an empty list; give at least ${plural(limit, 'item')}.` : `lists too few items; at least ${limit} are needed.`
    case 'maxLength':
      return `is ${plural(typeof data === 'string' ? [...data].length : 0, 'character')} long; at most ${limit} are accepted.`
    case 'minLength':
      return typeof data === 'string' && data.length === 0 ? 'is empty: write something.' : `is too short; at least ${plural(limit, 'character')} are needed.`
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': {
      const comparison = String(params['comparison'] ?? '')
      const words: Record<string, string> = { '>=': 'at least', '<=': 'at most', '>': 'more than', '<': 'less than' }
      return `is ${valueWords(data).replace(/^the number /, '')}; it must be ${words[comparison] ?? comparison} ${limit}.`
    }
    case 'type': {
      const wanted = String(params['type']).split(',').join(' or ')
      // YAML reads 1.10, true, null and 2026-01-01 as other things than text: quoting keeps them as written.
      const quote = wanted === 'string' && (typeof data === 'number' || typeof data === 'boolean' || data === null) ? ' Put it in quotes to keep it as text.' : ''
      return `is ${valueWords(data)}, not ${wanted.split(' or ').map((type) => typeWords(type, 'one')).join(' or ')}.${quote}`
    }
    default:
      return undefined
  }
}

const EMPTY_PROCESS_HINT = 'See docs/language.md ("Writing a process") for a complete example.'

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'only null'
  if (typeof value === 'string') return `only the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`
  return `only the ${typeof value} ${JSON.stringify(value)}`
}

/** Property names an object schema declares, for "Did you mean" and "Allowed here". */
function allowedProperties(e: ErrorObject): string[] {
  return Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {})
}

/**
 * Drops a "missing required property" (or a `dependentRequired` one) when the same mapping has an
 * unknown key within two edits of it (`titel` for `title`): that key is the author's mistake, and
 * the missing property only follows from it.
 */
function withoutMisspeltRequired(errors: readonly ErrorObject[]): ErrorObject[] {
  // Only a mapping missing a required property can hold its misspelling: the others' unknown keys
  // are not compared with every known name (a text of 20,000 unknown keys spent a fifth of its check there).
  const missingAt = new Set(errors.filter(isMissing).map((e) => e.instancePath))
  const meant = new Set<string>()
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties' || !missingAt.has(e.instancePath)) continue
    const name = closestName(String((e.params as Record<string, unknown>)['additionalProperty']), allowedProperties(e))
    if (name !== undefined) meant.add(`${e.instancePath} ${name}`)
  }
  return errors.filter((e) => !(isMissing(e) && meant.has(`${e.instancePath} ${String((e.params as Record<string, unknown>)['missingProperty'])}`)))
}

const isMissing = (e: ErrorObject): boolean => e.keyword === 'required' || e.keyword === 'dependentRequired'

function patternMessageOf(schema: unknown): string | undefined {
  const text = (schema as { patternErrorMessage?: unknown } | undefined)?.patternErrorMessage
  return typeof text === 'string' ? text : undefined
}

const REFERENCE_HINT = 'schemas/process.schema.json describes every property of the process language.'

/**
 * The schema that applies at an instance path, followed through `properties`, `items`,
 * `additionalProperties` and `$ref` (ajv's own `schemaPath` restarts at each `$ref`).
 */
function schemaAt(instancePath: string): unknown {
  let node: unknown = processSchema
  for (const segment of parsePointer(instancePath)) {
    const schema = resolved(node) as { properties?: Record<string, unknown>; items?: unknown; additionalProperties?: unknown } | undefined
    node = schema?.properties?.[segment] ?? schema?.items ?? (typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined)
  }
  return node
}

/** The description of the schema at an instance path (its own, else its `$ref` target's). */
function describedAt(instancePath: string): string | undefined {
  const schema = schemaAt(instancePath)
  return descriptionOf(schema) ?? descriptionOf(refTarget(schema))
}

/** A schema, or the `$defs` schema it refers to. */
function resolved(schema: unknown): unknown {
  return refTarget(schema) ?? schema
}

function refTarget(schema: unknown): unknown {
  const ref = (schema as { $ref?: unknown } | undefined)?.$ref
  return typeof ref === 'string' && ref.startsWith('#/$defs/') ? (processSchema.$defs as Record<string, unknown>)[ref.slice('#/$defs/'.length)] : undefined
}

function descriptionOf(schema: unknown): string | undefined {
  const text = (schema as { description?: unknown } | undefined)?.description
  return typeof text === 'string' ? text : undefined
}

/**
 * ajv reports every failing branch of an `anyOf` before the `anyOf` error itself (branches that
 * go through `$ref` carry the referenced schema's path, so only order and position tie them to
 * it). When exactly one branch accepts the value's JSON type, that branch's errors are what the
 * author needs; otherwise one "none of the accepted forms" error is clearer than all of them.
 * `propertyNames` wrappers are dropped too: the error naming the bad name is reported instead.
 */
function collapseAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  // `if` only says which branch failed; the branch's own errors say why.
  const drop = new Set<ErrorObject>(errors.filter((e) => e.keyword === 'propertyNames' || e.keyword === 'if'))
  errors.forEach((alt, index) => {
    if (alt.keyword !== 'anyOf') return
    const below = (e: ErrorObject): boolean => e.instancePath === alt.instancePath || e.instancePath.startsWith(`${alt.instancePath}/`)
    let first = index
    while (first > 0 && below(errors[first - 1] as ErrorObject)) first--
    const branchErrors = errors.slice(first, index)
    const branches = Array.isArray(alt.schema) ? alt.schema as unknown[] : []
    const matching = branches.filter((branch) => acceptsType(branch, jsonType(alt.data)))
    if (matching.length === 1) {
      drop.add(alt)
      for (const e of branchErrors) if (e.keyword === 'type' && e.instancePath === alt.instancePath) drop.add(e)
    } else {
      for (const e of branchErrors) drop.add(e)
    }
  })
  return errors.filter((e) => !drop.has(e))
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (value === null) return 'null'
  if (Number.isInteger(value)) return 'integer'
  return typeof value
}

/** Whether a branch (inline, or a `$ref` into this schema's `$defs`) declares a type that admits `type`. */
function acceptsType(branch: unknown, type: string): boolean {
  const ref = (branch as { $ref?: unknown }).$ref
  const resolved = typeof ref === 'string' && ref.startsWith('#/$defs/')
    ? (processSchema.$defs as Record<string, unknown>)[ref.slice('#/$defs/'.length)]
    : branch
  const declared = (resolved as { type?: unknown } | undefined)?.type
  if (declared === undefined) return true
  const types = Array.isArray(declared) ? declared : [declared]
  return types.includes(type) || (type === 'integer' && types.includes('number'))
}
