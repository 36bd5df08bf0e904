import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject } from 'ajv'
import processSchema from '../../schemas/process.schema.json' with { type: 'json' }
import type { DefinitionError } from '../errors.js'
import type { Source } from './source.js'
import { escapeSegment } from './pointer.js'

const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, logger: false })
const validateProcess = ajv.compile(processSchema)

/**
 * Checks a parsed definition against `schemas/process.schema.json`, reporting each violation at
 * the YAML node it concerns (an unknown property at its key, a missing one at its parent).
 */
export function checkSchema(source: Source): DefinitionError[] {
  if (validateProcess(source.value)) return []
  const errors = collapseAlternatives(validateProcess.errors ?? [])
  const seen = new Set<string>()
  const problems: DefinitionError[] = []
  for (const e of errors) {
    const problem = describe(source, e)
    const key = `${problem.location.pointer} ${problem.message}`
    if (seen.has(key)) continue
    seen.add(key)
    problems.push(problem)
  }
  return problems
}

function describe(source: Source, e: ErrorObject): DefinitionError {
  const params = e.params as Record<string, unknown>
  const hint = descriptionOf(e.parentSchema)
  const where = e.instancePath === '' ? 'The process' : `"${e.instancePath}"`
  // ajv reports a bad property *name* at the object, with the name in `propertyName`.
  if (e.propertyName !== undefined) {
    const pointer = `${e.instancePath}/${escapeSegment(e.propertyName)}`
    return source.errorAtKey('definition.schema', pointer, `Name "${e.propertyName}" ${e.message ?? 'is invalid'}.`, hint)
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params['additionalProperty'])
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {})
      return source.errorAtKey('definition.schema', `${e.instancePath}/${escapeSegment(name)}`,
        `Unknown property "${name}" in ${where}.`, allowed.length > 0 ? `Allowed here: ${allowed.join(', ')}.` : undefined)
    }
    case 'required': {
      const missing = String(params['missingProperty'])
      const property = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties?.[missing]
      return source.error('definition.schema', e.instancePath,
        `${where} is missing the required property "${missing}".`, descriptionOf(property) ?? hint)
    }
    case 'enum':
      return source.error('definition.schema', e.instancePath,
        `${where} must be one of: ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`, hint)
    case 'not':
      return source.error('definition.schema', e.instancePath, `${where} may not be ${JSON.stringify(e.data)}.`, hint)
    case 'anyOf':
      return source.error('definition.schema', e.instancePath, `${where} has none of the accepted forms.`, hint)
    default:
      return source.error('definition.schema', e.instancePath, `${where} ${e.message ?? 'is invalid'}.`, hint)
  }
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
