import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PublicEvent } from '../../../engine/index.js'
import { DIALECT } from '../../support/database.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, openHarness } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

/** The public events of `types` in the outbox, read again until there are `count` (PostgreSQL shows a row once no older transaction runs). */
async function outbox(types: readonly string[], count: number): Promise<PublicEvent[]> {
  const until = Date.now() + 10_000
  for (;;) {
    const rows = await h.store.events.page({ limit: 100, types })
    if (rows.length >= count || Date.now() > until) return h.engine.events.render(rows)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe(`reminders before the confirmation of a basic delivery on ${DIALECT}`, () => {
  it('are sent by advance() once each, at their instants, and the deadline fires after them', async () => {
    const { id } = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    await h.engine.instances.act(id, { action: 'finish' }, ISV) // the system confirms on 15 January
    const reminders = async (): Promise<string[]> => (await h.engine.instances.history(id, ADMIN))
      .flatMap((r) => r.event.type === 'deadline-approaching' ? [`${r.event.remind} ${r.event.at}`] : [])

    h.clock.set('2026-01-11T23:59:59Z')
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 0, instances: 0, failed: [] })
    h.clock.set('2026-01-12T00:00:00Z')
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 0, instances: 1, failed: [] })
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 0, instances: 0, failed: [] })
    expect(await reminders()).toEqual(['P3D 2026-01-12T00:00:00.000Z'])
    expect((await h.engine.instances.get(id, CUSTOMER)).reminder).toMatchObject({ kind: 'timeout', name: 'confirm', remind: 'P3D', due: '2026-01-15T00:00:00.000Z' })
    expect((await h.engine.instances.get(id, ISV)).reminder).toBeUndefined()

    h.clock.set('2026-01-14T00:00:00Z')
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 0, instances: 1, failed: [] })
    // One instance, the same path: nothing more is due.
    await h.engine.deadlines.advanceInstance(id, ADMIN)
    expect(await reminders()).toEqual(['P3D 2026-01-12T00:00:00.000Z', 'P1D 2026-01-14T00:00:00.000Z'])

    h.clock.set('2026-01-15T00:00:00Z')
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 1, instances: 1, failed: [] })
    expect(await h.engine.instances.get(id, CUSTOMER)).toMatchObject({ status: 'completed', reminder: undefined })
    expect(await reminders()).toHaveLength(2)

    const published = await outbox(['delivery.deadline-approaching'], 2)
    expect(published.map((e) => [e.timestamp, e.data['remind']])).toEqual([['2026-01-12T00:00:00.000Z', 'P3D'], ['2026-01-14T00:00:00.000Z', 'P1D']])
    expect(published[0]?.data).toMatchObject({
      deadline: { kind: 'timeout', step: 'confirm-delivery', action: 'confirm' }, due: '2026-01-15T00:00:00.000Z', parties: ['customer'],
      delivery: { id, status: 'active', phase: { id: 'confirm-delivery' } },
    })
  })

  it('are not sent when the scheduler first runs after the deadline: the deadline fires instead', async () => {
    const { id } = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    await h.engine.instances.act(id, { action: 'finish' }, ISV)
    h.clock.set('2026-01-20T00:00:00Z')
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 1, instances: 1, failed: [] })
    expect((await h.engine.instances.history(id, ADMIN)).map((r) => r.event.type)).not.toContain('deadline-approaching')
  })
})
