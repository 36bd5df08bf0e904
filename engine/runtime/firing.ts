import type { Temporal } from 'temporal-polyfill'
import type { CompiledProcess } from '../definition/compiled.js'
import { EngineError } from '../errors.js'
import type { ErrorCode } from '../errors.js'
import { decide } from './decide.js'
import type { Event } from './events.js'
import type { InstanceState } from './state.js'

/** Longest error message kept in an `instance-failed` event: enough to explain, never a dump of a huge value. */
const MAX_MESSAGE = 2000

/** Why firing an instance's due deadlines failed: the refusal's code (`server.error` for anything thrown) and message. */
export interface FiringFailure {
  readonly code: ErrorCode
  readonly message: string
}

/**
 * What firing an instance's due deadlines comes to:
 * - `idle`: nothing is due;
 * - `fired`: the events to append (`timeouts` of them deadlines that fired) and the new state;
 * - `failed`: deciding failed (an expression failed at run time, say), the fault of the instance
 *   or its definition; `attempts` in a row have now failed. Below the limit only the count is
 *   written (`marked` absent); at the limit, `marked` holds the `fail` decision: the instance is
 *   marked failed and left for an administrator.
 */
export type Firing =
  | { readonly kind: 'idle' }
  | { readonly kind: 'fired'; readonly state: InstanceState; readonly events: readonly Event[]; readonly timeouts: number }
  | {
    readonly kind: 'failed'; readonly failure: FiringFailure; readonly attempts: number
    readonly marked?: { readonly state: InstanceState; readonly events: readonly Event[] }
  }

/**
 * Decides what firing the due deadlines of `state` comes to, given how many attempts in a row
 * have already failed (`failures`) and after how many the instance is marked failed
 * (`failAfter`). Pure, as `decide` is: the same arguments always give the same firing.
 */
export async function decideFiring(process: CompiledProcess, state: InstanceState, failures: number, failAfter: number, now: Temporal.Instant): Promise<Firing> {
  let failure: FiringFailure
  try {
    const decision = await decide(process, state, { type: 'fire-due' }, now)
    if (decision.ok) {
      if (decision.events.length === 0) return { kind: 'idle' }
      const timeouts = decision.events.filter((e) => e.type === 'window-expired' || (e.type === 'action-performed' && e.trigger === 'timeout')).length
      return { kind: 'fired', state: decision.state, events: decision.events, timeouts }
    }
    failure = { code: decision.rejection.code, message: decision.rejection.message.slice(0, MAX_MESSAGE) }
  } catch (error) {
    failure = { code: error instanceof EngineError ? error.code : 'server.error', message: messageOf(error).slice(0, MAX_MESSAGE) }
  }
  const attempts = failures + 1
  if (attempts < failAfter) return { kind: 'failed', failure, attempts }
  const marked = await decide(process, state, { type: 'fail', ...failure, attempts }, now)
  // Only an active instance can be marked failed, and only an active one has deadlines to fire.
  return marked.ok ? { kind: 'failed', failure, attempts, marked: { state: marked.state, events: marked.events } } : { kind: 'failed', failure, attempts }
}

/** The message of anything thrown. */
function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' && error.message !== '') return error.message
  return String(error)
}
