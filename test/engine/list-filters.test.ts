import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listInstant } from '../../engine/index.js'
import type { ListFilter, Principal } from '../../engine/index.js'
import { ADMIN, CUSTOMER, DEMAND, OTHER_CUSTOMER, openHarness, registerBasicVersion2 } from '../support/engine.js'
import type { Harness } from '../support/engine.js'

// One database for the file: c-1 holds seven deliveries, c-2 three, started at four instants
// (three at once, so ties are ordered by id).
let h: Harness
const started: Array<{ id: string; at: string; customer: string; orderId: string | undefined }> = []
beforeAll(async () => {
  h = await openHarness()
  // The delivery without an order ID was started on version 2, which did not require one.
  await registerBasicVersion2(h.engine)
  const plan: Array<[customer: string, orderId: string | undefined]>[] = [
    [['c-1', 'HW-1'], ['c-2', 'HW-2']],
    [['c-1', 'hw-1'], ['c-1', 'HW-3'], ['c-1', undefined]],
    [['c-2', 'HW-4'], ['c-1', 'HW-5']],
    [['c-1', ' HW-6'], ['c-1', 'HW-7'], ['c-2', 'HW-8']],
  ]
  for (const group of plan) {
    for (const [customer, orderId] of group) {
      const view = await h.engine.instances.start({ process: 'basic', parties: { customer, isv: 'v-1' }, ...(orderId === undefined ? { version: 2 } : { context: { orderId, specification: 'Standard', productId: 'p-1' } }) }, ADMIN)
      started.push({ id: view.id, at: h.clock.now().toString(), customer, orderId })
    }
    h.clock.advance('PT1H')
  }
  // One of c-1's (HW-3) is no longer waiting on the customer.
  await h.engine.instances.act((started[3] as { id: string }).id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
})
afterAll(async () => { await h.close() })

const byStart = (a: { at: string; id: string }, b: { at: string; id: string }): number => a.at.localeCompare(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
const ids = async (filter: ListFilter, who: Principal): Promise<string[]> => (await h.engine.instances.list(filter, who)).items.map((v) => v.id)
const idsOf = (pick: (s: (typeof started)[number]) => boolean): string[] => started.filter(pick).sort(byStart).map((s) => s.id)

/** Every page of the list, following the cursors. */
async function allPages(filter: ListFilter, who: Principal): Promise<string[]> {
  const seen: string[] = []
  for (let cursor: string | undefined, pages = 0; pages < 20; pages++) {
    const page = await h.engine.instances.list({ ...filter, ...(cursor === undefined ? {} : { cursor }) }, who)
    seen.push(...page.items.map((v) => v.id))
    if (page.next === undefined) return seen
    cursor = page.next
  }
  throw new Error('more pages than instances')
}

describe('Engine.list filters', () => {
  it('finds by order ID exactly (case and spaces kept), only among what the caller may see', async () => {
    expect(await ids({ orderId: 'HW-1' }, ADMIN)).toEqual(idsOf((s) => s.orderId === 'HW-1'))
    expect(await ids({ orderId: 'hw-1' }, ADMIN)).toEqual(idsOf((s) => s.orderId === 'hw-1'))
    expect(await ids({ orderId: 'HW-6' }, ADMIN)).toEqual([])
    expect(await ids({ orderId: ' HW-6' }, CUSTOMER)).toEqual(idsOf((s) => s.orderId === ' HW-6'))
    // A customer cannot find another's delivery by its order ID, even naming the other as party.
    expect(await ids({ orderId: 'HW-1' }, OTHER_CUSTOMER)).toEqual([])
    await expect(ids({ orderId: 'HW-1', party: { role: 'customer', subject: 'c-1' } }, OTHER_CUSTOMER)).rejects.toMatchObject({ code: 'request.invalid', fields: [{ pointer: '/party' }] })
    expect(await ids({ orderId: 'HW-2' }, OTHER_CUSTOMER)).toEqual(idsOf((s) => s.orderId === 'HW-2'))
    // Admins may narrow an order ID search to a party.
    expect(await ids({ orderId: 'HW-2', party: { role: 'customer', subject: 'c-1' } }, ADMIN)).toEqual([])
    expect(await ids({ orderId: 'HW-3', party: { role: 'customer', subject: 'c-1' } }, ADMIN)).toEqual(idsOf((s) => s.orderId === 'HW-3'))
    // "Waiting on me" with an order ID: HW-3's demand is submitted, so it waits on the ISV.
    expect(await ids({ orderId: 'HW-3', waitingOnMe: true }, CUSTOMER)).toEqual([])
    expect(await ids({ orderId: 'HW-3' }, CUSTOMER)).toEqual(idsOf((s) => s.orderId === 'HW-3'))
  })

  it('filters by start: from inclusive, to exclusive, in any time zone, with or without a party', async () => {
    const second = (started[2] as { at: string }).at // the second instant
    const fourth = (started[7] as { at: string }).at
    const within = (s: { at: string }): boolean => s.at >= second && s.at < fourth
    expect(await ids({ startedFrom: second, startedTo: fourth }, ADMIN)).toEqual(idsOf(within))
    expect(await ids({ startedFrom: '2026-01-01T09:00:00+08:00', startedTo: '2026-01-01T11:00:00+08:00' }, ADMIN)).toEqual(idsOf(within))
    expect(await ids({ startedFrom: second, startedTo: fourth }, CUSTOMER)).toEqual(idsOf((s) => within(s) && s.customer === 'c-1'))
    expect(await ids({ startedFrom: fourth }, OTHER_CUSTOMER)).toEqual(idsOf((s) => s.at >= fourth && s.customer === 'c-2'))
    expect(await ids({ startedTo: fourth, waitingOnMe: true }, CUSTOMER)).toEqual(idsOf((s) => s.at < fourth && s.customer === 'c-1' && s.orderId !== 'HW-3'))
    // A finer fraction of a second: 00.0001 after an instant excludes it as a lower bound, includes it as an upper one.
    expect(await ids({ startedFrom: '2026-01-01T01:00:00.0001Z', startedTo: '2026-01-01T03:00:00.0001Z' }, ADMIN)).toEqual(idsOf((s) => s.at > second && s.at <= fourth))
  })

  it('lists newest first, and pages through ties in both orders', async () => {
    const oldest = idsOf(() => true)
    expect(await ids({}, ADMIN)).toEqual(oldest)
    expect(await ids({ order: 'newest' }, ADMIN)).toEqual([...oldest].reverse())
    for (const limit of [1, 2, 3]) {
      expect(await allPages({ limit }, ADMIN)).toEqual(oldest)
      expect(await allPages({ limit, order: 'newest' }, ADMIN)).toEqual([...oldest].reverse())
      const mine = idsOf((s) => s.customer === 'c-1')
      expect(await allPages({ limit, order: 'newest' }, CUSTOMER)).toEqual([...mine].reverse())
      expect(await allPages({ limit }, CUSTOMER)).toEqual(mine)
    }
    expect(await allPages({ limit: 2, order: 'newest', status: 'active', startedTo: (started[7] as { at: string }).at }, CUSTOMER))
      .toEqual(idsOf((s) => s.customer === 'c-1' && s.at < (started[7] as { at: string }).at).reverse())
  })

  it('refuses, with request.invalid, a cursor in the other order, an instant that is not one, an unknown order and a page size out of range', async () => {
    const newest = await h.engine.instances.list({ limit: 1, order: 'newest' }, ADMIN)
    const oldest = await h.engine.instances.list({ limit: 1 }, ADMIN)
    const refused = { code: 'request.invalid', fields: [expect.objectContaining({ pointer: '/cursor' })] }
    await expect(h.engine.instances.list({ cursor: newest.next as string }, ADMIN)).rejects.toMatchObject(refused)
    await expect(h.engine.instances.list({ cursor: oldest.next as string, order: 'newest' }, ADMIN)).rejects.toMatchObject(refused)
    for (const startedFrom of ['2026-01-01', '2026-01-01T00:00:00', '2026-02-30T00:00:00Z', 'yesterday', '2026-01-01T00:00:00Z[UTC]']) {
      await expect(h.engine.instances.list({ startedFrom }, ADMIN)).rejects.toMatchObject({ code: 'request.invalid', fields: [expect.objectContaining({ pointer: '/startedFrom' })] })
    }
    await expect(h.engine.instances.list({ startedTo: '1 Jan 2026' }, ADMIN)).rejects.toMatchObject({ code: 'request.invalid', fields: [expect.objectContaining({ pointer: '/startedTo' })] })
    await expect(h.engine.instances.list({ order: 'sideways' as 'newest' }, ADMIN)).rejects.toMatchObject({ code: 'request.invalid', fields: [expect.objectContaining({ pointer: '/order' })] })
    // A page size out of range is refused, never quietly clamped.
    for (const limit of [0, 501, 1.5]) {
      await expect(h.engine.instances.list({ limit }, ADMIN)).rejects.toMatchObject({ code: 'request.invalid', fields: [{ pointer: '/limit', rule: 'maximum', message: 'must be an integer from 1 to 500' }] })
    }
  })
})

describe('listInstant', () => {
  it('gives the stored form of an RFC 3339 instant, rounding a finer fraction up to the millisecond', () => {
    expect(listInstant('2026-01-15T17:00:00+08:00')).toBe('2026-01-15T09:00:00.000Z')
    expect(listInstant('2026-01-15t09:00:00.5z')).toBe('2026-01-15T09:00:00.500Z')
    expect(listInstant('2026-01-15T09:00:00.000001Z')).toBe('2026-01-15T09:00:00.001Z')
    expect(listInstant('2026-01-15T09:00:00.999999Z')).toBe('2026-01-15T09:00:01.000Z')
    expect(listInstant('2026-01-15T09:00Z')).toBeUndefined()
    expect(listInstant('2026-13-01T00:00:00Z')).toBeUndefined()
  })
})
