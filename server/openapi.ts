import packageJson from '../package.json' with { type: 'json' }
import apiSchema from '../schemas/api.schema.json' with { type: 'json' }
import processSchema from '../schemas/process.schema.json' with { type: 'json' }
import type { ErrorCode } from '../engine/index.js'
import { PROBLEM_TYPES } from './problem.js'

import { EVENT_OPERATIONS, WEBHOOK_OPERATIONS, webhookRequests } from './openapi-feeds.js'
import { PROPOSAL_OPERATIONS } from './openapi-proposals.js'
import { header, id, json, LOCATION, PROBLEM_JSON, queryOf, ref, rewriteRefs } from './openapi-parts.js'
import type { Json, Operation } from './openapi-parts.js'

const PARTY_READ = 'Callers: the instance\'s parties, administrators and the system; anyone else is told it does not exist (404).'
// What any command on an existing instance can meet.
const WRITE_ERRORS: readonly ErrorCode[] = ['instance.not-found', 'instance.ended', 'conflict.stale']

const OPERATIONS: readonly Operation[] = [
  {
    method: 'get', path: '/healthz', operationId: 'getHealth', tag: 'meta', bearer: false, summary: 'Liveness',
    description: 'Answers while the server runs. Callers: anyone, without a token.',
    responses: { 200: json('Health', 'The server is up.') }, errors: [],
  },
  {
    method: 'get', path: '/readyz', operationId: 'getReadiness', tag: 'meta', bearer: false, summary: 'Readiness',
    description: 'Answers 200 when the server can serve: its database answers within 5 s and has run every migration this server has; 503 `server.not-ready` otherwise, saying which. Point a load balancer\'s or orchestrator\'s readiness check here, and the liveness check at /healthz. Callers: anyone, without a token.',
    responses: { 200: json('Readiness', 'The server is ready.') }, errors: ['server.not-ready'],
  },
  {
    method: 'get', path: '/metrics', operationId: 'getMetrics', tag: 'meta', bearer: true, summary: 'Prometheus metrics',
    description: 'The server\'s metrics in the Prometheus text format (0.0.4): requests by route pattern and status with latency histograms, acts by process and action, deadlines fired, failed instances, scheduler lag, and process metrics; docs/api.md lists them. Callers: administrators and the system (a scraper is given a `system` token), since the labels name processes and actions.',
    responses: { 200: { description: 'The metrics.', content: { 'text/plain': { schema: { type: 'string' } } } } }, errors: ['auth.forbidden'],
  },
  {
    method: 'get', path: '/openapi.json', operationId: 'getOpenApi', tag: 'meta', bearer: false, summary: 'This OpenAPI document',
    description: 'The OpenAPI 3.1 description of every route, built from `schemas/api.schema.json`. Callers: anyone, without a token.',
    responses: { 200: { description: 'The document.', content: { 'application/json': { schema: { type: 'object' } } } } }, errors: [],
  },
  {
    method: 'get', path: '/docs', operationId: 'getDocs', tag: 'meta', bearer: false, summary: 'API reference page',
    description: 'A browsable reference of this document (Swagger UI, served from this server, no network needed), under a Content-Security-Policy that allows no inline script or style; a token typed into it is never stored in the browser. Callers: anyone, without a token.',
    responses: { 200: { description: 'The HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } }, errors: [],
  },
  {
    method: 'get', path: '/v1/processes', operationId: 'listProcesses', tag: 'processes', bearer: true, summary: 'List processes',
    description: 'The registered processes with their versions. Callers: any token; an ISV also sees its own private processes, administrators and the system see all.',
    responses: { 200: json('ProcessList', 'The processes the caller may see.') }, errors: [],
  },
  {
    method: 'get', path: '/v1/processes/{id}', operationId: 'getProcess', tag: 'processes', bearer: true, summary: 'Describe a process version',
    description: 'One version of a process (the latest by default): its steps, parameters, YAML source and a Mermaid diagram. Callers: as for the list; a private process is not found by others.',
    parameters: [id('process'), ...queryOf('ProcessVersionQuery')],
    responses: { 200: json('ProcessDetail', 'The process version.') }, errors: ['process.not-found', 'request.invalid'],
  },
  {
    method: 'get', path: '/v1/processes/{id}/diagram', operationId: 'getProcessDiagram', tag: 'processes', bearer: true, summary: 'Diagram of a process version',
    description: 'The Mermaid flowchart of a process version (the latest by default): steps with their actors, actions, timeouts and windows. Render it in any Markdown viewer that supports Mermaid. Callers: as for the list; a private process is not found by others.',
    parameters: [id('process'), ...queryOf('ProcessVersionQuery')],
    responses: { 200: { description: 'The Mermaid source.', content: { 'text/vnd.mermaid': { schema: { type: 'string' } } } } },
    errors: ['process.not-found', 'request.invalid'],
  },
  {
    method: 'post', path: '/v1/processes/validate', operationId: 'checkProcess', tag: 'processes', bearer: true, summary: 'Check a definition without registering it',
    description: 'Compiles the definition in `definition` as registering it would and answers every located problem (line, column, code, message, hint), or the process\'s shape and Mermaid diagram; runs the scenarios in `scenarios` (docs/scenarios.md) on it when it compiles, each failed expectation at its line. Registers nothing, changes nothing; an invalid definition is a 200 with `valid: false`. `extends` resolves to public processes and the caller\'s own private ones (administrators: those of `owner`, if given), so a check never reveals another owner\'s process. A server runs two checks at once and one at a time for each token holder, in the order they came; a caller with one check running and four waiting is refused (`check.busy`, 429, `Retry-After: 1`). Usable from CI. Callers: any token.',
    parameters: queryOf('ProcessCheckQuery'),
    body: { shape: 'ProcessCheckRequest', required: true },
    responses: { 200: json('ProcessCheck', 'What the check found.') },
    errors: ['request.invalid', 'check.busy'],
  },
  {
    method: 'put', path: '/v1/processes/{id}', operationId: 'registerProcess', tag: 'processes', bearer: true, summary: 'Register a process version',
    description: 'Registers the YAML definition in the body (its `id` must be the path\'s, its `version` is taken from the text). The same text again is a no-op (200); other text under a registered version is refused (409). `text/yaml`, `application/x-yaml` and `text/plain` are accepted too; the body is UTF-8 (a byte order mark is allowed) or UTF-16 with a byte order mark, at most 1 MiB (else `definition.too-large`, 413), and read as `validate` reads a file. Callers: administrators only.',
    parameters: [id('process'), ...queryOf('ProcessRegisterQuery')],
    body: {
      required: true,
      content: { 'application/yaml': { schema: { type: 'string', contentMediaType: 'application/yaml', contentSchema: ref('ProcessDefinition'), description: 'The definition as YAML text; see the ProcessDefinition schema.' } } },
    },
    responses: { 200: json('ProcessDetail', 'The version was already registered with this very text.'), 201: json('ProcessDetail', 'The version is registered.') },
    errors: ['auth.forbidden', 'request.invalid', 'request.unsupported-media-type', 'definition.too-large', 'definition.invalid', 'input.invalid', 'process.version-conflict', 'process.owner-conflict'],
  },
  {
    method: 'post', path: '/v1/instances', operationId: 'startInstance', tag: 'instances', bearer: true, summary: 'Start an instance',
    description: 'Starts an instance of a process version for its parties; it enters the first step. Callers: administrators and the system, and the roles a process names in `startedBy` (a party role starts only its own: its subject becomes that party).',
    body: { shape: 'StartRequest', required: true },
    responses: { 201: json('InstanceView', 'The new instance, as the caller sees it.', LOCATION) },
    errors: ['auth.forbidden', 'process.not-found', 'instance.exists', 'input.invalid', 'start.quota'],
  },
  {
    method: 'get', path: '/v1/instances', operationId: 'listInstances', tag: 'instances', bearer: true, summary: 'List instances',
    description: 'A page of instances, oldest first unless `order=newest`, with the filters given. Callers: any token; customers and ISVs see only the instances they are a party of, administrators and the system see all.',
    parameters: queryOf('InstanceListQuery'),
    responses: { 200: json('InstanceList', 'The page.') }, errors: ['request.invalid'],
  },
  {
    method: 'get', path: '/v1/instances/{id}', operationId: 'getInstance', tag: 'instances', bearer: true, summary: 'Read an instance',
    description: `The instance with its current step, next deadline and the actions the caller may take now. ${PARTY_READ}`,
    parameters: [id('instance')], responses: { 200: json('InstanceView', 'The instance.') }, errors: ['instance.not-found'],
  },
  {
    method: 'post', path: '/v1/instances/{id}/act', operationId: 'act', tag: 'instances', bearer: true, summary: 'Perform an action',
    description: 'Performs an action of the current step with its inputs and attachments. Callers: an executor of the current step: the party holding one of its actor roles (or an administrator where `admin` is an actor).',
    parameters: [id('instance')], body: { shape: 'ActRequest', required: true },
    responses: { 200: json('InstanceView', 'The instance after the action.') },
    errors: [...WRITE_ERRORS, 'instance.failed', 'step.not-current', 'deadline.passed', 'action.unknown', 'input.invalid', 'attachment.not-found', 'attachment.unknown-slot', 'attachment.count', 'attachment.type', 'attachment.size', 'attachment.image', 'unique.taken'],
  },
  {
    method: 'post', path: '/v1/instances/{id}/advance', operationId: 'advanceInstance', tag: 'instances', bearer: true, summary: 'Fire an instance\'s due deadlines',
    description: 'Fires the deadlines of this instance that are due now. The body may be empty; `to` and `by` pass validation but never move the clock here (use POST /v1/advance). Callers: administrators and the system.',
    parameters: [id('instance')], body: { shape: 'AdvanceRequest', required: false },
    responses: { 200: json('InstanceView', 'The instance after firing.') }, errors: ['auth.forbidden', 'instance.not-found', 'expression.failed'],
  },
  {
    method: 'post', path: '/v1/instances/{id}/terminate', operationId: 'terminateInstance', tag: 'instances', bearer: true, summary: 'Terminate an instance',
    description: 'Ends an instance in progress (active, or failed and waiting for an administrator) with outcome `terminated`, recording the reason. Callers: administrators only.',
    parameters: [id('instance')], body: { shape: 'TerminateRequest', required: true },
    responses: { 200: json('InstanceView', 'The terminated instance.') }, errors: [...WRITE_ERRORS, 'auth.forbidden', 'input.invalid'],
  },
  {
    method: 'post', path: '/v1/instances/{id}/retry', operationId: 'retryInstance', tag: 'instances', bearer: true, summary: 'Retry a failed instance',
    description: 'Puts an instance marked `failed` (its due deadline kept failing) back to active and fires its due deadlines at once. If firing fails again, the answer is that problem (`expression.failed`, say) and nothing changes; on success an `instance-retried` event is recorded and the count of failed attempts starts again. The body may be empty. Callers: administrators only.',
    parameters: [id('instance')], body: { shape: 'RetryRequest', required: false },
    responses: { 200: json('InstanceView', 'The instance, active again, after firing its due deadlines.') },
    errors: [...WRITE_ERRORS, 'auth.forbidden', 'instance.not-failed', 'expression.failed'],
  },
  {
    method: 'get', path: '/v1/instances/{id}/history', operationId: 'getHistory', tag: 'instances', bearer: true, summary: 'Read an instance\'s history',
    description: `Every event of the instance, in order. ${PARTY_READ}`,
    parameters: [id('instance')], responses: { 200: json('History', 'The history.') }, errors: ['instance.not-found'],
  },
  {
    method: 'get', path: '/v1/instances/{id}/validity', operationId: 'getValidity', tag: 'instances', bearer: true, summary: 'Check an instance\'s validity',
    description: 'Whether the instance entitles its customer at `at` (now by default), as a licence check (CheckOutLicense) answers it: valid or why not, the period its process declares (`validity`) in UTC and in the process\'s time zone, and the time left. A process that declares no period answers `valid: false`, `reason: not-declared`. Callers: the instance\'s parties, administrators and the system (the service sold checks its own licence with a `system` token); to anyone else the instance does not exist (404).',
    parameters: [id('instance'), ...queryOf('ValidityQuery')], responses: { 200: json('Validity', 'The answer.') },
    errors: ['instance.not-found', 'request.invalid', 'expression.failed'],
  },
  {
    method: 'post', path: '/v1/advance', operationId: 'advance', tag: 'clock', bearer: true, summary: 'Fire due deadlines',
    description: 'Fires every deadline due now, the most overdue first. On a server started with --sandbox, first moves the manual clock `to` an instant or `by` a duration (never backwards, nor past the end of year 9999: `request.invalid` at `/by`, rule `maximum`). Callers: administrators and the system.',
    body: { shape: 'AdvanceRequest', required: false },
    responses: { 200: json('AdvanceResult', 'What fired.') }, errors: ['auth.forbidden', 'clock.not-sandbox', 'clock.backwards'],
  },
  {
    method: 'get', path: '/v1/clock', operationId: 'getClock', tag: 'clock', bearer: true, summary: 'Read the clock',
    description: 'The server\'s current instant and whether it is the sandbox clock. Callers: any token.',
    responses: { 200: json('Clock', 'The clock.') }, errors: [],
  },
  {
    method: 'post', path: '/v1/attachments', operationId: 'uploadAttachment', tag: 'attachments', bearer: true, summary: 'Upload a file',
    description: 'Stores a file, streamed with the server\'s size limit, and tells its type by content; reference its id in an action\'s `attachments`. Send multipart/form-data (the first file part is kept) or the raw bytes with `?filename=`. With an Idempotency-Key, a retry is told by the SHA-256 of its file, hashed as it streams: the same bytes replay the first answer, other bytes are refused (`idempotency.mismatch`) and not kept; a refused upload does not bind its key. Each token holder may upload a number of files and bytes per hour (`upload.quota`, 429, with `Retry-After`); a full disk answers `storage.full` (507). An upload not attached to an instance within a day (`serve --upload-ttl`) is deleted. Callers: any token; the uploader may attach it, and it is then readable by the instance\'s parties.',
    parameters: queryOf('AttachmentUploadQuery'),
    body: {
      required: true,
      content: {
        'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { description: 'The file; later parts are ignored.', type: 'string', contentMediaType: 'application/octet-stream' } } } },
        'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
      },
    },
    responses: { 201: json('Attachment', 'The stored file.', LOCATION) }, errors: ['attachment.too-large', 'attachment.empty', 'input.invalid', 'upload.quota', 'storage.full'],
  },
  {
    method: 'get', path: '/v1/attachments/{id}', operationId: 'downloadAttachment', tag: 'attachments', bearer: true, summary: 'Download a file',
    description: 'The file\'s bytes, as `Content-Type` its media type told by content (`application/octet-stream` when unknown), with `Content-Disposition: attachment`. Callers: the uploader, administrators, and whoever may read the instance it is attached to.',
    parameters: [id('attachment')],
    responses: {
      200: {
        description: 'The file.',
        headers: {
          'Content-Disposition': header('`attachment; filename="..."` with the recorded name, unsafe characters replaced by `_`.'),
          'Repr-Digest': header('`sha-256=:BASE64:` — the SHA-256 of the content (RFC 9530).'),
        },
        content: { '*/*': { schema: { description: 'The bytes as uploaded.' } } },
      },
    },
    errors: ['attachment.not-found'],
  },
  {
    method: 'get', path: '/v1/tokens', operationId: 'listTokens', tag: 'tokens', bearer: true, summary: 'List API tokens',
    description: 'Every API token, oldest first, revoked and expired ones included: its id (the first 16 hex characters of its stored SHA-256 hash), role, subject, label, when it was created, expires, last made a request that succeeded (recorded at most once a minute) and was revoked. Never a secret. Callers: administrators only.',
    responses: { 200: json('TokenList', 'The tokens.') }, errors: ['auth.forbidden', 'request.invalid'],
  },
  {
    method: 'delete', path: '/v1/tokens/{id}', operationId: 'revokeToken', tag: 'tokens', bearer: true, summary: 'Revoke an API token',
    description: 'Revokes a token: it answers `auth.invalid` (401) from then on, at once on this server and within 5 seconds on others sharing the database. Revoking a revoked token changes nothing and returns it with its first revocation time. Callers: administrators only.',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'Id of the token, as GET /v1/tokens shows it: 16 lower-case hex characters.', schema: { type: 'string', minLength: 1 } }],
    responses: { 200: json('Token', 'The token, revoked.') }, errors: ['auth.forbidden', 'token.not-found'],
  },
  {
    method: 'post', path: '/v1/console-sessions', operationId: 'createConsoleSignInLink', tag: 'console', bearer: true, summary: 'Create a console sign-in link',
    description: 'A one-time sign-in link to the console for a person (`role` and `subject`, as the processes\' parties name them), landing on `returnUrl` (a console path; `/console` by default): give it to that person, e.g. as a button in your own portal. It works once, within 10 minutes, and opens a console session of 12 hours. The link is under the server\'s `--public-url` when set, else under the origin the request was sent to. Callers: administrators and the system.',
    body: { shape: 'ConsoleSessionRequest', required: true },
    responses: { 201: json('ConsoleSignInLink', 'The link, shown once.') }, errors: ['auth.forbidden', 'request.invalid'],
  },
  ...EVENT_OPERATIONS,
  ...WEBHOOK_OPERATIONS,
  ...PROPOSAL_OPERATIONS,
]

