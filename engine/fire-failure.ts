import { EngineError } from './errors.js'
import type { ErrorCode } from './errors.js'

/** Longest error message kept in an `instance-failed` event: enough to explain, never a dump of a huge value. */
const MAX_MESSAGE = 2000

/**
 * Deciding to fire an instance's due deadline failed: the decision was refused, or it threw (an
 * expression failed at run time, say). The fault is the instance's or its definition's, never
 * the database's, so it counts towards marking the instance failed. `cause` is the original error.
 */
export class FireFailure extends Error {
  override name = 'FireFailure'
  /** The refusal's code (`expression.failed` for an expression that failed); `server.error` for anything else thrown. */
  readonly code: ErrorCode
  /** The revision of the instance the failed decision was made on. */
  readonly revision: number
  constructor(cause: unknown, revision: number) {
    const error = firingError(cause)
    super(messageOf(error).slice(0, MAX_MESSAGE), { cause })
    this.code = error instanceof EngineError ? error.code : 'server.error'
    this.revision = revision
  }
}

/**
 * What deciding to fire threw, as it is answered: JSONata throws plain objects (a `code` such as
 * `D3030` and a `message`), not errors, for an expression that fails at run time; those become
 * `expression.failed`. Anything else is returned as it is.
 */
export function firingError(error: unknown): unknown {
  if (error instanceof Error || typeof error !== 'object' || error === null) return error
  if (!('code' in error && typeof error.code === 'string' && 'message' in error && typeof error.message === 'string')) return error
  return new EngineError('expression.failed', `An expression of the process failed: ${error.message}`)
}

/** The message of anything thrown. */
function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' && error.message !== '') return error.message
  return String(error)
}
