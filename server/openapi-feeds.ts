import type { ErrorCode } from '../engine/index.js'
import apiSchema from '../schemas/api.schema.json' with { type: 'json' }
import { id, json, LOCATION, queryOf, rewriteRefs } from './openapi-parts.js'
import type { Json, Operation } from './openapi-parts.js'

// The operations of the event feed and of webhook endpoints, for the OpenAPI document (server/openapi.ts).

// The event feed and its live stream (docs/events.md).
const EVENTS_CALLERS = 'Callers: any token; a party sees the events of the deliveries it is a party of, administrators and the system see every event.'
export const EVENT_OPERATIONS: readonly Operation[] = [
  {
    method: 'get', path: '/v1/events', operationId: 'listEvents', tag: 'events', bearer: true, summary: 'Read the event feed',
    description: `A page of public events across deliveries, in commit order: an event that commits later never appears before a \`next\` already given, so reading on from \`next\` reaches every event exactly once. \`next\` is always given (the feed grows); a page with no items means nothing new yet. Each event's \`data\` holds the delivery as it stood right after the change; the types and payloads are PublicEvent's (docs/events.md). ${EVENTS_CALLERS}`,
    parameters: queryOf('EventListQuery'),
    responses: { 200: json('EventPage', 'The page.') }, errors: ['request.invalid'],
  },
  {
    method: 'get', path: '/v1/events/stream', operationId: 'streamEvents', tag: 'events', bearer: true, summary: 'Follow the event feed live',
    description: `The feed as server-sent events (\`text/event-stream\`), with the same filters: one message per event, \`id:\` its cursor, \`event:\` its type and \`data:\` the event as JSON (PublicEvent). It starts after \`Last-Event-ID\` (what a reconnecting EventSource sends) or \`after\`, catching up from the feed first, else from now; a comment line every 15 seconds keeps proxies from closing it. It ends when the server stops or the token is revoked or expires (checked with each heartbeat); reconnect with the last \`id\` seen to resume without loss or duplicate. One token holder may have 20 streams open on a server at once; the next is refused (\`stream.busy\`, 429) until one closes. ${EVENTS_CALLERS}`,
    parameters: [...queryOf('EventListQuery'), { name: 'Last-Event-ID', in: 'header', required: false, description: 'The `id` of the last message received: the stream resumes after it (it takes precedence over `after`).', schema: { type: 'string', maxLength: 256 } }],
    responses: { 200: { description: 'The stream, open until the client or the server closes it.', content: { 'text/event-stream': { schema: { type: 'string', description: 'Messages `id: CURSOR`, `event: TYPE`, `data: EVENT-JSON`, and `: heartbeat` comments.' } } } } },
    errors: ['request.invalid', 'stream.busy'],
  },
]

