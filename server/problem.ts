import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { DefinitionError, InvalidDefinitionError } from '../engine/index.js'
import type { ErrorCode, FieldProblem, SourceLocation , EngineError} from '../engine/index.js'

/** An RFC 9457 problem details body with the engine's stable `code` as an extension member. */
export interface ProblemDetails {
  readonly type: string
  readonly title: string
  readonly status: ContentfulStatusCode
  readonly detail: string
  readonly instance: string
  readonly code: ErrorCode
  readonly requestId?: string
  readonly errors?: readonly FieldProblem[]
  readonly problems?: ReadonlyArray<{ code: string; message: string; hint?: string; location: SourceLocation }>
}

// A Record over the whole union: a code without an HTTP meaning fails to compile.
const HTTP: Record<ErrorCode, { readonly status: ContentfulStatusCode; readonly title: string }> = {
  'definition.invalid': { status: 422, title: 'Process definition is invalid' },
  'definition.yaml-syntax': { status: 422, title: 'Process definition is not valid YAML' },
  'definition.too-large': { status: 413, title: 'Process definition too large' },
  'definition.too-deep': { status: 422, title: 'Process definition nested too deeply' },
  'definition.unknown-alias': { status: 422, title: 'YAML alias without an anchor' },
  'definition.alias-limit': { status: 422, title: 'YAML aliases expand too far' },
  'definition.empty': { status: 422, title: 'Process definition is empty' },
  'definition.encoding': { status: 422, title: 'Process definition is not UTF-8 text' },
  'definition.duplicate-key': { status: 422, title: 'Key repeated in a mapping' },
  'definition.schema': { status: 422, title: 'Process definition does not match the schema' },
  'definition.duplicate-step': { status: 422, title: 'Step id used twice' },
  'definition.duplicate-action': { status: 422, title: 'Action id used twice in a step' },
  'definition.duplicate-window': { status: 422, title: 'Window id used twice' },
  'definition.unknown-step': { status: 422, title: 'Reference to a step that does not exist' },
  'definition.conflicting-target': { status: 422, title: 'Action has both goto and end' },
  'definition.missing-target': { status: 422, title: 'Action leads nowhere' },
  'definition.unknown-role': { status: 422, title: 'Unknown role' },
  'definition.unreachable-step': { status: 422, title: 'Step cannot be reached' },
  'definition.no-end': { status: 422, title: 'Step can never finish' },
  'definition.unknown-timeout-action': { status: 422, title: 'Timeout action does not exist' },
  'definition.timeout-action-inputs': { status: 422, title: 'Timeout action needs inputs' },
  'definition.unknown-parameter': { status: 422, title: 'Unknown parameter' },
  'definition.parameter-type': { status: 422, title: 'Parameter of the wrong type' },
  'definition.parameter-default': { status: 422, title: 'Parameter default of the wrong type' },
  'definition.duration': { status: 422, title: 'Invalid ISO 8601 duration' },
  'definition.duplicate-reminder': { status: 422, title: 'Reminder listed twice for one deadline' },
  'definition.reminder-too-long': { status: 422, title: 'Reminder as long as its deadline' },
  'definition.time-zone': { status: 422, title: 'Unknown time zone' },
  'definition.expression': { status: 422, title: 'Invalid expression' },
  'definition.expression-function': { status: 422, title: 'Expression calls an unknown or refused function' },
  'definition.expression-reference': { status: 422, title: 'Expression reads a name the process does not have' },
  'definition.unknown-base': { status: 422, title: 'Base process not found' },
  'definition.derivation': { status: 422, title: 'Invalid derivation' },
  'definition.unknown-calendar': { status: 422, title: 'Unknown business calendar' },
  'definition.calendar-date': { status: 422, title: 'Invalid calendar date' },
  'definition.attachment-type': { status: 422, title: 'Unknown attachment type' },
  'definition.attachment-count': { status: 422, title: 'Attachment slot takes fewer files than it requires' },
  'definition.attachment-size': { status: 422, title: 'Attachment slot accepts no file' },
  'definition.unique': { status: 422, title: 'Unique value not recorded' },
  'definition.input-schema': { status: 422, title: 'Input schema is not valid JSON Schema' },
  'definition.context-schema': { status: 422, title: 'Context schema is not valid JSON Schema' },
  'definition.check-input': { status: 422, title: 'Check names no input of its action' },
  'definition.unreadable': { status: 422, title: 'Definition cannot be read' },
  'process.not-found': { status: 404, title: 'Process not found' },
  'process.version-conflict': { status: 409, title: 'Process version already registered with other content' },
  'process.owner-conflict': { status: 409, title: 'Process registered for another owner' },
  'instance.not-found': { status: 404, title: 'Instance not found' },
  'instance.exists': { status: 409, title: 'Instance already exists' },
  'instance.ended': { status: 409, title: 'Instance has ended' },
  'step.not-current': { status: 409, title: 'Step is not current' },
  'action.unknown': { status: 422, title: 'Unknown action' },
  'input.invalid': { status: 422, title: 'Invalid inputs' },
  'attachment.not-found': { status: 404, title: 'Attachment not found' },
  'attachment.too-large': { status: 413, title: 'Upload too large' },
  'attachment.empty': { status: 422, title: 'Upload is empty' },
  'attachment.unknown-slot': { status: 422, title: 'Unknown attachment slot' },
  'attachment.count': { status: 422, title: 'Wrong number of attachments' },
  'attachment.type': { status: 422, title: 'Attachment type not accepted' },
  'attachment.size': { status: 422, title: 'Attachment too large for its slot' },
  'attachment.image': { status: 422, title: 'Image does not meet its slot\'s rules' },
  'unique.taken': { status: 409, title: 'Value already held by another instance' },
  'deadline.passed': { status: 409, title: 'Deadline has passed' },
  'conflict.stale': { status: 409, title: 'Changed meanwhile' },
  'expression.failed': { status: 422, title: 'An expression of the process failed' },
  'instance.failed': { status: 409, title: 'Instance has failed and waits for an administrator' },
  'instance.not-failed': { status: 409, title: 'Instance has not failed' },
  'token.not-found': { status: 404, title: 'Token not found' },
  'webhook-endpoint.not-found': { status: 404, title: 'Webhook endpoint not found' },
  'webhook-endpoint.secret-unreadable': { status: 500, title: 'Webhook secret unreadable with this server\'s key' },
  'event.not-found': { status: 404, title: 'Event not found' },
  'proposal.not-found': { status: 404, title: 'Proposal not found' },
  'proposal.status': { status: 409, title: 'Proposal not in a status that allows this' },
  'proposal.limit': { status: 409, title: 'Too many open proposals' },
  'scenario.invalid': { status: 422, title: 'Invalid scenario file' },
  'scenario.process': { status: 422, title: 'Scenario process cannot be compiled' },
  'scenario.refused': { status: 422, title: 'Scenario move refused' },
  'scenario.accepted': { status: 422, title: 'Scenario move accepted where a refusal was expected' },
  'scenario.expectation': { status: 422, title: 'Scenario expectation not met' },
  'auth.missing': { status: 401, title: 'Authentication required' },
  'auth.invalid': { status: 401, title: 'Unknown, expired or revoked token' },
  'auth.forbidden': { status: 403, title: 'Not allowed' },
  'console.csrf': { status: 403, title: 'Cross-site request refused' },
  'request.malformed': { status: 400, title: 'Malformed request body' },
  'request.invalid': { status: 422, title: 'Invalid request body or query' },
  'request.too-large': { status: 413, title: 'Request body too large' },
  'request.too-deep': { status: 400, title: 'Request body nested too deeply' },
  'storage.full': { status: 507, title: 'No space left to store the upload' },
  'upload.quota': { status: 429, title: 'Upload quota used up' },
  'start.quota': { status: 429, title: 'Start quota used up' },
  'check.busy': { status: 429, title: 'Too many checks running or waiting' },
  'stream.busy': { status: 429, title: 'Too many event streams open' },
  'server.not-ready': { status: 503, title: 'Server not ready' },
  'request.unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'route.not-found': { status: 404, title: 'No such route' },
  'idempotency.mismatch': { status: 422, title: 'Idempotency key reused with another request' },
  'idempotency.in-progress': { status: 409, title: 'Request with this idempotency key still running' },
  'clock.not-sandbox': { status: 409, title: 'Clock can only be moved in sandbox mode' },
  'clock.backwards': { status: 422, title: 'Clock cannot move backwards' },
  'server.error': { status: 500, title: 'Internal Server Error' },
}

/** Every code with its status and title, for the API reference. */
export const PROBLEM_TYPES: Readonly<Record<ErrorCode, { readonly status: ContentfulStatusCode; readonly title: string }>> = HTTP

/** Maps an engine error to problem details. */
export function toProblem(error: EngineError, instance: string, requestId: string | undefined): ProblemDetails {
  const { status, title } = HTTP[error.code]
  return {
    type: `/problems/${error.code}`,
    title,
    status,
    detail: error.message,
    instance,
    code: error.code,
    ...(requestId ? { requestId } : {}),
    ...(error.fields.length > 0 ? { errors: error.fields } : {}),
    ...(error instanceof InvalidDefinitionError ? { problems: error.problems.map(located) } : {}),
    ...(error instanceof DefinitionError ? { problems: [located(error)] } : {}),
  }
}

function located(e: DefinitionError): { code: string; message: string; hint?: string; location: SourceLocation } {
  return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), location: e.location }
}

