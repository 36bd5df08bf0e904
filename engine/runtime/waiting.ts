import type { CompiledProcess } from '../definition/compiled.js'
import type { InstanceState } from './state.js'

/** The party roles the current step waits on: its actors that are parties of the instance. */
export function waitingRoles(process: CompiledProcess, state: InstanceState): string[] {
  // A failed instance keeps its step, but waits on an administrator, not on its parties.
  if (state.status !== 'active') return []
  const step = state.step === undefined ? undefined : process.steps.get(state.step)
  return step ? step.actors.filter((role) => role in state.parties) : []
}
