import { describe, expect, it } from 'vitest'
import { Temporal } from 'temporal-polyfill'
import { compileProcess, decide, evolve, loadBuiltInProcesses } from '../../../engine/index.js'
import type { CompiledProcess, Decision, InstanceState } from '../../../engine/index.js'
import { viewInstance } from '../../../engine/runtime/view.js'
import { FRAGILE, FRAGILE_DUE, FRAGILE_PARTIES } from '../../support/fragile.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, T0 } from '../../support/engine.js'

const basic = loadBuiltInProcesses().find((p) => p.id === 'basic') as CompiledProcess
const compiled = compileProcess(FRAGILE, 'fragile.yaml')
if (!compiled.ok) throw new Error(compiled.errors.map(String).join('\n'))
const fragile = compiled.process
const at = (iso: string) => Temporal.Instant.from(iso)
const DUE = '2026-01-15T00:00:00.000Z'
const LATER = '2026-01-16T00:00:00.000Z'
const FAIL = { type: 'fail', code: 'expression.failed', message: 'The value "x" is not a number.', attempts: 3 } as const

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

function accepted(decision: Decision): InstanceState {
  if (!decision.ok) throw new Error(`${decision.rejection.code}: ${decision.rejection.message}`)
  return deepFreeze(decision.state)
}

/** A basic delivery waiting for the customer's confirmation, due at {@link DUE}. */
async function awaitingConfirmation(): Promise<InstanceState> {
  let state = accepted(await decide(basic, undefined, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }, at(T0)))
  state = accepted(await decide(basic, state, { type: 'act', by: CUSTOMER, action: 'submit', inputs: DEMAND }, at(T0)))
  return accepted(await decide(basic, state, { type: 'act', by: ISV, action: 'finish' }, at(T0)))
}

async function failedAt(instant: string): Promise<InstanceState> {
  return accepted(await decide(basic, await awaitingConfirmation(), FAIL, at(instant)))
}

describe('marking an instance failed', () => {
  it('records the error and the attempts, keeps the step and deadlines, and replays to the same state', async () => {
    const state = await awaitingConfirmation()
    const decision = await decide(basic, state, FAIL, at(LATER))
    expect(decision.ok && decision.events).toEqual([
      { type: 'instance-failed', at: LATER, code: 'expression.failed', message: FAIL.message, attempts: 3 },
    ])
    const failed = accepted(decision)
    expect(failed).toMatchObject({
      status: 'failed', step: 'confirm-delivery', deadlines: state.deadlines, revision: state.revision + 1,
      failure: { code: 'expression.failed', message: FAIL.message, at: LATER, attempts: 3 },
    })
    expect({ ...(decision.ok ? decision.events : []).reduce(evolve, state), revision: failed.revision }).toEqual(failed)
  })

  it('is refused for an instance that is not active', async () => {
    const failed = await failedAt(LATER)
    expect(await decide(basic, failed, FAIL, at(LATER))).toMatchObject({ ok: false, rejection: { code: 'instance.ended' } })
  })

  it('makes acts refused with instance.failed and leaves nothing to fire', async () => {
    const failed = await failedAt(LATER)
    expect(await decide(basic, failed, { type: 'act', by: CUSTOMER, action: 'confirm' }, at(LATER)))
      .toMatchObject({ ok: false, rejection: { code: 'instance.failed' } })
    expect(await decide(basic, failed, { type: 'fire-due' }, at(LATER))).toEqual({ ok: true, events: [], state: failed })
  })

  it('shows the failure to administrators and the system only, and no actions to anyone', async () => {
    const failed = await failedAt(LATER)
    expect(viewInstance(basic, failed, ADMIN)).toMatchObject({ status: 'failed', failure: failed.failure, actions: [] })
    expect(viewInstance(basic, failed, { role: 'system', subject: 'marketplace' }).failure).toEqual(failed.failure)
    const seenByCustomer = viewInstance(basic, failed, CUSTOMER)
    expect(seenByCustomer).toMatchObject({ status: 'failed', step: { id: 'confirm-delivery' }, actions: [] })
    expect(seenByCustomer.failure).toBeUndefined()
  })

  it('lets an administrator terminate a failed instance', async () => {
    const failed = await failedAt(LATER)
    const decision = await decide(basic, failed, { type: 'terminate', by: ADMIN, reason: 'Bad definition' }, at(LATER))
    const terminated = accepted(decision)
    expect(terminated).toMatchObject({ status: 'terminated', outcome: 'terminated', step: undefined })
    expect(terminated.failure).toBeUndefined()
  })
})

describe('retrying a failed instance', () => {
  it('puts it back to active and fires its due deadlines in the same decision', async () => {
    const failed = await failedAt(DUE)
    const decision = await decide(basic, failed, { type: 'retry', by: ADMIN }, at(LATER))
    expect(decision.ok && decision.events.map((e) => e.type)).toEqual(['instance-retried', 'action-performed', 'instance-completed'])
    expect(decision.ok && decision.events[0]).toEqual({ type: 'instance-retried', at: LATER, by: ADMIN })
    expect(decision.ok && decision.events[1]).toMatchObject({ trigger: 'timeout', due: DUE, firedAt: LATER })
    const state = accepted(decision)
    expect(state).toMatchObject({ status: 'completed', outcome: 'completed', revision: failed.revision + 1 })
    expect({ ...(decision.ok ? decision.events : []).reduce(evolve, failed), revision: state.revision }).toEqual(state)
  })

  it('leaves it active with its deadline when nothing is due yet', async () => {
    const failed = await failedAt(T0)
    const state = accepted(await decide(basic, failed, { type: 'retry', by: ADMIN }, at(T0)))
    expect(state).toMatchObject({ status: 'active', step: 'confirm-delivery', deadlines: failed.deadlines, revision: failed.revision + 1 })
    expect(state.failure).toBeUndefined()
  })

  it('is refused to anyone but an administrator, for an instance that has not failed, and at a stale revision', async () => {
    const failed = await failedAt(LATER)
    expect(await decide(basic, failed, { type: 'retry', by: { role: 'system', subject: 'marketplace' } }, at(LATER)))
      .toMatchObject({ ok: false, rejection: { code: 'auth.forbidden' } })
    expect(await decide(basic, await awaitingConfirmation(), { type: 'retry', by: ADMIN }, at(LATER)))
      .toMatchObject({ ok: false, rejection: { code: 'instance.not-failed' } })
    expect(await decide(basic, failed, { type: 'retry', by: ADMIN, expectedRevision: failed.revision - 1 }, at(LATER)))
      .toMatchObject({ ok: false, rejection: { code: 'conflict.stale' } })
  })

  it('fails as firing does when the deadline fails again', async () => {
    const started = accepted(await decide(fragile, undefined, { type: 'start', instanceId: 'f-1', by: ADMIN, parties: FRAGILE_PARTIES, parameters: { amount: 'x' } }, at(T0)))
    const failed = accepted(await decide(fragile, started, FAIL, at(FRAGILE_DUE)))
    const firing = decide(fragile, { ...failed, status: 'active' }, { type: 'fire-due' }, at(FRAGILE_DUE)).then((d) => (d.ok ? 'fired' : d.rejection.code), () => 'threw')
    const retrying = decide(fragile, failed, { type: 'retry', by: ADMIN }, at(FRAGILE_DUE)).then((d) => (d.ok ? 'fired' : d.rejection.code), () => 'threw')
    expect(await firing).not.toBe('fired')
    expect(await retrying).toBe(await firing)
  })
})
