import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TEXT_RULE } from '../../../engine/index.js'
import type { EngineError } from '../../../engine/index.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, OTHER_CUSTOMER, openHarness, snapshot } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

const startBasic = () => h.engine.instances.start({ process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }, ADMIN)

/** Runs `fn`, expects it to be refused with `code`, and checks the database did not change. */
async function expectRefused(fn: () => Promise<unknown>, code: string): Promise<EngineError> {
  const before = await snapshot(h.database)
  const error = await fn().then(() => undefined, (e: unknown) => e as EngineError)
  expect(error?.code, error?.message).toBe(code)
  expect(await snapshot(h.database)).toEqual(before)
  return error as EngineError
}

describe('basic delivery', () => {
  it('goes Submit Demand -> Project Delivery -> Confirm Delivery -> completed', async () => {
    const started = await startBasic()
    expect(started).toMatchObject({ status: 'active', step: { id: 'submit-demand', actors: ['customer'] }, revision: 1, deadline: undefined })

    const customerView = await h.engine.instances.get(started.id, CUSTOMER)
    expect(customerView.actions.map((a) => a.id)).toEqual(['submit'])
    expect(customerView.actions[0]?.inputs).toMatchObject({ required: ['contact', 'demands'] })
    expect((await h.engine.instances.get(started.id, ISV)).actions).toEqual([])

    h.clock.advance('PT1H')
    const submitted = await h.engine.instances.act(started.id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    expect(submitted.step?.id).toBe('project-delivery')
    expect(submitted.data['submit-demand']).toMatchObject({ action: 'submit', inputs: DEMAND, by: CUSTOMER })

    h.clock.advance('P3D')
    const finished = await h.engine.instances.act(started.id, { action: 'finish' }, ISV)
    expect(finished.step?.id).toBe('confirm-delivery')
    expect(finished.deadline).toMatchObject({ due: '2026-01-18T01:00:00.000Z', kind: 'timeout', name: 'confirm' })

    h.clock.advance('P1D')
    const confirmed = await h.engine.instances.act(started.id, { action: 'confirm' }, CUSTOMER)
    expect(confirmed).toMatchObject({ status: 'completed', outcome: 'completed', step: undefined, deadline: undefined, revision: 4 })

    const history = await h.engine.instances.history(started.id, ADMIN)
    expect(history.map((r) => `${r.seq} ${r.event.type}`)).toEqual([
      '1 instance-started', '2 step-entered', '3 action-performed', '4 step-entered', '5 action-performed',
      '6 step-entered', '7 action-performed', '8 instance-completed',
    ])
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 0, instances: 0, failed: [] })
  })

  it('is confirmed by the system at exactly 14 days, and not one second before', async () => {
    const { id } = await startBasic()
    await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    await h.engine.instances.act(id, { action: 'finish' }, ISV)

    h.clock.advance('P13DT23H59M59S')
    // The customer's reminders (3 days and 1 day before) are sent; the confirmation is not.
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 0, instances: 1, failed: [] })
    expect((await h.engine.instances.get(id, ADMIN)).step?.id).toBe('confirm-delivery')

    h.clock.advance('PT1S')
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 1, instances: 1, failed: [] })
    const view = await h.engine.instances.get(id, ADMIN)
    expect(view).toMatchObject({ status: 'completed', outcome: 'completed' })
    const fired = (await h.engine.instances.history(id, ADMIN)).find((r) => r.event.type === 'action-performed' && r.event.trigger === 'timeout')
    expect(fired?.event).toMatchObject({ action: 'confirm', by: { role: 'system' }, due: '2026-01-15T00:00:00.000Z', firedAt: '2026-01-15T00:00:00.000Z' })
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 0, instances: 0, failed: [] })
  })

  it('fires an overdue deadline at its due instant after a long outage, recording both instants', async () => {
    const { id } = await startBasic()
    await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    await h.engine.instances.act(id, { action: 'finish' }, ISV)
    h.clock.advance('P15D')
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 1, instances: 1, failed: [] })
    const history = await h.engine.instances.history(id, ADMIN)
    expect(history.find((r) => r.event.type === 'action-performed' && r.event.trigger === 'timeout')?.event)
      .toMatchObject({ at: '2026-01-15T00:00:00.000Z', due: '2026-01-15T00:00:00.000Z', firedAt: '2026-01-16T00:00:00.000Z' })
    expect(history.at(-1)?.event).toMatchObject({ type: 'instance-completed', at: '2026-01-15T00:00:00.000Z' })
  })

  it('refuses the customer once the deadline has passed and the system has not yet acted', async () => {
    const { id } = await startBasic()
    await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    await h.engine.instances.act(id, { action: 'finish' }, ISV)
    h.clock.advance('P14D')
    await expectRefused(() => h.engine.instances.act(id, { action: 'confirm' }, CUSTOMER), 'deadline.passed')
    expect((await h.engine.deadlines.advance()).fired).toBe(1)
  })

  it('honours a per-instance confirmation window', async () => {
    const { id } = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' }, parameters: { confirmWindow: 'P7D' } }, ADMIN)
    await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    const view = await h.engine.instances.act(id, { action: 'finish' }, ISV)
    expect(view.deadline?.due).toBe('2026-01-08T00:00:00.000Z')
  })

  it.each(['submit-demand', 'project-delivery', 'confirm-delivery'])('can be terminated by an admin at %s', async (stepId) => {
    const { id } = await startBasic()
    if (stepId !== 'submit-demand') await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    if (stepId === 'confirm-delivery') await h.engine.instances.act(id, { action: 'finish' }, ISV)
    expect((await h.engine.instances.get(id, ADMIN)).step?.id).toBe(stepId)
    const ended = await h.engine.instances.terminate(id, { reason: 'Dispute settled: refund' }, ADMIN)
    expect(ended).toMatchObject({ status: 'terminated', outcome: 'terminated', step: undefined, deadline: undefined })
    expect((await h.engine.instances.history(id, CUSTOMER)).at(-1)?.event).toMatchObject({ type: 'instance-terminated', reason: 'Dispute settled: refund', by: ADMIN })
    await expectRefused(() => h.engine.instances.act(id, { action: 'finish' }, ISV), 'instance.ended')
    h.clock.advance('P30D')
    expect((await h.engine.deadlines.advance()).fired).toBe(0)
  })

  describe('rejections change nothing', () => {
    it('wrong actor', async () => {
      const { id } = await startBasic()
      await expectRefused(() => h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, ISV), 'auth.forbidden')
    })

    it('a stranger is told the instance does not exist', async () => {
      const { id } = await startBasic()
      await expectRefused(() => h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, OTHER_CUSTOMER), 'instance.not-found')
      await expectRefused(() => h.engine.instances.get(id, OTHER_CUSTOMER), 'instance.not-found')
    })

    it('wrong step', async () => {
      const { id } = await startBasic()
      await expectRefused(() => h.engine.instances.act(id, { action: 'finish' }, CUSTOMER), 'step.not-current')
      await expectRefused(() => h.engine.instances.act(id, { action: 'submit', step: 'confirm-delivery', inputs: DEMAND }, CUSTOMER), 'step.not-current')
    })

    it('unknown action', async () => {
      const { id } = await startBasic()
      await expectRefused(() => h.engine.instances.act(id, { action: 'teleport' }, CUSTOMER), 'action.unknown')
    })

    it('invalid inputs, listing every failing field', async () => {
      const { id } = await startBasic()
      const error = await expectRefused(() => h.engine.instances.act(id, {
        action: 'submit', inputs: { contact: { name: '', email: 'nope' }, extra: true },
      }, CUSTOMER), 'input.invalid')
      expect(error.fields.map((f) => `${f.pointer} ${f.rule}`).sort()).toEqual([
        '/inputs/contact/email format', '/inputs/contact/name format', '/inputs/contact/phone required',
        '/inputs/demands required', '/inputs/extra additionalProperties',
      ])
    })

    it('required text that shows nothing, and a phone number, refused in words', async () => {
      const { id } = await startBasic()
      const error = await expectRefused(() => h.engine.instances.act(id, {
        action: 'submit', inputs: { contact: { ...DEMAND.contact, name: '   ', phone: 'call me' }, demands: ' \n\t\u200b ' },
      }, CUSTOMER), 'input.invalid')
      expect(error.fields).toEqual(expect.arrayContaining([
        { pointer: '/inputs/contact/name', rule: 'format', message: TEXT_RULE },
        { pointer: '/inputs/demands', rule: 'format', message: TEXT_RULE },
        { pointer: '/inputs/contact/phone', rule: 'pattern', message: expect.stringMatching(/^must be a phone number of 5 to 32 characters: .* such as \+86 138 0000 0000/) },
      ]))
      expect(error.fields).toHaveLength(3)
      expect((await h.engine.instances.get(id, CUSTOMER)).revision).toBe(1)
    })

    it('stale revision', async () => {
      const { id } = await startBasic()
      await expectRefused(() => h.engine.instances.act(id, { action: 'submit', inputs: DEMAND, expectedRevision: 7 }, CUSTOMER), 'conflict.stale')
      const view = await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND, expectedRevision: 1 }, CUSTOMER)
      expect(view.revision).toBe(2)
    })

    it('termination by anyone but an admin', async () => {
      const { id } = await startBasic()
      await expectRefused(() => h.engine.instances.terminate(id, { reason: 'I changed my mind' }, CUSTOMER), 'auth.forbidden')
      await expectRefused(() => h.engine.instances.terminate(id, { reason: '  ' }, ADMIN), 'input.invalid')
    })

    it('a start with missing parties, unknown parameters or a bad duration', async () => {
      const error = await expectRefused(() => h.engine.instances.start({
        process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', vendor: 'v-1' }, parameters: { confirmWindow: '14 days', colour: 'red' },
      }, ADMIN), 'input.invalid')
      expect(error.fields.map((f) => f.pointer).sort()).toEqual(['/parameters/colour', '/parameters/confirmWindow', '/parties/isv', '/parties/vendor'])
      await expectRefused(() => h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, CUSTOMER), 'auth.forbidden')
      await expectRefused(() => h.engine.instances.start({ process: 'nope', parties: {} }, ADMIN), 'process.not-found')
    })
  })
})
