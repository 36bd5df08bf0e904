import type { Rejection } from './runtime/decision.js'

/**
 * The one error hierarchy of the engine. Every failure a caller can act on carries a stable,
 * dotted `code` from the closed {@link ErrorCode} union; a released code never changes meaning.
 */

/** Codes of problems found in a process definition, each documented in docs/language.md. */
export type DefinitionCode =
  | 'definition.yaml-syntax'
  | 'definition.too-large'
  | 'definition.too-deep'
  | 'definition.unknown-alias'
  | 'definition.alias-limit'
  | 'definition.empty'
  | 'definition.encoding'
  | 'definition.duplicate-key'
  | 'definition.schema'
  | 'definition.duplicate-step'
  | 'definition.duplicate-action'
  | 'definition.duplicate-window'
  | 'definition.unknown-step'
  | 'definition.conflicting-target'
  | 'definition.missing-target'
  | 'definition.unknown-role'
  | 'definition.unreachable-step'
  | 'definition.no-end'
  | 'definition.unknown-timeout-action'
  | 'definition.timeout-action-inputs'
  | 'definition.unknown-parameter'
  | 'definition.parameter-type'
  | 'definition.parameter-default'
  | 'definition.duration'
  | 'definition.duplicate-reminder'
  | 'definition.reminder-too-long'
  | 'definition.time-zone'
  | 'definition.expression'
  | 'definition.expression-function'
  | 'definition.expression-reference'
  | 'definition.unknown-base'
  | 'definition.derivation'
  | 'definition.unknown-calendar'
  | 'definition.calendar-date'
  | 'definition.attachment-type'
  | 'definition.attachment-count'
  | 'definition.attachment-size'
  | 'definition.unique'
  | 'definition.input-schema'
  | 'definition.context-schema'
  | 'definition.check-input'
  | 'definition.unreadable'

/** Codes of commands the engine refuses; each leaves the database unchanged. */
export type RejectionCode =
  | 'process.not-found'
  | 'process.version-conflict'
  | 'process.owner-conflict'
  | 'instance.not-found'
  | 'instance.exists'
  | 'instance.ended'
  | 'step.not-current'
  | 'action.unknown'
  | 'auth.forbidden'
  | 'input.invalid'
  | 'attachment.not-found'
  | 'attachment.too-large'
  | 'attachment.empty'
  | 'attachment.unknown-slot'
  | 'attachment.count'
  | 'attachment.type'
  | 'attachment.size'
  | 'attachment.image'
  | 'unique.taken'
  | 'deadline.passed'
  | 'conflict.stale'
  | 'expression.failed'
  | 'instance.failed'
  | 'instance.not-failed'
  | 'token.not-found'
  | 'webhook-endpoint.not-found'
  | 'webhook-endpoint.secret-unreadable'
  | 'event.not-found'
  | 'proposal.not-found'
  | 'proposal.status'
  | 'proposal.limit'
  | 'start.quota'

/** Codes of requests the HTTP API refuses before they reach the engine. */
export type RequestCode =
  | 'auth.missing'
  | 'auth.invalid'
  | 'console.csrf'
  | 'request.malformed'
  | 'request.invalid'
  | 'request.too-large'
  | 'request.too-deep'
  | 'storage.full'
  | 'upload.quota'
  | 'check.busy'
  | 'stream.busy'
  | 'server.not-ready'
  | 'request.unsupported-media-type'
  | 'route.not-found'
  | 'idempotency.mismatch'
  | 'idempotency.in-progress'
  | 'clock.not-sandbox'
  | 'clock.backwards'
  | 'server.error'

/** Codes of problems found by running scenarios (docs/scenarios.md). */
export type ScenarioCode =
  /** The scenario file breaks `schemas/scenario.schema.json`, or a value in it cannot be used. */
  | 'scenario.invalid'
  /** The process it names cannot be read or compiled. */
  | 'scenario.process'
  /** A move was refused that the scenario expected to be accepted, or refused otherwise than expected. */
  | 'scenario.refused'
  /** A move was accepted that the scenario expected to be refused. */
  | 'scenario.accepted'
  /** Something the scenario expects does not hold after a move. */
  | 'scenario.expectation'

