import type { CompiledStep } from '../definition/compiled.js'
import type { InstanceState, Principal } from './state.js'

/** Whether `who` is a party of the instance in the role it holds. */
export function isParty(state: InstanceState, who: Principal): boolean {
  return state.parties[who.role] === who.subject
}

/** Whether `who` may see the instance: its parties, administrators and the system. */
export function maySee(state: InstanceState, who: Principal): boolean {
  return who.role === 'admin' || who.role === 'system' || isParty(state, who)
}

/** Whether `who` is an executor of `step`: a party in one of its actor roles, or an admin where admin acts. */
export function mayActIn(step: CompiledStep, state: InstanceState, who: Principal): boolean {
  if (!step.actors.includes(who.role)) return false
  return who.role === 'admin' || isParty(state, who)
}