const JSON_BODY_ERRORS: readonly ErrorCode[] = ['request.malformed', 'request.unsupported-media-type', 'request.invalid', 'request.too-large', 'request.too-deep']
const POST_ERRORS: readonly ErrorCode[] = ['idempotency.mismatch', 'idempotency.in-progress', 'request.invalid']

/** Every code a route can answer with: its own, then those of authentication, body parsing and idempotency. */
function errorsOf(op: Operation): ReadonlySet<ErrorCode> {
  return new Set<ErrorCode>([
    ...op.errors,
    ...(op.bearer ? ['auth.missing', 'auth.invalid'] as const : []),
    ...(op.body && 'shape' in op.body ? JSON_BODY_ERRORS : []),
    ...(op.method === 'post' && op.bearer ? POST_ERRORS : []),
    'server.error',
  ])
}

/** One problem+json response per status, listing the codes that answer with it. */
function problemResponses(codes: ReadonlySet<ErrorCode>): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of codes) {
    const { status } = PROBLEM_TYPES[code]
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  return Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, list]) => [status, {
    description: list.map((code) => `- \`${code}\`: ${PROBLEM_TYPES[code].title}`).join('\n'),
    ...(status === 401 ? { headers: { 'WWW-Authenticate': header('`Bearer`, with `error="invalid_token"` for an unknown, expired or revoked token.') } } : {}),
    ...(status === 429 ? { headers: { 'Retry-After': header('Seconds until it is worth retrying (enough of the quota back, or a check ended).', { type: 'integer', minimum: 1 }) } } : {}),
    content: { [PROBLEM_JSON]: { schema: ref('Problem') } },
  }]))
}

