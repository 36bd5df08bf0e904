import { Budget } from '../definition/expression-limits.js'
import type { Temporal } from 'temporal-polyfill'
import { assertNever } from '../errors.js'
import type { CompiledProcess } from '../definition/compiled.js'
import { ExpressionFailure } from '../definition/expression.js'
import { act } from './act.js'
import type { Command } from './commands.js'
import type { Decision } from './decision.js'
import { INSTANCE_ID_TAKEN, reject } from './decision.js'
import { fail, refuseFailed } from './fail.js'
import { fireDue } from './fire-due.js'
import { retry } from './retry.js'
import { start } from './start.js'
import type { InstanceState } from './state.js'
import { terminate } from './terminate.js'
import { iso } from './time.js'

/**
 * Decides a command: the events to append and the new state, or a rejection with a stable code.
 * Pure: no I/O, no clock, no randomness; `now` is the only time source, so a decision always
 * replays identically. Asynchronous only because expressions (JSONata) evaluate asynchronously. `state` is undefined only for `start`.
 * An expression that fails, is cut off or reaches a limit refuses the command (`expression.failed`,
 * naming the expression's place in the definition): nothing of it is written.
 */
export async function decide(process: CompiledProcess, state: InstanceState | undefined, command: Command, now: Temporal.Instant): Promise<Decision> {
  try {
    return await decideCommand(process, state, command, now)
  } catch (error) {
    if (error instanceof ExpressionFailure) return reject('expression.failed', error.message)
    throw error
  }
}

async function decideCommand(process: CompiledProcess, state: InstanceState | undefined, command: Command, now: Temporal.Instant): Promise<Decision> {
  const at = iso(now)
  // One budget for every expression the decision evaluates: together they stay within the
  // limits of one evaluation, however many deadlines fire or steps are skipped.
  const budget = new Budget()
  if (command.type === 'start') {
    if (state) return reject('instance.exists', `Instance "${state.id}" already exists.`, [INSTANCE_ID_TAKEN])
    return start(process, command, at, budget)
  }
  if (!state) return reject('instance.not-found', 'The instance does not exist.')
  // A failed instance waits for an administrator to retry or terminate it.
  if (state.status === 'failed' && command.type === 'act') return refuseFailed(state)
  switch (command.type) {
    case 'act':
      return act(process, state, command, at, budget)
    case 'fire-due':
      return fireDue(process, state, at, budget)
    case 'terminate':
      return terminate(state, command, at)
    case 'fail':
      return fail(state, command, at)
    case 'retry':
      return retry(process, state, command, at, budget)
    default:
      return assertNever(command)
  }
}
