import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ADMIN, CUSTOMER, DEMAND, ISV, openHarness } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

/** A double-check delivery whose basic part is confirmed at T0 + 2 days, opening a warranty window. */
async function inWarranty(warrantyPeriod = 'P30D'): Promise<string> {
  const { id } = await h.engine.instances.start({ process: 'double-check', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' }, parameters: { warrantyPeriod } }, ADMIN)
  await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
  h.clock.advance('P1D')
  await h.engine.instances.act(id, { action: 'finish' }, ISV)
  h.clock.advance('P1D')
  const view = await h.engine.instances.act(id, { action: 'confirm' }, CUSTOMER)
  expect(view.step?.id).toBe('confirm-warranty')
  return id
}

describe('double-check delivery', () => {
  it('refuses a warranty period so long that its end cannot be represented, rather than failing when it falls due', async () => {
    const refused = await h.engine.instances.start({ process: 'double-check', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' }, parameters: { warrantyPeriod: 'P300000Y' } }, ADMIN).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'input.invalid', fields: [{ pointer: '/parameters/warrantyPeriod', rule: 'type' }] })
  })

  it('needs the warranty period, a per-product parameter', async () => {
    const refused = await h.engine.instances.start({ process: 'double-check', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'input.invalid', fields: [{ pointer: '/parameters/warrantyPeriod', rule: 'required' }] })
  })

  it('ends when the customer confirms the warranty', async () => {
    const id = await inWarranty()
    const view = await h.engine.instances.get(id, CUSTOMER)
    expect(view.windows).toEqual([{ id: 'warranty', title: 'Warranty period', openedAt: '2026-01-03T00:00:00.000Z', due: '2026-02-02T00:00:00.000Z' }])
    expect(view.actions.map((a) => a.id)).toEqual(['request-service', 'confirm', 'dispute'])
    h.clock.advance('P5D')
    expect(await h.engine.instances.act(id, { action: 'confirm' }, CUSTOMER)).toMatchObject({ status: 'completed', outcome: 'completed', windows: [] })
    h.clock.advance('P60D')
    expect((await h.engine.deadlines.advance()).fired).toBe(0)
  })

  it('lets the customer request warranty service any number of times; requests do not extend the window, which ends the process by itself at day 30', async () => {
    const id = await inWarranty()
    for (const day of [3, 10]) {
      h.clock.set(`2026-01-${String(3 + day).padStart(2, '0')}T00:00:00Z`)
      await h.engine.instances.act(id, { action: 'request-service', inputs: { issue: `Issue on day ${day}` } }, CUSTOMER)
      const resolved = await h.engine.instances.act(id, { action: 'resolve', inputs: { resolution: 'Patched' } }, ISV)
      expect(resolved.step).toMatchObject({ id: 'confirm-warranty', round: day === 3 ? 2 : 3 })
      expect(resolved.windows[0]?.due).toBe('2026-02-02T00:00:00.000Z')
    }
    h.clock.set('2026-01-23T00:00:00Z') // day 20 of the window: a request the ISV has not resolved when it ends
    const requested = await h.engine.instances.act(id, { action: 'request-service', inputs: { issue: 'Day 20' } }, CUSTOMER)
    expect(requested).toMatchObject({ step: { id: 'warranty-service' }, windows: [{ due: '2026-02-02T00:00:00.000Z' }] })

    // Version 3: the request waits on the ISV, so after isvResponseTime (P7D) it is escalated to an
    // administrator, inside the window, which keeps running.
    h.clock.set('2026-01-30T00:00:00Z')
    expect((await h.engine.deadlines.advance()).fired).toBe(1)
    expect(await h.engine.instances.get(id, ISV)).toMatchObject({ step: { id: 'warranty-service-escalated' }, windows: [{ due: '2026-02-02T00:00:00.000Z' }] })
    h.clock.set('2026-02-01T23:59:59Z')
    expect((await h.engine.deadlines.advance()).fired).toBe(0)
    h.clock.set('2026-02-02T00:00:00Z')
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 1, instances: 1, failed: [] })
    expect(await h.engine.instances.get(id, ISV)).toMatchObject({ status: 'completed', outcome: 'warranty-expired', step: undefined })
    const tail = (await h.engine.instances.history(id, ADMIN)).slice(-2).map((r) => r.event)
    expect(tail).toEqual([
      { type: 'window-expired', at: '2026-02-02T00:00:00.000Z', window: 'warranty', due: '2026-02-02T00:00:00.000Z', firedAt: '2026-02-02T00:00:00.000Z' },
      { type: 'instance-completed', at: '2026-02-02T00:00:00.000Z', outcome: 'warranty-expired' },
    ])
  })

  it('opens the warranty when the system auto-confirms, counted from the deadline, not from when it fired', async () => {
    const { id } = await h.engine.instances.start({ process: 'double-check', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' }, parameters: { warrantyPeriod: 'P1M', isvResponseTime: 'P30D' } }, ADMIN)
    await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    h.clock.set('2026-01-17T00:00:00Z') // 16 days on Project Delivery: within the ISV response time of this product
    await h.engine.instances.act(id, { action: 'finish' }, ISV) // confirm due 2026-01-31
    h.clock.set('2026-02-05T00:00:00Z') // the scheduler was down for days
    expect((await h.engine.deadlines.advance()).fired).toBe(1)
    const view = await h.engine.instances.get(id, CUSTOMER)
    expect(view.step?.id).toBe('confirm-warranty')
    expect(view.windows[0]).toMatchObject({ openedAt: '2026-01-31T00:00:00.000Z', due: '2026-02-28T00:00:00.000Z' }) // P1M from 31 January
  })

  it('fires the auto-confirm and the warranty expiry in order when both passed during an outage', async () => {
    const { id } = await h.engine.instances.start({ process: 'double-check', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' }, parameters: { warrantyPeriod: 'P10D' } }, ADMIN)
    await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    await h.engine.instances.act(id, { action: 'finish' }, ISV)
    h.clock.advance('P60D')
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 2, instances: 1, failed: [] })
    const events = (await h.engine.instances.history(id, ADMIN)).map((r) => r.event).filter((e) => e.type === 'action-performed' || e.type === 'window-expired')
    expect(events.map((e) => [e.type, e.at])).toEqual([
      ['action-performed', '2026-01-01T00:00:00.000Z'], ['action-performed', '2026-01-01T00:00:00.000Z'],
      ['action-performed', '2026-01-15T00:00:00.000Z'], ['window-expired', '2026-01-25T00:00:00.000Z'],
    ])
    expect(await h.engine.instances.get(id, ADMIN)).toMatchObject({ outcome: 'warranty-expired' })
  })

  it.each(['confirm-warranty', 'warranty-service'])('can be terminated by an admin at %s, which cancels the window', async (stepId) => {
    const id = await inWarranty()
    if (stepId === 'warranty-service') await h.engine.instances.act(id, { action: 'request-service', inputs: { issue: 'Broken' } }, CUSTOMER)
    const ended = await h.engine.instances.terminate(id, { reason: 'Refunded' }, ADMIN)
    expect(ended).toMatchObject({ status: 'terminated', windows: [] })
    h.clock.advance('P60D')
    expect((await h.engine.deadlines.advance()).fired).toBe(0)
  })
})