// Webhook endpoints (see docs/webhooks.md).
const WEBHOOK_CALLERS = 'Callers: administrators and the system.'
const ENDPOINT_ERRORS: readonly ErrorCode[] = ['auth.forbidden', 'webhook-endpoint.not-found']
export const WEBHOOK_OPERATIONS: readonly Operation[] = [
  {
    method: 'post', path: '/v1/webhook-endpoints', operationId: 'createWebhookEndpoint', tag: 'webhooks', summary: 'Create a webhook endpoint', bearer: true,
    description: `Creates an endpoint that is POSTed every public event decided from now on that it is subscribed to (all types and processes unless \`types\` or \`process\` narrow it), signed as Standard Webhooks define. The answer holds the signing secret (\`whsec_...\`), shown this once. A URL whose host is or resolves to an internal address is refused at \`/url\` (rule \`public-address\`) unless the server runs with \`--webhook-allow-private\`. ${WEBHOOK_CALLERS}`,
    body: { shape: 'WebhookEndpointCreateRequest', required: true },
    responses: { 201: json('WebhookEndpointWithSecret', 'The endpoint, with its secret shown once.', LOCATION) }, errors: ['auth.forbidden'],
  },
  {
    method: 'get', path: '/v1/webhook-endpoints', operationId: 'listWebhookEndpoints', tag: 'webhooks', summary: 'List webhook endpoints', bearer: true,
    description: `Every webhook endpoint, oldest first; never a secret. ${WEBHOOK_CALLERS}`,
    responses: { 200: json('WebhookEndpointList', 'The endpoints.') }, errors: ['auth.forbidden', 'request.invalid'],
  },
  {
    method: 'get', path: '/v1/webhook-endpoints/{id}', operationId: 'getWebhookEndpoint', tag: 'webhooks', summary: 'Read a webhook endpoint', bearer: true,
    description: `One endpoint, never its secret. ${WEBHOOK_CALLERS}`, parameters: [id('webhook endpoint')],
    responses: { 200: json('WebhookEndpoint', 'The endpoint.') }, errors: ENDPOINT_ERRORS,
  },
  {
    method: 'patch', path: '/v1/webhook-endpoints/{id}', operationId: 'updateWebhookEndpoint', tag: 'webhooks', summary: 'Change a webhook endpoint', bearer: true,
    description: `Changes the properties given (a new URL is checked as at creation); events already queued keep their place. ${WEBHOOK_CALLERS}`, parameters: [id('webhook endpoint')],
    body: { shape: 'WebhookEndpointUpdateRequest', required: true },
    responses: { 200: json('WebhookEndpoint', 'The endpoint, changed.') }, errors: ENDPOINT_ERRORS,
  },
  {
    method: 'delete', path: '/v1/webhook-endpoints/{id}', operationId: 'deleteWebhookEndpoint', tag: 'webhooks', summary: 'Delete a webhook endpoint', bearer: true,
    description: `Deletes an endpoint with its pending deliveries and its attempt log. ${WEBHOOK_CALLERS}`, parameters: [id('webhook endpoint')],
    responses: { 200: json('WebhookEndpoint', 'The endpoint as it was.') }, errors: ENDPOINT_ERRORS,
  },
  {
    method: 'post', path: '/v1/webhook-endpoints/{id}/disable', operationId: 'disableWebhookEndpoint', tag: 'webhooks', summary: 'Disable a webhook endpoint', bearer: true,
    description: `Stops sending to an endpoint; events go on being queued for it and are sent once it is enabled again. ${WEBHOOK_CALLERS}`, parameters: [id('webhook endpoint')],
    responses: { 200: json('WebhookEndpoint', 'The endpoint, disabled.') }, errors: ENDPOINT_ERRORS,
  },
  {
    method: 'post', path: '/v1/webhook-endpoints/{id}/enable', operationId: 'enableWebhookEndpoint', tag: 'webhooks', summary: 'Enable a webhook endpoint', bearer: true,
    description: `Sends to an endpoint again (disabled by a call or for failing for 5 days), starting with what waited. ${WEBHOOK_CALLERS}`, parameters: [id('webhook endpoint')],
    responses: { 200: json('WebhookEndpoint', 'The endpoint, enabled.') }, errors: ENDPOINT_ERRORS,
  },
  {
    method: 'post', path: '/v1/webhook-endpoints/{id}/rotate-secret', operationId: 'rotateWebhookSecret', tag: 'webhooks', summary: 'Rotate a webhook endpoint\'s secret', bearer: true,
    description: `Gives the endpoint a new secret, shown this once; the previous one goes on signing beside it (two space-separated signatures in \`webhook-signature\`) for \`overlapSeconds\` (24 hours by default), so receivers can switch without losing a message. ${WEBHOOK_CALLERS}`,
    parameters: [id('webhook endpoint')], body: { shape: 'WebhookSecretRotateRequest', required: false },
    responses: { 200: json('WebhookEndpointWithSecret', 'The endpoint, with its new secret shown once.') }, errors: ENDPOINT_ERRORS,
  },
  {
    method: 'get', path: '/v1/webhook-endpoints/{id}/attempts', operationId: 'listWebhookAttempts', tag: 'webhooks', summary: 'Read a webhook endpoint\'s attempt log', bearer: true,
    description: `The attempts at sending events to the endpoint, newest first: event id, attempt number, time, HTTP status, latency and error. ${WEBHOOK_CALLERS}`,
    parameters: [id('webhook endpoint'), ...queryOf('WebhookAttemptQuery')],
    responses: { 200: json('WebhookAttemptList', 'A page of attempts.') }, errors: [...ENDPOINT_ERRORS, 'request.invalid'],
  },
  {
    method: 'post', path: '/v1/webhook-endpoints/{id}/resend', operationId: 'resendWebhookEvents', tag: 'webhooks', summary: 'Send events to a webhook endpoint again', bearer: true,
    description: `Queues one event (\`eventId\`; \`event.not-found\` if there is none, \`request.invalid\` at \`/eventId\` with rule \`subscribed\` if it is of a type or process the endpoint is not subscribed to) or every event the endpoint is subscribed to decided since an instant (\`since\`), after what is already pending for it. ${WEBHOOK_CALLERS}`,
    parameters: [id('webhook endpoint')], body: { shape: 'WebhookResendRequest', required: true },
    responses: { 202: json('WebhookResendResult', 'What was queued.') }, errors: [...ENDPOINT_ERRORS, 'event.not-found'],
  },
]

/**
 * The OpenAPI `webhooks`: one request per event type, as an endpoint is POSTed it — the
 * PublicEvent variant of that type without the feed's `cursor`, with the Standard Webhooks headers.
 */
export function webhookRequests(): Json {
  const variants = (apiSchema.$defs.PublicEvent.oneOf as readonly Json[])
  const examples = apiSchema.$defs.PublicEvent.examples as readonly Json[]
  const headers = [
    ['webhook-id', 'The event\'s id: the same on every attempt and resend (deduplicate on it).'],
    ['webhook-timestamp', 'When this attempt was signed, in Unix seconds: refuse one much older than now (the Standard Webhooks libraries allow 5 minutes).'],
    ['webhook-signature', 'One `v1,<base64 HMAC-SHA256>` per secret in use, space-separated (two while a rotated secret overlaps the new one). Verify with a Standard Webhooks library and the endpoint\'s secret.'],
  ].map(([name, description]) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } }))
  return Object.fromEntries(variants.map((variant) => {
    const type = String(variant['title'])
    const { cursor: _cursor, ...properties } = variant['properties'] as Json
    const example = examples.find((e) => e['type'] === type)
    const { cursor: _exampleCursor, ...body } = example ?? {}
    return [type, {
      post: {
        operationId: `webhook:${type}`, tags: ['webhooks'], summary: `${type}: ${String((properties['type'] as Json | undefined)?.['description'] ?? '')}`,
        description: 'POSTed to every enabled endpoint subscribed to this type (and, when narrowed, to the delivery\'s process), at least once, a delivery\'s events in order. Answer 2xx within the timeout (10 s by default); anything else is retried on the schedule of docs/webhooks.md.',
        parameters: headers,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: rewriteRefs({ ...variant, properties, required: (variant['required'] as string[]).filter((r) => r !== 'cursor') }, (name) => name), ...(example ? { example: body } : {}) } },
        },
        responses: { '2XX': { description: 'Received: the event is not sent again (unless resent).' }, default: { description: 'Not received: tried again later, then the endpoint is disabled after 5 days of failures.' } },
      },
    }]
  }))
}