/** Every stable error code of the engine and its API. */
export type ErrorCode = DefinitionCode | 'definition.invalid' | RejectionCode | RequestCode | ScenarioCode

/** Where in a source file a problem is: 1-based line and column, and the JSON Pointer of the node. */
export type SourceLocation = Readonly<{ file: string; line: number; column: number; pointer: string }>

/** One failing field of a request or an input, named by its JSON Pointer. */
export interface FieldProblem {
  /** JSON Pointer of the failing field (for a missing or unknown property, the property itself). */
  readonly pointer: string
  /** The rule that failed: a JSON Schema keyword (`required`, `format`, ...) or an attachment rule. */
  readonly rule: string
  /** What is wrong and what is accepted. */
  readonly message: string
}

/** Base class of every error the engine reports on purpose. */
export class EngineError extends Error {
  override name = 'EngineError'
  readonly code: ErrorCode
  /** The failing fields of the request (a JSON pointer, the rule, what is accepted); empty when the refusal is of no field. */
  readonly fields: readonly FieldProblem[]
  constructor(code: ErrorCode, message: string, options?: ErrorOptions & { fields?: readonly FieldProblem[] }) {
    super(message, options)
    this.code = code
    this.fields = options?.fields ?? []
  }
}

/**
 * Characters a message would show as nothing, or that a terminal would act on: format characters
 * (a zero-width space, a direction mark) and control characters but line breaks and tabs.
 */
// eslint-disable-next-line no-control-regex -- matching them is the point
const HIDDEN = /[\p{Cf}\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/gu

/** `text` with each hidden character written as its code point (`deli\u{200B}ver`), so an author sees what the file holds. */
export function visibly(text: string): string {
  return text.replace(HIDDEN, (c) => `\\u{${(c.codePointAt(0) as number).toString(16).toUpperCase()}}`)
}

/** A problem in a process definition, located in its YAML source. */
export class DefinitionError extends EngineError {
  override name = 'DefinitionError'
  declare readonly code: DefinitionCode
  readonly location: SourceLocation
  readonly hint: string | undefined
  constructor(code: DefinitionCode, message: string, location: SourceLocation, hint?: string) {
    super(code, visibly(message))
    this.location = location
    this.hint = hint === undefined ? undefined : visibly(hint)
  }

  /** `FILE:LINE:COL code message (hint)`, the shape editors and CI annotate. */
  override toString(): string {
    const { file, line, column } = this.location
    return `${file}:${line}:${column} ${this.code} ${this.message}${this.hint ? ` Hint: ${this.hint}` : ''}`
  }
}

/** A problem found by running a scenario, located in the scenario file. */
export class ScenarioError extends EngineError {
  override name = 'ScenarioError'
  declare readonly code: ScenarioCode
  readonly location: SourceLocation
  constructor(code: ScenarioCode, message: string, location: SourceLocation) {
    super(code, visibly(message))
    this.location = location
  }

  /** `FILE:LINE:COL code message`, as DefinitionError. */
  override toString(): string {
    const { file, line, column } = this.location
    return `${file}:${line}:${column} ${this.code} ${this.message}`
  }
}

/** Thrown by `loadProcess` when a definition has problems; holds all of them, sorted by position. */
export class InvalidDefinitionError extends EngineError {
  override name = 'InvalidDefinitionError'
  readonly problems: readonly DefinitionError[]
  constructor(file: string, problems: readonly DefinitionError[]) {
    super('definition.invalid', `${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map(String).join('\n')}`)
    this.problems = problems
  }
}

/** A refusal decided by the runtime (a {@link Rejection}), as the error it is thrown as. */
export function rejectionError({ code, message, problems }: Rejection): EngineError {
  return new EngineError(code, message, problems ? { fields: problems } : {})
}

/** Exhaustiveness check for `switch` statements over closed unions. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`)
}
