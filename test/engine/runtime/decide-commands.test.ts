import apiSchema from '../../../schemas/api.schema.json' with { type: 'json' }
import { MAX_TERMINATION_REASON } from '../../../engine/runtime/terminate.js'
import { describe, expect, it } from 'vitest'
import { evolve, SYSTEM } from '../../../engine/index.js'
import type { Command, Decision, InstanceState, Principal } from '../../../engine/index.js'
import { builtIn, compileForTest, decideAt, stateAfter } from '../../support/decide.js'

// The accepted path of every command kind `decide` takes (start, act and fire-due are also in
// decide.test.ts and the replay goldens): terminate, fail, retry, rounds that run out, firing
// with nothing due. No database.

const T0 = '2026-01-01T00:00:00.000Z'
const ADMIN: Principal = { role: 'admin', subject: 'a-1' }
const CUSTOMER: Principal = { role: 'customer', subject: 'c-1' }
const ISV: Principal = { role: 'isv', subject: 'v-1' }
const DEMAND = { contact: { name: 'Li Lei', phone: '+86 138 0000 0000', email: 'li@example.com' }, demands: 'A shop website' }
const day = (n: number): string => new Date(Date.UTC(2026, 0, 1 + n)).toISOString()

const basic = builtIn('basic')
const start: Command = { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }
const FAIL: Command = { type: 'fail', code: 'expression.failed', message: 'Firing failed.', attempts: 3 }
const atConfirm = await stateAfter(basic, [[T0, start], [T0, { type: 'act', by: CUSTOMER, action: 'submit', inputs: DEMAND }], [day(1), { type: 'act', by: ISV, action: 'finish' }]])
const failed = await stateAfter(basic, [[T0, start], [T0, { type: 'act', by: CUSTOMER, action: 'submit', inputs: DEMAND }], [day(1), { type: 'act', by: ISV, action: 'finish' }], [day(15), FAIL]])

function accepted(decision: Decision): Extract<Decision, { ok: true }> {
  if (!decision.ok) throw new Error(`${decision.rejection.code}: ${decision.rejection.message}`)
  return decision
}

/** The decision's state is its events folded onto the state before, one revision on. */
function expectConsistent(before: InstanceState, decision: Decision): void {
  const { events, state } = accepted(decision)
  expect({ ...events.reduce(evolve, before), revision: before.revision + 1 }).toEqual(state)
}

