import type { ActRequest, InstanceStatus, ListOrder, ProposalListQuery, RetryRequest, StartRequest, TerminateRequest } from '../engine/index.js'

// The TypeScript types of the request shapes of `schemas/api.schema.json`, by shape name: what
// `readBody` and `readQuery` return once a request passed its schema. Written by hand (no
// schema-to-type generator is a dependency), so test/server/request-types.test.ts checks that
// each has exactly its schema's properties, the required ones required.

export interface AdvanceRequest {
  /** Sandbox only: an instant to move the clock to. */
  readonly to?: string
  /** Sandbox only: an ISO 8601 duration to move the clock forward by. */
  readonly by?: string
}

export interface ConsoleSessionRequest {
  readonly role: string
  readonly subject: string
  readonly returnUrl?: string
}

export interface WebhookEndpointCreateRequest {
  readonly url: string
  readonly types?: readonly string[]
  readonly process?: string
  readonly description?: string
}

export interface WebhookEndpointUpdateRequest {
  readonly url?: string
  readonly types?: readonly string[] | null
  readonly process?: string | null
  readonly description?: string | null
}

export interface WebhookSecretRotateRequest {
  readonly overlapSeconds?: number
}

/** Exactly one of the two (the schema says so). */
export interface WebhookResendRequest {
  readonly eventId?: string
  readonly since?: string
}

export interface ProcessCheckRequest {
  readonly definition: string
  readonly scenarios?: string
}

export interface ProposalSubmitRequest {
  readonly definition: string
}

export interface ProposalAmendRequest {
  readonly definition: string
  readonly comment?: string
  readonly expectedRevision?: number
}

export interface ProposalReturnRequest {
  readonly comment: string
  readonly expectedRevision?: number
}

export interface ProposalDecisionRequest {
  readonly comment?: string
  readonly expectedRevision?: number
}

/** The body shapes, as `readBody` returns them. */
export interface BodyTypes {
  readonly StartRequest: StartRequest
  readonly ActRequest: ActRequest
  readonly TerminateRequest: TerminateRequest
  readonly RetryRequest: RetryRequest
  readonly AdvanceRequest: AdvanceRequest
  readonly ConsoleSessionRequest: ConsoleSessionRequest
  readonly WebhookEndpointCreateRequest: WebhookEndpointCreateRequest
  readonly WebhookEndpointUpdateRequest: WebhookEndpointUpdateRequest
  readonly WebhookSecretRotateRequest: WebhookSecretRotateRequest
  readonly WebhookResendRequest: WebhookResendRequest
  readonly ProcessCheckRequest: ProcessCheckRequest
  readonly ProposalSubmitRequest: ProposalSubmitRequest
  readonly ProposalAmendRequest: ProposalAmendRequest
  readonly ProposalReturnRequest: ProposalReturnRequest
  readonly ProposalDecisionRequest: ProposalDecisionRequest
}

/** The query of GET /v1/instances. */
export interface InstanceListQuery {
  readonly process?: string
  readonly status?: InstanceStatus
  readonly step?: string
  readonly waiting?: 'me' | 'true'
  /** ROLE:SUBJECT. */
  readonly party?: string
  readonly orderId?: string
  readonly startedFrom?: string
  readonly startedTo?: string
  readonly order?: ListOrder
  /** A number: the query's integers are coerced. */
  readonly limit?: number
  readonly cursor?: string
}

/** The query of GET /v1/events and GET /v1/events/stream. */
export interface EventListQuery {
  readonly after?: string
  /** Event types separated by commas. */
  readonly types?: string
  readonly process?: string
  readonly instance?: string
  readonly limit?: number
}

/** The query shapes, as `readQuery` returns them. */
export interface QueryTypes {
  readonly InstanceListQuery: InstanceListQuery
  readonly ValidityQuery: { readonly at?: string }
  readonly ProcessVersionQuery: { readonly version?: number }
  readonly ProcessRegisterQuery: { readonly owner?: string }
  readonly ProcessCheckQuery: { readonly owner?: string }
  readonly ProposalListQuery: ProposalListQuery
  readonly AttachmentUploadQuery: { readonly filename?: string }
  readonly EventListQuery: EventListQuery
  readonly WebhookAttemptQuery: { readonly limit?: number; readonly cursor?: string }
  readonly NoQuery: Readonly<Record<string, never>>
}