function operationOf(op: Operation): Json {
  const idempotent = op.method === 'post' && op.bearer
  const parameters = [...(op.parameters ?? []), ...(idempotent ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : [])]
  const replayed = { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } }
  const success = Object.fromEntries(Object.entries(op.responses).map(([status, response]) =>
    [status, idempotent ? { ...response, headers: { ...(response['headers'] as Json | undefined), ...replayed } } : response]))
  const body = op.body && 'shape' in op.body
    ? { required: op.body.required, content: { 'application/json': { schema: ref(op.body.shape) } } }
    : op.body
  return {
    operationId: op.operationId, tags: [op.tag], summary: op.summary, description: op.description,
    ...(op.bearer ? { security: [{ bearer: [] }] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: { ...success, ...problemResponses(errorsOf(op)) },
  }
}

/** The API's body shapes under their own names, then the process language as `ProcessDefinition` and `Definition*`. */
function componentSchemas(): Record<string, unknown> {
  const definitionPart = (name: string): string => `Definition${name.charAt(0).toUpperCase()}${name.slice(1)}`
  const { $defs: processDefs, $schema: _schema, $id: _id, ...processRoot } = processSchema
  // The query shapes are the operations' parameters, not schemas of their own.
  const shapes = Object.entries(apiSchema.$defs).filter(([name]) => !name.endsWith('Query'))
  const schemas: Record<string, unknown> = {
    ...(rewriteRefs(Object.fromEntries(shapes), (name) => name) as Record<string, unknown>),
    ProcessDefinition: rewriteRefs(processRoot, definitionPart),
  }
  for (const [name, schema] of Object.entries(processDefs)) {
    if (definitionPart(name) in schemas) throw new Error(`Schema name ${definitionPart(name)} is used twice; rename one.`)
    schemas[definitionPart(name)] = rewriteRefs(schema, definitionPart)
  }
  return schemas
}

function problemTable(): string {
  const rows = Object.entries(PROBLEM_TYPES).map(([code, { status, title }]) => `| \`${code}\` | ${status} | ${title} |`)
  return ['| code | status | title |', '| --- | --- | --- |', ...rows].join('\n')
}

const DESCRIPTION = `The HTTP API of delivery-center, a declarative process engine for the after-sales delivery of service products: start delivery instances, let their parties act on them, and follow their state, deadlines and history.

**Bearer tokens.** Every \`/v1\` route needs \`Authorization: Bearer <token>\`; an operator creates one with \`npx delivery-center token create --role ROLE --subject SUBJECT\`. The role (\`customer\`, \`isv\`, another party role, \`admin\` or \`system\`) and the subject decide what the caller may see and do; each operation says who may call it.

**Idempotency keys.** Send \`Idempotency-Key\` (1 to 255 characters) on any POST to make a retry safe: the first response (any status but 5xx) is kept (a day by default, \`serve --idempotency-ttl\`) and replayed, with \`Idempotent-Replayed: true\`, to a retry with the same key, token principal and request. The same key with another request is refused (\`idempotency.mismatch\`, 422); a retry while the first request still runs gets \`idempotency.in-progress\` (409).

**Errors** are RFC 9457 problem details, \`application/problem+json\`: \`type\` is the URI reference \`/problems/<code>\`, \`code\` the stable code, \`errors\` the failing fields, \`problems\` every located problem of an invalid definition, and \`requestId\` the \`X-Request-Id\` of the response. A code never changes meaning. An unknown route answers \`route.not-found\` (404). Every code (also in \`x-problem-types\`):

${problemTable()}`

function build(): Json {
  const paths: Record<string, Record<string, Json>> = {}
  for (const op of OPERATIONS) paths[op.path] = { ...paths[op.path], [op.method]: operationOf(op) }
  return {
    openapi: '3.1.0',
    info: { title: 'delivery-center API', version: packageJson.version, description: DESCRIPTION },
    servers: [{ url: '/' }],
    tags: [
      { name: 'meta', description: 'Liveness, readiness, metrics and this reference.' },
      { name: 'processes', description: 'Process definitions: the YAML language of `schemas/process.schema.json`.' },
      { name: 'instances', description: 'Deliveries: start, read, act, terminate, history.' },
      { name: 'clock', description: 'The clock and the deadlines it fires.' },
      { name: 'attachments', description: 'Files uploaded for actions, typed by content.' },
      { name: 'tokens', description: 'API tokens: list and revoke (create them with `npx delivery-center token create`).' },
      { name: 'console', description: 'Sign-in links to the web console for people (parties and administrators).' },
      { name: 'events', description: 'Public events of every change: a cursor feed in commit order and its live stream (docs/events.md).' },
      { name: 'webhooks', description: 'Webhook endpoints: signed events for every change, retried for days (see docs/webhooks.md).' },
      { name: 'proposals', description: 'Customised procedures proposed by parties (ISVs) and reviewed by administrators (see docs/proposals.md).' },
    ],
    paths,
    webhooks: webhookRequests(),
    components: {
      schemas: componentSchemas(),
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 1, maxLength: 255 },
          description: 'Makes a retry safe: the first response is stored and replayed to a retry with the same key and request.',
        },
      },
      headers: { IdempotentReplayed: header('`true` when the response is the stored one of an earlier request with the same Idempotency-Key.', { const: 'true' }) },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token from `npx delivery-center token create --role ROLE --subject SUBJECT`.' },
      },
    },
    'x-problem-types': Object.entries(PROBLEM_TYPES).map(([code, { status, title }]) => ({ code, status, title, type: `/problems/${code}` })),
  }
}

let cached: Json | undefined

/**
 * The OpenAPI 3.1 document of the HTTP API: every route with who may call it, its request and
 * response schemas (the `$defs` of `schemas/api.schema.json`, the very ones requests are
 * validated with, and the process language of `schemas/process.schema.json`) and the problem
 * codes it can answer with. Pure; built once and shared, so callers must not mutate it.
 */
export function buildOpenApi(): Json {
  cached ??= build()
  return cached
}
