import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ADMIN, CUSTOMER, DEMAND, ISV, OTHER_CUSTOMER, OTHER_ISV, openHarness } from '../support/engine.js'
import type { Harness } from '../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

describe('Engine.list', () => {
  it('shows each party only its own instances, filtered by process, status, step and "waiting on me"', async () => {
    const mine = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    const delivering = await h.engine.instances.start({ process: 'contract', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await h.engine.instances.act(delivering.id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    const theirs = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-2', isv: 'v-2' } }, ADMIN)
    const done = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-2' } }, ADMIN)
    await h.engine.instances.terminate(done.id, { reason: 'Cancelled order' }, ADMIN)

    const ids = async (filter: Parameters<typeof h.engine.instances.list>[0], who: Parameters<typeof h.engine.instances.list>[1]) =>
      (await h.engine.instances.list(filter, who)).items.map((v) => v.id).sort()

    expect(await ids({}, CUSTOMER)).toEqual([mine.id, delivering.id, done.id].sort())
    expect(await ids({}, OTHER_CUSTOMER)).toEqual([theirs.id])
    expect(await ids({}, ISV)).toEqual([mine.id, delivering.id].sort())
    expect(await ids({}, OTHER_ISV)).toEqual([theirs.id, done.id].sort())
    expect(await ids({}, ADMIN)).toHaveLength(4)

    expect(await ids({ waitingOnMe: true }, CUSTOMER)).toEqual([mine.id])
    expect(await ids({ waitingOnMe: true }, ISV)).toEqual([delivering.id])
    expect(await ids({ process: 'contract' }, CUSTOMER)).toEqual([delivering.id])
    expect(await ids({ status: 'terminated' }, CUSTOMER)).toEqual([done.id])
    expect(await ids({ step: 'submit-demand' }, ADMIN)).toEqual([mine.id, theirs.id].sort())
    expect(await ids({ party: { role: 'customer', subject: 'c-2' } }, ADMIN)).toEqual([theirs.id])
    // A party cannot widen its view with the admin-only party filter: naming another is refused, naming itself is its list.
    await expect(ids({ party: { role: 'customer', subject: 'c-2' } }, CUSTOMER)).rejects.toMatchObject({ code: 'request.invalid', fields: [{ pointer: '/party' }] })
    expect(await ids({ party: { role: 'customer', subject: 'c-1' } }, CUSTOMER)).toEqual([mine.id, delivering.id, done.id].sort())
  })

  it('pages with a cursor', async () => {
    const started: string[] = []
    for (let i = 0; i < 5; i++) {
      started.push((await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)).id)
      h.clock.advance('PT1S')
    }
    const first = await h.engine.instances.list({ limit: 2 }, CUSTOMER)
    const second = await h.engine.instances.list({ limit: 2, ...(first.next ? { cursor: first.next } : {}) }, CUSTOMER)
    const third = await h.engine.instances.list({ limit: 2, ...(second.next ? { cursor: second.next } : {}) }, CUSTOMER)
    expect([...first.items, ...second.items, ...third.items].map((v) => v.id)).toEqual(started)
    expect(third.next).toBeUndefined()
    await expect(h.engine.instances.list({ cursor: 'garbage' }, CUSTOMER)).rejects.toMatchObject({ code: 'request.invalid' })
    // JSON, but not a cursor: a string, or an array of another length.
    for (const json of ['"ab"', '["a","b","c"]', '["a"]']) {
      await expect(h.engine.instances.list({ cursor: Buffer.from(json).toString('base64url') }, CUSTOMER)).rejects.toMatchObject({ code: 'request.invalid' })
    }
  })
})
