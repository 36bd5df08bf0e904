import { forbidden, may } from './authorize.js'
import type { Command } from './commands.js'
import type { Decision } from './decision.js'
import { reject, staleRevision } from './decision.js'
import type { Event } from './events.js'
import { evolve } from './evolve.js'
import { CONTROL, CONTROL_RULE, isBlank } from './free-text.js'
import type { InstanceState } from './state.js'

type Terminate = Extract<Command, { type: 'terminate' }>

/** The longest reason for a termination, in characters (the API's `TerminateRequest` says the same). */
export const MAX_TERMINATION_REASON = 2000

/** Ends an instance in progress on an administrator's decision, with the reason recorded. */
export function terminate(state: InstanceState, command: Terminate, at: string): Decision {
  if (!may(command.by, 'terminate')) return { ok: false, rejection: forbidden(command.by, 'terminate') }
  // A failed instance may be terminated too: it is one of the ways out of it.
  if (state.status !== 'active' && state.status !== 'failed') return reject('instance.ended', `Instance "${state.id}" has already ended (${state.outcome}).`)
  const stale = staleRevision(state, command.expectedRevision)
  if (stale) return stale
  const reason = command.reason
  if (isBlank(reason)) {
    return reject('input.invalid', 'A termination needs a reason.', [{ pointer: '/reason', rule: 'minLength', message: 'must not be empty' }])
  }
  if (reason.length > MAX_TERMINATION_REASON) {
    return reject('input.invalid', `The reason is ${reason.length.toLocaleString('en')} characters long.`, [{ pointer: '/reason', rule: 'maxLength', message: `must be at most ${MAX_TERMINATION_REASON.toLocaleString('en')} characters` }])
  }
  if (CONTROL.test(reason)) {
    return reject('input.invalid', 'The reason holds a control character.', [{ pointer: '/reason', rule: 'pattern', message: CONTROL_RULE }])
  }
  const event: Event = { type: 'instance-terminated', at, by: command.by, reason: command.reason }
  return { ok: true, events: [event], state: { ...evolve(state, event), revision: state.revision + 1 } }
}
