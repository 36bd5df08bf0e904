import type { CompiledProcess } from '../definition/compiled.js'
import type { InstanceState } from './state.js'
import { own } from './own.js'

/** A value an instance holds, which no other instance of its process in progress may (a process's `unique`). */
export interface HeldValue {
  /** The recorded value's name. */
  readonly name: string
  /** The value as JSON, compared exactly (`"svc-1"` and `"SVC-1"` differ). */
  readonly value: string
  /** What it is, for refusals (the `unique` entry's title). */
  readonly title: string
}

/**
 * The values `state` holds under its process's `unique`: each recorded one (not null) while the
 * instance is in progress (active, or failed and waiting for an administrator), and after it
 * ended with one of the entry's `keptAfter` outcomes. A terminated instance, or one that ended
 * otherwise, holds none: its values are free for others.
 */
export function heldValues(process: Pick<CompiledProcess, 'unique'>, state: InstanceState): HeldValue[] {
  const inProgress = state.status === 'active' || state.status === 'failed'
  return process.unique.flatMap((entry) => {
    const value = own(state.values, entry.value)
    const kept = inProgress || (state.status === 'completed' && state.outcome !== undefined && entry.keptAfter.includes(state.outcome))
    return kept && value !== undefined && value !== null ? [{ name: entry.value, value: JSON.stringify(value), title: entry.title }] : []
  })
}

/** Whether two lists of held values are the same (then nothing about them is written). */
export function sameHeldValues(a: readonly HeldValue[], b: readonly HeldValue[]): boolean {
  return a.length === b.length && a.every((held, i) => held.name === b[i]?.name && held.value === b[i]?.value)
}
