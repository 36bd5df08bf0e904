import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv'
import scenarioSchema from '../../schemas/scenario.schema.json' with { type: 'json' }
import type { DefinitionError } from '../errors.js'
import { ScenarioError } from '../errors.js'
import { MAX_PROBLEMS } from '../definition/limits.js'
import { listInstant } from '../list-filters.js'
import { escapeSegment } from '../definition/pointer.js'
import { readSource } from '../definition/source.js'
import type { Source } from '../definition/source.js'
import { closestName } from '../definition/suggest.js'
import type { ScenarioFile } from './scenario.js'

let validator: ValidateFunction<ScenarioFile> | undefined
/** The scenario format's validator, compiled on first use. */
function validateScenarios(): ValidateFunction<ScenarioFile> {
  if (validator) return validator
  // The schema is ours and checked against the meta-schema by test/schemas/: not again at every start.
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true, logger: false, validateSchema: false })
  // An instant is what the scenarios' clock can take: RFC 3339 with an offset, at most nanoseconds
  // (ajv-formats' `date-time` takes any number of fraction digits, which Temporal refuses).
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => listInstant(text) !== undefined })
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' })
  validator = ajv.compile<ScenarioFile>(scenarioSchema)
  return validator
}

const MOVES = ['act', 'wait', 'until', 'terminate'] as const

/** A scenario file read: its source (for locations), and its scenarios when it has no problem. */
export type ReadScenarios =
  | { readonly ok: true; readonly source: Source; readonly file: ScenarioFile }
  | { readonly ok: false; readonly source: Source; readonly problems: ReadonlyArray<DefinitionError | ScenarioError> }

/**
 * Reads a scenario file: its YAML (every problem located, as for a process definition), then its
 * shape against `schemas/scenario.schema.json`, each violation at the node it concerns (an
 * unknown property at its key, with "Did you mean" when a known one is close). Never throws.
 */
export function readScenarios(text: string, file: string): ReadScenarios {
  const source = readSource(text, file)
  if (source.problems.length > 0) return { ok: false, source, problems: source.problems }
  const validate = validateScenarios()
  if (validate(source.value)) return { ok: true, source, file: source.value }
  const problems = describeAll(source, validate.errors ?? [])
  return { ok: false, source, problems }
}

function describeAll(source: Source, errors: readonly ErrorObject[]): ScenarioError[] {
  // A move with none or several of act, wait, until, terminate: that is its one problem.
  const movesInError = new Set(errors.filter((e) => e.keyword === 'oneOf' && isMove(e.instancePath)).map((e) => e.instancePath))
  const problems: ScenarioError[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    if (problems.length >= MAX_PROBLEMS) break
    if (e.keyword === 'if') continue
    if (movesInError.has(e.instancePath) && e.keyword !== 'oneOf') continue
    const problem = describe(source, e)
    const key = `${problem.location.pointer} ${problem.message}`
    if (seen.has(key)) continue
    seen.add(key)
    problems.push(problem)
  }
  return problems
}

function isMove(pointer: string): boolean {
  return /^\/scenarios\/\d+\/then\/\d+$/.test(pointer)
}

function describe(source: Source, e: ErrorObject): ScenarioError {
  const params = e.params as Record<string, unknown>
  const at = (pointer: string, message: string): ScenarioError => new ScenarioError('scenario.invalid', message, source.locate(pointer))
  // An unknown property is shown at its key (the source locates keys for definitions' problems).
  const atKey = (pointer: string, message: string): ScenarioError => new ScenarioError('scenario.invalid', message, source.errorAtKey('definition.schema', pointer, message).location)
  const where = e.instancePath === '' ? 'the file' : `"${e.instancePath}"`
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params['additionalProperty'])
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {})
      const meant = closestName(name, allowed)
      return atKey(`${e.instancePath}/${escapeSegment(name)}`,
        `Unknown property "${name}" in ${where}. ${meant !== undefined ? `Did you mean "${meant}"?` : `Allowed here: ${allowed.join(', ')}.`}`)
    }
    case 'required':
      return at(e.instancePath, `${where === 'the file' ? 'The file' : where} needs the property "${String(params['missingProperty'])}".`)
    case 'oneOf': {
      if (isMove(e.instancePath)) {
        const value = valueAt(source.value, e.instancePath)
        const keys = typeof value === 'object' && value !== null ? Object.keys(value) : []
        const present = MOVES.filter((m) => keys.includes(m))
        const misspelt = keys.find((key) => closestName(key, MOVES) !== undefined)
        if (present.length === 0 && misspelt !== undefined) {
          return atKey(`${e.instancePath}/${escapeSegment(misspelt)}`, `Unknown property "${misspelt}" in a move. Did you mean "${String(closestName(misspelt, MOVES))}"?`)
        }
        return at(e.instancePath, present.length === 0
          ? `This move is none of act, wait, until or terminate: give it exactly one of them.`
          : `This move is ${present.join(' and ')} at once: give it exactly one of act, wait, until or terminate (a move of its own for each).`)
      }
      return at(e.instancePath, `${where} ${descriptionOf(e.parentSchema) ?? 'does not have an accepted form'}.`)
    }
    case 'enum':
      return at(e.instancePath, `${where} must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`)
    case 'pattern': {
      const accepted = (e.parentSchema as { patternErrorMessage?: string } | undefined)?.patternErrorMessage
      return at(e.instancePath, `${where} ${accepted ?? e.message ?? 'is not accepted'}.`)
    }
    default:
      return at(e.instancePath, `${where} ${e.message ?? 'is not accepted'}.`)
  }
}

function descriptionOf(schema: unknown): string | undefined {
  const description = (schema as { description?: unknown } | undefined)?.description
  return typeof description === 'string' ? `must be as follows: ${description.replace(/\.$/, '')}` : undefined
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root
  for (const segment of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string, unknown>)[segment.replaceAll('~1', '/').replaceAll('~0', '~')]
  }
  return node
}
