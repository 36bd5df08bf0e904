import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import type { Context } from 'hono'
import apiSchema from '../schemas/api.schema.json' with { type: 'json' }
import type { FieldProblem } from '../engine/index.js'
import { EngineError, fieldProblems, listInstant } from '../engine/index.js'
import type { AppEnv } from './env.js'
import { NUL_RULE } from './request-limits.js'
import type { QueryTypes } from './request-types.js'

// Query strings are checked as bodies are (server/body.ts), against the `*Query` shapes of
// `schemas/api.schema.json`, by their own ajv: query values are text, so it coerces `integer`
// ones to numbers, and its `date-time` is exactly the instants the engine reads (`listInstant`).

/** Query string shapes of `schemas/api.schema.json`. */
export type QueryShape = keyof QueryTypes

/** The keyword a query parameter's schema states its rejection with, instead of ajv's wording. */
export const MESSAGE_KEYWORD = 'x-message'

// The schema is ours and checked against the meta-schema by test/schemas/: not again at every start.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, logger: false, coerceTypes: true, validateSchema: false })
addFormatsModule.default(ajv)
ajv.addFormat('date-time', { type: 'string', validate: (text: string) => listInstant(text) !== undefined })
ajv.addKeyword({ keyword: MESSAGE_KEYWORD, schemaType: 'string' })
ajv.addSchema(apiSchema)

type PropertySchema = Readonly<Record<string, unknown>>
interface Compiled { readonly validate: ValidateFunction; readonly properties: Readonly<Record<string, PropertySchema>> }

// Compiled when the server loads, so a schema mistake stops the start rather than a request.
// Every shape of QueryTypes, by construction: a shape added there and not here does not compile.
const SHAPES = Object.keys({
  InstanceListQuery: true, ValidityQuery: true, ProcessVersionQuery: true, ProcessRegisterQuery: true, ProcessCheckQuery: true,
  AttachmentUploadQuery: true, EventListQuery: true, WebhookAttemptQuery: true, ProposalListQuery: true, NoQuery: true,
} satisfies Record<QueryShape, true>) as QueryShape[]
const compiled = new Map<QueryShape, Compiled>(SHAPES.map((shape) => [shape, {
  validate: ajv.getSchema(`${apiSchema.$id}#/$defs/${shape}`) as ValidateFunction,
  properties: apiSchema.$defs[shape].properties as Readonly<Record<string, PropertySchema>>,
}]))

/**
 * The request's query string checked against the shape `shape` of `schemas/api.schema.json`:
 * integers as numbers (written in decimal digits: not `1e2`, `0x10` or ` 10`), every other value
 * as its text; a name given twice is refused, not read as its first. With `emptyIsAbsent`, a name
 * given no value (`?cursor=`) reads as absent.
 * @throws {EngineError} `request.invalid` (422) with every failing parameter at `/query/<name>`.
 */
export function readQuery<S extends QueryShape>(c: Context<AppEnv>, shape: S, { emptyIsAbsent = false } = {}): QueryTypes[S] {
  const query: Record<string, unknown> = Object.fromEntries(Object.entries(c.req.query()).filter(([, value]) => !(emptyIsAbsent && value === '')))
  const held = Object.entries(query).filter(([, value]) => typeof value === 'string' && value.includes('\u0000'))
  if (held.length > 0) throw queryProblem(held.map(([name]) => ({ pointer: `/query/${name}`, rule: 'pattern', message: NUL_RULE })))
  const repeated = Object.entries(c.req.queries()).filter(([, values]) => values.length > 1)
  if (repeated.length > 0) throw queryProblem(repeated.map(([name]) => ({ pointer: `/query/${name}`, rule: 'maxItems', message: 'must be given once' })))
  const { validate, properties } = compiled.get(shape) as Compiled
  // ajv would read any text JavaScript reads as a number: only digits are an integer here.
  const loose = Object.entries(query).filter(([name, value]) => properties[name]?.['type'] === 'integer' && !/^-?[0-9]+$/.test(String(value)))
  if (loose.length > 0) throw queryProblem(loose.map(([name]) => ({ pointer: `/query/${name}`, rule: 'type', message: messageOf({ pointer: `/${name}`, rule: 'type', message: 'must be an integer, in decimal digits' }, properties[name], []) })))
  if (!validate(query)) throw queryProblem(queryProblems(validate.errors, properties))
  return query as QueryTypes[S]
}

/**
 * What `list` resolves to, for a list whose filters came from the query string: the engine
 * refuses a filter at `/NAME` (not all its callers speak HTTP), which over HTTP is `/query/NAME`.
 */
export async function fromQuery<T>(list: Promise<T>): Promise<T> {
  try {
    return await list
  } catch (error) {
    if (!(error instanceof EngineError) || error.code !== 'request.invalid' || error.fields.length === 0 || error.fields.some((f) => f.pointer.startsWith('/query/'))) throw error
    throw new EngineError('request.invalid', error.message, { fields: error.fields.map((f) => ({ ...f, pointer: `/query${f.pointer}` })), cause: error })
  }
}

/** A `request.invalid` error naming `fields` (pointers under `/query`). */
export function queryProblem(fields: readonly FieldProblem[]): EngineError {
  return new EngineError('request.invalid', `Invalid query: ${fields.map((f) => `${f.pointer} ${f.message}`).join('; ')}.`, { fields: [...fields] })
}

/** One problem per parameter (its first), under `/query`, in the words of its schema. */
function queryProblems(errors: readonly ErrorObject[] | null | undefined, properties: Readonly<Record<string, PropertySchema>>): FieldProblem[] {
  const byName = new Map<string, FieldProblem>()
  const accepted = Object.keys(properties)
  for (const problem of fieldProblems(errors)) {
    const name = problem.pointer.slice(1)
    if (byName.has(name)) continue
    byName.set(name, { pointer: `/query${problem.pointer}`, rule: problem.rule, message: messageOf(problem, properties[name], accepted) })
  }
  return [...byName.values()]
}

function messageOf(problem: FieldProblem, schema: PropertySchema | undefined, accepted: readonly string[]): string {
  if (schema === undefined) return accepted.length === 0 ? 'is not accepted here; this request takes no query parameters' : `is not accepted here; the parameters are ${accepted.join(', ')}`
  const stated = schema[MESSAGE_KEYWORD]
  if (typeof stated === 'string') return stated
  if (problem.rule === 'maxLength') return `must be at most ${String(schema['maxLength'])} characters`
  const values = schema['enum'] ?? enumOf(schema['$ref'])
  if (problem.rule === 'enum' && Array.isArray(values)) return `must be one of ${values.join(', ')}`
  return problem.message
}

/** The `enum` of a local `#/$defs/NAME` reference. */
function enumOf(ref: unknown): unknown {
  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/')) return undefined
  return (apiSchema.$defs as Readonly<Record<string, PropertySchema>>)[ref.slice('#/$defs/'.length)]?.['enum']
}
