import apiSchema from '../schemas/api.schema.json' with { type: 'json' }
import type { ErrorCode } from '../engine/index.js'
import type { QueryShape } from './query.js'
import { MESSAGE_KEYWORD } from './query.js'

// The pieces the OpenAPI document is written with (server/openapi.ts), shared by the files
// that describe its operations.

export type Json = Readonly<Record<string, unknown>>
export type Shape = keyof typeof apiSchema.$defs
export type Tag = 'meta' | 'processes' | 'instances' | 'clock' | 'attachments' | 'tokens' | 'console' | 'events' | 'webhooks' | 'proposals'

/** One route of the app as the document describes it. */
export interface Operation {
  readonly method: 'get' | 'put' | 'post' | 'delete' | 'patch'
  /** An OpenAPI path template: `{id}` where Hono has `:id`. */
  readonly path: string
  readonly operationId: string
  readonly tag: Tag
  readonly summary: string
  /** What it does, then who may call it. */
  readonly description: string
  /** Whether a bearer token is required (every /v1 route, and /metrics). */
  readonly bearer: boolean
  readonly parameters?: readonly Json[]
  /** A JSON request body of `schemas/api.schema.json`, or the media types of another body. */
  readonly body?: { readonly shape: Shape; readonly required: boolean } | { readonly content: Json; readonly required: boolean }
  readonly responses: Readonly<Record<string, Json>>
  /** The codes this route itself can answer with; the auth, body and idempotency ones are added. */
  readonly errors: readonly ErrorCode[]
}

export const PROBLEM_JSON = 'application/problem+json'
export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` })
export const id = (what: string): Json => ({ name: 'id', in: 'path', required: true, description: `Id of the ${what}.`, schema: { type: 'string', minLength: 1 } })
/** The query parameters of `shape` of `schemas/api.schema.json` (the one server/query.ts checks), each with its description. */
export const queryOf = (shape: QueryShape): Json[] => Object.entries(apiSchema.$defs[shape].properties).map(([name, property]) => {
  const { description, [MESSAGE_KEYWORD]: _message, ...schema } = property as Readonly<Record<string, unknown>>
  return { name, in: 'query', required: false, description, schema: rewriteRefs(schema, (def) => def) }
})
export const header = (description: string, schema: Json = { type: 'string' }): Json => ({ description, schema })
export const json = (shape: Shape, description: string, headers?: Json): Json =>
  ({ description, ...(headers ? { headers } : {}), content: { 'application/json': { schema: ref(shape) } } })

export const LOCATION = { Location: header('Path of the created resource.') }

/** A deep copy of `value` with every local `#/$defs/NAME` reference pointed at `rename(NAME)`'s component. */
export function rewriteRefs(value: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, rename))
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key,
    key === '$ref' && typeof item === 'string' && item.startsWith('#/$defs/')
      ? `#/components/schemas/${rename(item.slice('#/$defs/'.length))}`
      : rewriteRefs(item, rename)]))
}
