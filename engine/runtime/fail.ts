import type { Command } from './commands.js'
import type { Decision } from './decision.js'
import { reject } from './decision.js'
import type { Event } from './events.js'
import { evolve } from './evolve.js'
import type { InstanceState } from './state.js'

type Fail = Extract<Command, { type: 'fail' }>

/**
 * Marks an active instance failed because firing its due deadline kept failing: it keeps its
 * step and deadlines (so a retry can fire them) but has no claimable deadline while failed, and
 * refuses acts until an administrator retries or terminates it. Only an active instance can fail.
 */
export function fail(state: InstanceState, command: Fail, at: string): Decision {
  if (state.status !== 'active') return reject('instance.ended', `Instance "${state.id}" is ${state.status}, not active; it cannot be marked failed.`)
  const event: Event = { type: 'instance-failed', at, code: command.code, message: command.message, attempts: command.attempts }
  return { ok: true, events: [event], state: { ...evolve(state, event), revision: state.revision + 1 } }
}

/** The refusal of an act on a failed instance: `instance.failed`, naming the failure and the way out. */
export function refuseFailed(state: InstanceState): Decision {
  return reject('instance.failed', `Instance "${state.id}" has failed (${state.failure?.code ?? 'unknown error'}: firing its due deadline failed) and waits for an administrator to retry or terminate it; no action is possible until then.`)
}
