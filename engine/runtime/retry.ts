import type { Budget } from '../definition/expression-limits.js'
import type { CompiledProcess } from '../definition/compiled.js'
import { forbidden, may } from './authorize.js'
import type { Command } from './commands.js'
import type { Decision } from './decision.js'
import { reject, staleRevision } from './decision.js'
import type { Event } from './events.js'
import { evolve } from './evolve.js'
import { fireDue } from './fire-due.js'
import type { InstanceState } from './state.js'

type Retry = Extract<Command, { type: 'retry' }>

/**
 * Puts a failed instance back to active and fires its due deadlines in the same decision, so the
 * retry either gets the instance past the deadline that failed or is refused as firing it is (and
 * then nothing changes: the instance stays failed). Administrators only.
 */
export async function retry(process: CompiledProcess, state: InstanceState, command: Retry, at: string, budget: Budget): Promise<Decision> {
  if (!may(command.by, 'retry')) return { ok: false, rejection: forbidden(command.by, 'retry') }
  if (state.status !== 'failed') {
    return reject('instance.not-failed', `Instance "${state.id}" is ${state.status}, not failed; only a failed instance can be retried.`)
  }
  const stale = staleRevision(state, command.expectedRevision)
  if (stale) return stale
  const retried: Event = { type: 'instance-retried', at, by: command.by }
  const active = evolve(state, retried)
  const fired = await fireDue(process, active, at, budget)
  if (!fired.ok) return fired
  const events = [retried, ...fired.events]
  return { ok: true, events, state: { ...fired.events.reduce(evolve, active), revision: state.revision + 1 } }
}
