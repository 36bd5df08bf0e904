import type { FieldProblem, RejectionCode } from '../errors.js'
import type { Event } from './events.js'
import type { InstanceState } from './state.js'

/** Why a command was refused: a stable code, a message that says what is accepted, and the failing fields. */
export interface Rejection {
  readonly code: RejectionCode
  readonly message: string
  readonly problems?: readonly FieldProblem[]
}

/** The result of deciding a command: the events to append and the state they lead to, or a rejection. */
export type Decision =
  | { readonly ok: true; readonly events: readonly Event[]; readonly state: InstanceState }
  | { readonly ok: false; readonly rejection: Rejection }

/** `conflict.stale` when the caller expected another revision than the instance's, else undefined. */
export function staleRevision(state: InstanceState, expected: number | undefined): Decision | undefined {
  if (expected === undefined || expected === state.revision) return undefined
  return reject('conflict.stale', `Instance "${state.id}" is at revision ${state.revision}, not ${expected}; reload it and retry.`,
    [{ pointer: '/expectedRevision', rule: 'const', message: `must be the instance's revision, ${state.revision} now` }])
}

/** What `instance.exists` says of the start's field: the id it asks for is taken. */
export const INSTANCE_ID_TAKEN: FieldProblem = { pointer: '/id', rule: 'unique', message: 'must be an id no instance has' }

/** A refused command. */
export function reject(code: RejectionCode, message: string, problems?: readonly FieldProblem[]): Decision {
  return { ok: false, rejection: problems ? { code, message, problems } : { code, message } }
}