describe('decide accepts', () => {
  it('a termination by an administrator, ending the instance with its reason and clearing its deadlines', async () => {
    const decision = await decideAt(basic, atConfirm, { type: 'terminate', by: ADMIN, reason: 'Refunded', expectedRevision: atConfirm.revision }, day(2))
    expect(accepted(decision).events).toEqual([{ type: 'instance-terminated', at: day(2), by: ADMIN, reason: 'Refunded' }])
    expect(accepted(decision).state).toMatchObject({ status: 'terminated', outcome: 'terminated', step: undefined, deadlines: { timeout: undefined, windows: {} } })
    expectConsistent(atConfirm, decision)
  })

  it('a termination whose reason is as long as the API allows, over several lines', async () => {
    const reason = `${'x'.repeat(1_993)}\n\tdone.`
    expect(reason).toHaveLength(2_000)
    expect(accepted(await decideAt(basic, atConfirm, { type: 'terminate', by: ADMIN, reason }, day(2))).events).toMatchObject([{ reason }])
    // The API's shape says the same.
    expect(apiSchema.$defs.TerminateRequest.properties.reason.maxLength).toBe(MAX_TERMINATION_REASON)
  })

  it('a termination of a failed instance, which clears its failure', async () => {
    const decision = await decideAt(basic, failed, { type: 'terminate', by: ADMIN, reason: 'Closed' }, day(16))
    expect(accepted(decision).state).toMatchObject({ status: 'terminated', failure: undefined })
    expectConsistent(failed, decision)
  })

  it('marking an active instance failed, keeping its step and due timeout for a retry', async () => {
    const decision = await decideAt(basic, atConfirm, FAIL, day(15))
    expect(accepted(decision).events).toEqual([{ type: 'instance-failed', at: day(15), code: 'expression.failed', message: 'Firing failed.', attempts: 3 }])
    expect(accepted(decision).state).toMatchObject({
      status: 'failed', step: 'confirm-delivery', deadlines: atConfirm.deadlines,
      failure: { code: 'expression.failed', message: 'Firing failed.', at: day(15), attempts: 3 },
    })
    expectConsistent(atConfirm, decision)
  })

  it('a retry by an administrator, firing the overdue timeout at its due instant in the same decision', async () => {
    const decision = await decideAt(basic, failed, { type: 'retry', by: ADMIN, expectedRevision: failed.revision }, day(16))
    expect(accepted(decision).events.map((e) => e.type)).toEqual(['instance-retried', 'action-performed', 'instance-completed'])
    expect(accepted(decision).events[1]).toMatchObject({ by: SYSTEM, trigger: 'timeout', at: day(15), due: day(15), firedAt: day(16) })
    expect(accepted(decision).state).toMatchObject({ status: 'completed', failure: undefined })
    expectConsistent(failed, decision)
  })

  it('a retry with nothing due yet, which only puts the instance back to active', async () => {
    const early = await stateAfter(basic, [[T0, start], [T0, FAIL]])
    const decision = await decideAt(basic, early, { type: 'retry', by: ADMIN }, day(1))
    expect(accepted(decision).events).toEqual([{ type: 'instance-retried', at: day(1), by: ADMIN }])
    expect(accepted(decision).state).toMatchObject({ status: 'active', step: 'submit-demand', revision: early.revision + 1 })
  })

  it('firing with nothing due, and firing on an ended instance: no events, the same state and revision', async () => {
    expect(await decideAt(basic, atConfirm, { type: 'fire-due' }, day(2))).toEqual({ ok: true, events: [], state: atConfirm })
    const ended = accepted(await decideAt(basic, atConfirm, { type: 'act', by: CUSTOMER, action: 'confirm' }, day(2))).state
    expect(await decideAt(basic, ended, { type: 'fire-due' }, day(30))).toEqual({ ok: true, events: [], state: ended })
  })
})

describe('rounds', () => {
  const rounds = compileForTest(`
id: rounds
version: 1
title: Rounds
roles: [customer, isv]
steps:
  - id: draft
    title: Draft
    actor: isv
    actions: { send: { title: Send } }
  - id: review
    title: Review
    actor: customer
    actions:
      approve: { title: Approve, end: approved }
      reject: { title: Reject, goto: draft, maxRounds: 2, onMaxRounds: { goto: dispute } }
  - id: dispute
    title: Dispute
    actor: admin
    actions:
      resume: { title: Resume, goto: draft, maxRounds: 2, onMaxRounds: { end: abandoned } }
      close: { title: Close, end: closed }
`)
  const send: Command = { type: 'act', by: ISV, action: 'send' }
  const reject: Command = { type: 'act', by: CUSTOMER, action: 'reject' }

  it('sends work back maxRounds times, each a new round of the step, then leads to onMaxRounds', async () => {
    let state = await stateAfter(rounds, [[T0, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }]])
    const entered: Array<[string | undefined, number | undefined]> = []
    for (const command of [send, reject, send, reject, send, reject]) {
      state = accepted(await decideAt(rounds, state, command, T0)).state
      entered.push([state.step, state.step === undefined ? undefined : state.rounds[state.step]])
    }
    expect(entered).toEqual([['review', 1], ['draft', 2], ['review', 2], ['draft', 3], ['review', 3], ['dispute', 1]])
    // The dispute's own limit counts the same returns to draft: already two, so resuming ends the delivery.
    const resumed = accepted(await decideAt(rounds, state, { type: 'act', by: ADMIN, action: 'resume' }, T0))
    expect(resumed.state).toMatchObject({ status: 'completed', outcome: 'abandoned' })
  })
})
