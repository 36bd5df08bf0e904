import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EngineError } from '../../../engine/index.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, openHarness, snapshot } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

const PATH = [
  'submit-demand', 'functional-design', 'confirm-functional-design', 'ued', 'confirm-ued',
  'development-testing', 'inspection-acceptance', 'confirm-delivery',
] as const

/** Starts a step-by-step delivery and drives it, confirming everything, until it reaches `stepId`. */
async function driveTo(stepId: (typeof PATH)[number]): Promise<string> {
  const { id } = await h.engine.instances.start({ process: 'step-by-step', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
  for (const step of PATH.slice(0, PATH.indexOf(stepId))) {
    if (step === 'submit-demand') await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    else if (step.startsWith('confirm-') || step === 'inspection-acceptance') await h.engine.instances.act(id, { action: 'confirm' }, CUSTOMER)
    else await h.engine.instances.act(id, { action: 'finish', inputs: { summary: `${step} done` } }, ISV)
  }
  return id
}

describe('step-by-step delivery', () => {
  it('walks all eight steps, the customer confirming each', async () => {
    const id = await driveTo('confirm-delivery')
    const view = await h.engine.instances.get(id, CUSTOMER)
    expect(view.step?.id).toBe('confirm-delivery')
    expect(view.deadline).toMatchObject({ kind: 'timeout', due: '2026-01-15T00:00:00.000Z' })
    expect(await h.engine.instances.act(id, { action: 'confirm' }, CUSTOMER)).toMatchObject({ status: 'completed', outcome: 'completed' })
    const steps = (await h.engine.instances.history(id, ADMIN)).flatMap((r) => r.event.type === 'step-entered' ? [r.event.step] : [])
    expect(steps).toEqual([...PATH])
  })

  it.each([
    ['confirm-functional-design', 'functional-design'],
    ['confirm-ued', 'ued'],
    ['inspection-acceptance', 'development-testing'],
  ] as const)('a rejection at %s, with its reason, sends the work back to %s for a new round', async (confirmStep, back) => {
    const id = await driveTo(confirmStep)
    const rejected = await h.engine.instances.act(id, { action: 'reject', inputs: { reason: 'Not what we asked for' } }, CUSTOMER)
    expect(rejected.step).toMatchObject({ id: back, round: 2, actors: ['isv'] })
    expect(rejected.data[confirmStep]).toMatchObject({ action: 'reject', inputs: { reason: 'Not what we asked for' } })
    await h.engine.instances.act(id, { action: 'finish', inputs: { summary: 'Reworked' } }, ISV)
    const again = await h.engine.instances.get(id, CUSTOMER)
    expect(again.step).toMatchObject({ id: confirmStep, round: 2 })
    const submissions = (await h.engine.instances.history(id, ADMIN)).flatMap((r) => r.event.type === 'action-performed' && r.event.step === back ? [r.event.inputs] : [])
    expect(submissions).toEqual([{ summary: `${back} done` }, { summary: 'Reworked' }])
  })

  it('refuses a rejection without a reason', async () => {
    const id = await driveTo('confirm-ued')
    const before = await snapshot(h.database)
    const error = await h.engine.instances.act(id, { action: 'reject', inputs: {} }, CUSTOMER).catch((e: unknown) => e as EngineError)
    expect(error).toMatchObject({ code: 'input.invalid', fields: [{ pointer: '/inputs/reason', rule: 'required' }] })
    expect(await snapshot(h.database)).toEqual(before)
  })

  it('auto-confirms the final delivery after 14 days, not one second earlier', async () => {
    const id = await driveTo('confirm-delivery')
    h.clock.advance('P13DT23H59M59S')
    expect((await h.engine.deadlines.advance()).fired).toBe(0)
    h.clock.advance('PT1S')
    expect((await h.engine.deadlines.advance()).fired).toBe(1)
    expect(await h.engine.instances.get(id, CUSTOMER)).toMatchObject({ status: 'completed' })
  })

  it.each(PATH)('can be terminated by an admin at %s', async (stepId) => {
    const id = await driveTo(stepId)
    expect((await h.engine.instances.get(id, ADMIN)).step?.id).toBe(stepId)
    expect(await h.engine.instances.terminate(id, { reason: 'Customer left the marketplace' }, ADMIN)).toMatchObject({ status: 'terminated' })
  })
})
