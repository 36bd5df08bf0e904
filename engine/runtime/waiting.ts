import type { CompiledProcess } from '../definition/compiled.js'
import type { InstanceState } from './state.js'

/** The party roles the current step waits on: its actors that are parties of the instance. */
function waitingRoles(process: CompiledProcess, state: InstanceState): string[] {
  // A failed instance keeps its step, but waits on an administrator, not on its parties.
  if (state.status !== 'active') return []
  const step = state.step === undefined ? undefined : process.steps.get(state.step)
  return step ? step.actors.filter((role) => role in state.parties) : []
}

/** The parties an instance starts and stops waiting on as it moves to a new state. */
export interface WaitingChange {
  readonly started: readonly string[]
  readonly stopped: readonly string[]
  /** Whether it now waits on none of its parties (it ended, or failed and waits on an administrator). */
  readonly none: boolean
}

/** Whom an instance starts and stops waiting on, moving from `before` (none when it is new) to `after`. */
export function waitingChange(process: CompiledProcess, before: InstanceState | undefined, after: InstanceState): WaitingChange {
  const was = before ? waitingRoles(process, before) : []
  const is = waitingRoles(process, after)
  return { started: is.filter((role) => !was.includes(role)), stopped: was.filter((role) => !is.includes(role)), none: is.length === 0 }
}
