import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject } from 'ajv'
import processSchema from '../../schemas/process.schema.json' with { type: 'json' }
import type { DefinitionError } from '../errors.js'
import type { Source } from './source.js'
import { escapeSegment } from './pointer.js'

const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, logger: false })
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
    case 'required':
      return source.error('definition.schema', e.instancePath,
        `${where} is missing the required property "${String(params['missingProperty'])}".`, hint)
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
 * ajv reports every failing branch of an `anyOf`. When exactly one branch accepts the value's
 * type, only that branch's errors are meant; otherwise one "none of the forms" error is clearer.
 */
function collapseAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  let result = [...errors]
  for (const alt of errors.filter((e) => e.keyword === 'anyOf')) {
    const prefix = `${alt.schemaPath}/`
    const inside = result.filter((e) => e.schemaPath.startsWith(prefix))
    const branches = new Map<string, ErrorObject[]>()
    for (const e of inside) {
      const branch = e.schemaPath.slice(prefix.length).split('/')[0] as string
      branches.set(branch, [...(branches.get(branch) ?? []), e])
    }
    const typeMatching = [...branches.values()].filter((list) =>
      !list.some((e) => e.keyword === 'type' && e.instancePath === alt.instancePath))
    const keep = typeMatching.length === 1 ? new Set(typeMatching[0]) : new Set<ErrorObject>([alt])
    result = result.filter((e) => (e !== alt && !inside.includes(e)) || keep.has(e))
  }
  return result
}
