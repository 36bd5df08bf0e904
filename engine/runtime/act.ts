import type { Budget } from '../definition/expression-limits.js'
import type { CompiledAction, CompiledProcess, Target } from '../definition/compiled.js'
import { fieldProblems } from '../definition/json-schema.js'
import { mayActIn } from './authorize.js'
import { checkAttachments } from './check-attachments.js'
import { checkInputs } from './check-inputs.js'
import type { Command } from './commands.js'
import { attachmentRefs } from './commands.js'
import type { Decision } from './decision.js'
import { reject, staleRevision } from './decision.js'
import type { Event } from './events.js'
import { evolve } from './evolve.js'
import type { FieldProblem } from '../errors.js'
import type { InstanceState } from './state.js'
import { isTrue } from '../definition/expression-limits.js'
import { earliestDeadline, expressionInput, moveTo } from './transitions.js'

type Act = Extract<Command, { type: 'act' }>

/**
 * Performs an action of the current step. Refused when the instance has ended, the revision is
 * stale, the action is not on the current step, the caller is not its executor, a deadline has
 * already passed (the system acts then, not the person), or the inputs or attachments break the
 * action's rules.
 */
export async function act(process: CompiledProcess, state: InstanceState, command: Act, at: string, budget: Budget): Promise<Decision> {
  if (state.status !== 'active' || state.step === undefined) {
    return reject('instance.ended', `Instance "${state.id}" has ended (${state.outcome}); no action is possible.`)
  }
  const stale = staleRevision(state, command.expectedRevision)
  if (stale) return stale
  const step = process.steps.get(state.step)
  if (!step) throw new Error(`Instance ${state.id} is at unknown step ${state.step}`)
  if (command.step !== undefined && command.step !== step.id) {
    return reject('step.not-current', `Step "${command.step}" is not current; the instance is at "${step.id}" (${step.title}).`,
      [{ pointer: '/step', rule: 'const', message: `must be the current step, "${step.id}"` }])
  }
  const action = step.actions.get(command.action)
  if (!action) {
    const actions = [...step.actions.keys()].join(', ')
    const owner = [...process.steps.values()].find((s) => s.actions.has(command.action))
    if (owner) {
      return reject('step.not-current', `Action "${command.action}" belongs to step "${owner.id}", but the instance is at "${step.id}" (${step.title}).`,
        [{ pointer: '/action', rule: 'enum', message: `must be an action of the current step "${step.id}": ${actions}` }])
    }
    return reject('action.unknown', `Step "${step.id}" has no action "${command.action}"; its actions are: ${actions}.`,
      [{ pointer: '/action', rule: 'enum', message: `must be an action of the current step "${step.id}": ${actions}` }])
  }
  if (!mayActIn(step, state, command.by) || !action.actors.includes(command.by.role)) {
    return reject('auth.forbidden', `Action "${action.id}" of step "${step.id}" is performed by ${action.actors.join(' or ')} of this instance; ${command.by.role} "${command.by.subject}" may not.`)
  }
  const deadline = earliestDeadline(state)
  if (deadline && deadline.due <= at) {
    return reject('deadline.passed', `The deadline of ${deadline.kind === 'timeout' ? `step "${deadline.step}"` : `window "${deadline.window}"`} passed at ${deadline.due}; the system acts on it now.`)
  }
  const inputs = command.inputs ?? {}
  if (!action.inputs.validate(inputs)) {
    const problems = fieldProblems(action.inputs.validate.errors).map((p) => ({ ...p, pointer: `/inputs${p.pointer}` }))
    return reject('input.invalid', `The inputs of "${action.id}" are invalid: ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}.`, problems)
  }
  const broken = await checkInputs(action, state, inputs, at, budget)
  if (broken.length > 0) {
    return reject('input.invalid', `The inputs of "${action.id}" are invalid: ${broken.map((p) => `${p.pointer} ${p.message}`).join('; ')}.`, broken)
  }
  const attachmentRejection = checkAttachments(action, command.attachments ?? {}, command.by, state.id)
  if (attachmentRejection) return { ok: false, rejection: attachmentRejection }
  const unmet = await unmetRequirements(action, state, inputs, at, budget)
  if (unmet.length > 0) {
    return reject('input.invalid', `The inputs of "${action.id}" do not meet its rules: ${unmet.map((p) => `${p.pointer} ${p.message}`).join('; ')}.`, unmet)
  }

  const performed: Event = {
    type: 'action-performed', at, step: step.id, action: action.id, by: command.by,
    inputs, attachments: attachmentRefs(command.attachments), trigger: 'actor',
  }
  const events = await perform(process, state, action, performed, at, budget)
  return { ok: true, events, state: { ...events.reduce(evolve, state), revision: state.revision + 1 } }
}

/**
 * The events of an action once it is accepted, by a person or by the system on a timeout: the
 * action itself, the values it records (computed in order, each seeing those before it), and the
 * move to where it leads.
 */
export async function perform(process: CompiledProcess, state: InstanceState, action: CompiledAction, performed: Event & { type: 'action-performed' }, at: string, budget: Budget): Promise<Event[]> {
  let current = evolve(state, performed)
  const events: Event[] = [performed]
  if (action.record.length > 0) {
    const values: Record<string, unknown> = {}
    for (const [name, expression] of action.record) {
      values[name] = await expression.evaluate(expressionInput({ ...current, values: { ...current.values, ...values } }, performed.inputs), at, budget)
    }
    const recorded: Event = { type: 'values-recorded', at, step: performed.step, action: action.id, values }
    events.push(recorded)
    current = evolve(current, recorded)
  }
  return [...events, ...await moveTo(process, current, targetOf(action, state), at, budget)]
}

/**
 * The action's `require` rules that the inputs break, given the instance as it is before the
 * action: each `that` must be true whenever its `when` is, true as a step's `when` is (JSONata's
 * truthiness: a missing field, false, 0, an empty string or array are not).
 */
async function unmetRequirements(action: CompiledAction, state: InstanceState, inputs: unknown, at: string, budget: Budget): Promise<FieldProblem[]> {
  const unmet: FieldProblem[] = []
  const input = expressionInput(state, inputs)
  for (const rule of action.require) {
    if (rule.when !== undefined && !isTrue(await rule.when.evaluate(input, at, budget))) continue
    if (!isTrue(await rule.that.evaluate(input, at, budget))) unmet.push({ pointer: rule.pointer, rule: 'require', message: rule.message })
  }
  return unmet
}

/**
 * Where an action leads now: its target, unless it sends work back to a step that has already
 * been returned to `rounds.max` times (entered `max + 1` times); then `rounds.then`.
 */
function targetOf(action: CompiledAction, state: InstanceState): Target {
  const { target, rounds } = action
  if (!rounds || target.kind !== 'step') return target
  const returns = (state.rounds[target.step] ?? 1) - 1
  return returns >= rounds.max ? rounds.then : target
}
