import type { Budget } from '../definition/expression-limits.js'
import type { FieldProblem } from '../errors.js'
import { checkParameterValue } from '../definition/compile-parameters.js'
import type { CompiledProcess } from '../definition/compiled.js'
import { fieldProblems } from '../definition/json-schema.js'
import { pointerOf } from '../definition/pointer.js'
import { mayStart, startForbidden, starterParties } from './authorize.js'
import type { Command } from './commands.js'
import type { Decision, Rejection } from './decision.js'
import { reject } from './decision.js'
import type { Event } from './events.js'
import { evolve } from './evolve.js'
import { moveTo } from './transitions.js'
import { dueAfter } from './time.js'
import { Temporal } from 'temporal-polyfill'
import { own } from './own.js'

type Start = Extract<Command, { type: 'start' }>

/**
 * How many deliveries of a process a party that starts its own (an ISV's listing: a process's
 * `startedBy`) may start in any hour, counting every delivery of that process it is a party of:
 * every start stores a delivery and its events, and only the marketplace (admin, system) starts
 * without a bound.
 */
export const PARTY_STARTS_PER_HOUR = 100

/**
 * The refusal of a start by a party that has `started` deliveries in the last hour, the earliest
 * at `earliest`, when that is as many as may be (`start.quota`).
 */
export function partyStartRefusal(started: number, earliest: string | null): Rejection | undefined {
  if (started < PARTY_STARTS_PER_HOUR) return undefined
  const first = earliest === null ? '' : ` (the earliest at ${earliest})`
  return { code: 'start.quota', message: `You are a party of ${started} deliveries of this process started in the last hour${first}; a party may start ${PARTY_STARTS_PER_HOUR} of a process an hour, and each counts for an hour from its start.` }
}

/** Starts an instance: checks parties, parameters and order context, then enters the first step. */
export async function start(process: CompiledProcess, command: Start, at: string, budget: Budget): Promise<Decision> {
  if (!mayStart(process, command.by)) return { ok: false, rejection: startForbidden(process, command.by) }
  const starter = starterParties(process, command.parties, command.by)
  if ('rejection' in starter) return { ok: false, rejection: starter.rejection }
  const overQuota = command.partyStarts && partyStartRefusal(command.partyStarts.count, command.partyStarts.earliest)
  if (overQuota) return { ok: false, rejection: overQuota }
  const problems = [
    ...partyProblems(process, starter.parties),
    ...parameterProblems(process, command.parameters ?? {}, at),
    ...contextProblems(process, command.context ?? {}),
  ]
  if (problems.length > 0) {
    return reject('input.invalid', `The instance cannot start: ${problems.length} field${problems.length === 1 ? ' is' : 's are'} invalid.`, problems)
  }
  const parameters: Record<string, unknown> = {}
  for (const parameter of process.parameters.values()) {
    parameters[parameter.name] = own(command.parameters, parameter.name) ?? parameter.default
  }
  const started: Event = {
    type: 'instance-started', at, by: command.by, instanceId: command.instanceId,
    processId: process.id, processVersion: process.version,
    parties: starter.parties, parameters, context: command.context ?? {},
  }
  const initial = evolve(undefined, started)
  const entered = await moveTo(process, initial, { kind: 'step', step: process.initialStep }, at, budget)
  const state = entered.reduce(evolve, initial)
  return { ok: true, events: [started, ...entered], state: { ...state, revision: 1 } }
}

function partyProblems(process: CompiledProcess, parties: Readonly<Record<string, unknown>>): FieldProblem[] {
  const problems: FieldProblem[] = []
  for (const role of process.roles) {
    const subject = own(parties, role)
    if (typeof subject !== 'string' || subject.length === 0) {
      problems.push({ pointer: pointerOf('parties', role), rule: 'required', message: `must name the ${role} of the instance (a non-empty subject id)` })
    }
  }
  for (const role of Object.keys(parties)) {
    if (!process.roles.includes(role)) {
      problems.push({ pointer: pointerOf('parties', role), rule: 'additionalProperties', message: `is not a role of process "${process.id}"; its roles are ${process.roles.join(', ')}` })
    }
  }
  return problems
}

function parameterProblems(process: CompiledProcess, given: Readonly<Record<string, unknown>>, at: string): FieldProblem[] {
  const problems: FieldProblem[] = []
  for (const parameter of process.parameters.values()) {
    const value = own(given, parameter.name)
    const pointer = pointerOf('parameters', parameter.name)
    if (value === undefined) {
      if (parameter.default === undefined) problems.push({ pointer, rule: 'required', message: `is required (a ${parameter.type})` })
      continue
    }
    const problem = checkParameterValue(parameter.type, value) ?? (parameter.type === 'duration' ? unreachable(value as string, at, process.timeZone) : undefined)
    if (problem) problems.push({ pointer, rule: 'type', message: problem })
  }
  for (const name of Object.keys(given)) {
    if (!process.parameters.has(name)) {
      problems.push({ pointer: pointerOf('parameters', name), rule: 'additionalProperties', message: `is not a parameter of process "${process.id}"` })
    }
  }
  return problems
}

/** A duration whose deadline cannot be represented (beyond the year 275760) is refused at start, not when it falls due. */
function unreachable(duration: string, at: string, timeZone: string): string | undefined {
  try {
    dueAfter(at, { kind: 'duration', duration: Temporal.Duration.from(duration) }, {}, timeZone)
    return undefined
  } catch {
    return `is too long: a deadline ${duration} from now cannot be represented`
  }
}

/**
 * The most a start's `context` may hold, as JSON (64 KiB): the order's details, with room. Every
 * public event of the delivery carries its context, and a party that starts its own deliveries
 * (an ISV's listing) must not make each of them, and every page of the event feed, as large as a
 * request may be.
 */
export const MAX_CONTEXT_BYTES = 64 * 1024

function contextProblems(process: CompiledProcess, context: unknown): FieldProblem[] {
  const bytes = new TextEncoder().encode(JSON.stringify(context)).length
  if (bytes > MAX_CONTEXT_BYTES) {
    return [{ pointer: '/context', rule: 'maxBytes', message: `must be at most ${MAX_CONTEXT_BYTES / 1024} KiB as JSON (it is ${Math.ceil(bytes / 1024)} KiB)` }]
  }
  if (process.context.validate(context)) return []
  return fieldProblems(process.context.validate.errors).map((p) => ({ ...p, pointer: `/context${p.pointer}` }))
}
