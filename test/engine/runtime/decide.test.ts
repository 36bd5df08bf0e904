import { describe, expect, it } from 'vitest'
import { Temporal } from 'temporal-polyfill'
import { decide, evolve, loadBuiltInProcesses } from '../../../engine/index.js'
import type { CompiledProcess, InstanceState } from '../../../engine/index.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, T0 } from '../../support/engine.js'

const basic = loadBuiltInProcesses().find((p) => p.id === 'basic') as CompiledProcess
const at = (iso: string) => Temporal.Instant.from(iso)

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

async function started(): Promise<InstanceState> {
  const decision = await decide(basic, undefined, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }, at(T0))
  if (!decision.ok) throw new Error(decision.rejection.message)
  return deepFreeze(decision.state)
}

describe('decide', () => {
  it('starts an instance in its first step', async () => {
    expect(await started()).toMatchObject({ id: 'i-1', status: 'active', step: 'submit-demand', revision: 1, rounds: { 'submit-demand': 1 } })
  })

  it('returns events whose replay gives the new state, without touching its inputs', async () => {
    const state = await started()
    const decision = await decide(basic, state, { type: 'act', by: CUSTOMER, action: 'submit', inputs: deepFreeze(structuredClone(DEMAND)) }, at('2026-01-01T01:00:00Z'))
    expect(decision.ok).toBe(true)
    if (!decision.ok) return
    expect(decision.events).toEqual([
      { type: 'action-performed', at: '2026-01-01T01:00:00.000Z', step: 'submit-demand', action: 'submit', by: CUSTOMER, inputs: DEMAND, attachments: {}, trigger: 'actor' },
      { type: 'step-entered', at: '2026-01-01T01:00:00.000Z', step: 'project-delivery', round: 1,
        timeout: { action: 'escalate', due: '2026-01-08T01:00:00.000Z', reminders: [{ offset: 'P1D', at: '2026-01-07T01:00:00.000Z' }] } },
    ])
    expect({ ...decision.events.reduce(evolve, state), revision: 2 }).toEqual(decision.state)
  })

  it('decides the same way every time for the same inputs', async () => {
    const state = await started()
    const command = { type: 'act' as const, by: CUSTOMER, action: 'submit', inputs: DEMAND }
    expect(await decide(basic, state, command, at(T0))).toEqual(await decide(basic, state, command, at(T0)))
  })

  it('fires nothing before the deadline and the timeout at it', async () => {
    let state = await started()
    for (const [action, by] of [['submit', CUSTOMER], ['finish', ISV]] as const) {
      const d = await decide(basic, state, { type: 'act', by, action, inputs: action === 'submit' ? DEMAND : {} }, at(T0))
      if (!d.ok) throw new Error(d.rejection.message)
      state = deepFreeze(d.state)
    }
    // Before the deadline only the customer's reminders (3 days and 1 day before) are sent.
    const early = await decide(basic, state, { type: 'fire-due' }, at('2026-01-14T23:59:59.999Z'))
    expect(early.ok && early.events.map((e) => e.type)).toEqual(['deadline-approaching', 'deadline-approaching'])
    expect(early.ok && early.state).toMatchObject({ status: 'active', step: 'confirm-delivery' })
    const due = await decide(basic, state, { type: 'fire-due' }, at('2026-01-15T00:00:00Z'))
    expect(due.ok && due.state).toMatchObject({ status: 'completed', revision: state.revision + 1 })
  })
})
