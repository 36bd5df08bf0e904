import { EngineError } from './errors.js'
import type { ErrorCode } from './errors.js'

/** Longest error message kept in an `instance-failed` event: enough to explain, never a dump of a huge value. */
const MAX_MESSAGE = 2000

/**
 * Deciding to fire an instance's due deadline failed: the decision was refused (an expression
 * failed at run time, say), or it threw. The fault is the instance's or its definition's, never
 * the database's, so it counts towards marking the instance failed. `cause` is the original error.
 */
export class FireFailure extends Error {
  override name = 'FireFailure'
  /** The refusal's code (`expression.failed` for an expression that failed); `server.error` for anything else thrown. */
  readonly code: ErrorCode
  /** The revision of the instance the failed decision was made on. */
  readonly revision: number
  constructor(cause: unknown, revision: number) {
    super(messageOf(cause).slice(0, MAX_MESSAGE), { cause })
    this.code = cause instanceof EngineError ? cause.code : 'server.error'
    this.revision = revision
  }
}

/** The message of anything thrown. */
function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' && error.message !== '') return error.message
  return String(error)
}
