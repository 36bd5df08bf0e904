import { describe, expect, it } from 'vitest'
import apiSchema from '../../schemas/api.schema.json' with { type: 'json' }
import processSchema from '../../schemas/process.schema.json' with { type: 'json' }
import { CURSOR_RULE, INSTANCE_STATUSES, INSTANT_RULE, LIMIT_RULE, LIST_LIMITS, LIST_ORDERS, REQUEST_CARRIES } from '../../engine/index.js'
import type { BodyTypes, QueryTypes } from '../../server/request-types.js'

// The request types are written by hand beside schemas/api.schema.json: these tables are
// checked by the compiler against the types (every key, whether it is required) and here
// against the schema, so neither can change without the other.

type RequiredKeys<T> = { [K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K> ? never : K }[keyof T]
type Keys<T> = { readonly [K in keyof T]-?: K extends RequiredKeys<T> ? 'required' : 'optional' }

const BODIES = {
  StartRequest: { process: 'required', version: 'optional', id: 'optional', parties: 'required', parameters: 'optional', context: 'optional' },
  ActRequest: { action: 'required', step: 'optional', inputs: 'optional', attachments: 'optional', expectedRevision: 'optional' },
  TerminateRequest: { reason: 'required', expectedRevision: 'optional' },
  RetryRequest: { expectedRevision: 'optional' },
  AdvanceRequest: { to: 'optional', by: 'optional' },
  ConsoleSessionRequest: { role: 'required', subject: 'required', returnUrl: 'optional' },
  WebhookEndpointCreateRequest: { url: 'required', types: 'optional', process: 'optional', description: 'optional' },
  WebhookEndpointUpdateRequest: { url: 'optional', types: 'optional', process: 'optional', description: 'optional' },
  WebhookSecretRotateRequest: { overlapSeconds: 'optional' },
  WebhookResendRequest: { eventId: 'optional', since: 'optional' },
  ProcessCheckRequest: { definition: 'required', scenarios: 'optional' },
  ProposalSubmitRequest: { definition: 'required' },
  ProposalAmendRequest: { definition: 'required', comment: 'optional', expectedRevision: 'optional' },
  ProposalReturnRequest: { comment: 'required', expectedRevision: 'optional' },
  ProposalDecisionRequest: { comment: 'optional', expectedRevision: 'optional' },
} as const satisfies { readonly [S in keyof BodyTypes]: Keys<BodyTypes[S]> }

const QUERIES = {
  InstanceListQuery: {
    process: 'optional', status: 'optional', step: 'optional', waiting: 'optional', party: 'optional', orderId: 'optional',
    startedFrom: 'optional', startedTo: 'optional', order: 'optional', limit: 'optional', cursor: 'optional',
  },
  ValidityQuery: { at: 'optional' },
  ProcessVersionQuery: { version: 'optional' },
  ProcessRegisterQuery: { owner: 'optional' },
  ProcessCheckQuery: { owner: 'optional' },
  AttachmentUploadQuery: { filename: 'optional' },
  EventListQuery: { after: 'optional', types: 'optional', process: 'optional', instance: 'optional', limit: 'optional' },
  WebhookAttemptQuery: { limit: 'optional', cursor: 'optional' },
  ProposalListQuery: { status: 'optional', limit: 'optional', cursor: 'optional' },
  NoQuery: {},
} as const satisfies { readonly [S in keyof QueryTypes]: Keys<QueryTypes[S]> }

interface ObjectSchema { readonly properties: Readonly<Record<string, Readonly<Record<string, unknown>>>>; readonly required?: readonly string[] }
const schemaOf = (shape: string): ObjectSchema => (apiSchema.$defs as unknown as Record<string, ObjectSchema>)[shape] as ObjectSchema

describe('the hand-written request types', () => {
  it.each(Object.entries({ ...BODIES, ...QUERIES }))('%s has exactly the properties of its schema, the required ones required', (shape, keys) => {
    const schema = schemaOf(shape)
    expect(Object.keys(keys).sort()).toEqual(Object.keys(schema.properties).sort())
    expect(Object.entries(keys).filter(([, kind]) => kind === 'required').map(([key]) => key).sort()).toEqual([...schema.required ?? []].sort())
  })

  it('every request shape of the schema has its type', () => {
    const shapes = Object.keys(apiSchema.$defs).filter((name) => name.endsWith('Request') || name.endsWith('Query'))
    expect(shapes.sort()).toEqual(Object.keys({ ...BODIES, ...QUERIES }).sort())
  })
})

describe("the list query's schema and the engine's rules", () => {
  it('state the same statuses, orders, page sizes and rejections', () => {
    const list = schemaOf('InstanceListQuery').properties
    expect(apiSchema.$defs.InstanceStatus.enum).toEqual([...INSTANCE_STATUSES])
    expect(list['order']).toMatchObject({ enum: [...LIST_ORDERS], default: LIST_ORDERS[0] })
    expect(list['limit']).toMatchObject({ minimum: 1, maximum: LIST_LIMITS.max, default: LIST_LIMITS.default, 'x-message': LIMIT_RULE })
    expect(list['startedFrom']).toMatchObject({ 'x-message': INSTANT_RULE })
    expect(list['startedTo']).toMatchObject({ 'x-message': INSTANT_RULE })
    expect(list['cursor']).toMatchObject({ 'x-message': CURSOR_RULE })
  })
})

describe("what a request may carry, and the room a definition leaves for it", () => {
  it('state the same numbers: parties and parameters of a start, files of an act', () => {
    const start = schemaOf('StartRequest').properties
    expect(start['parties']).toMatchObject({ maxProperties: REQUEST_CARRIES.parties })
    expect(start['parameters']).toMatchObject({ maxProperties: REQUEST_CARRIES.parameters })
    expect(schemaOf('ActRequest').properties['attachments']).toMatchObject({ maxProperties: REQUEST_CARRIES.attachmentSlots })
    expect(processSchema.properties.roles.maxItems).toBe(REQUEST_CARRIES.parties)
  })
})
