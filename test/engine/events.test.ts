import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Engine, PAGE_BYTES } from '../../engine/index.js'
import type { FeedRow, PublicEvent } from '../../engine/index.js'
import { DIALECT, snapshot } from '../support/database.js'
import { ADMIN, awaitingConfirmation, CUSTOMER, DEMAND, ISV, OTHER_CUSTOMER } from '../support/engine.js'
import { openHarness } from '../support/engine.js'
import type { Harness } from '../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

/**
 * Every event of the feed `by` may see, page by page. On PostgreSQL the feed shows a row once
 * every older transaction of the cluster has ended (see OutboxOrder), and other test files run
 * transactions on the same cluster meanwhile: the feed is read until `count` events are there.
 */
async function everyEvent(by = ADMIN, count?: number, limit = 3): Promise<PublicEvent[]> {
  const events: PublicEvent[] = []
  let after: string | undefined
  const until = Date.now() + 10_000
  for (;;) {
    const page = await h.engine.events.list({ limit, ...(after === undefined ? {} : { after }) }, by)
    events.push(...page.items)
    after = page.next
    if (page.items.length < limit && (count === undefined || events.length >= count || Date.now() > until)) return events
    if (page.items.length < limit) await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The events of one page of the feed, read again until there are `count` (see {@link everyEvent}). */
async function pageOf(filter: Parameters<Harness['engine']['events']['list']>[0], count: number): Promise<readonly PublicEvent[]> {
  const until = Date.now() + 10_000
  for (;;) {
    const { items } = await h.engine.events.list(filter, ADMIN)
    if (items.length >= count || Date.now() > until) return items
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe(`the outbox of public events on ${DIALECT}`, () => {
  it('holds every change of a basic delivery, in order, each with the delivery as it stood, written with the change', async () => {
    const { id } = await h.engine.instances.start({ process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }, ADMIN)
    await h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    await h.engine.instances.act(id, { action: 'finish' }, ISV)
    h.clock.advance('P15D')
    expect(await h.engine.deadlines.advance()).toMatchObject({ fired: 1 })

    const events = await everyEvent(ADMIN, 8)
    expect(events.map((e) => [e.type, (e.data as { step?: string; action?: string }).step ?? null, (e.data as { action?: string }).action ?? null])).toEqual([
      ['delivery.started', null, null],
      ['delivery.step-entered', 'submit-demand', null],
      ['delivery.action-performed', 'submit-demand', 'submit'],
      ['delivery.step-entered', 'project-delivery', null],
      ['delivery.action-performed', 'project-delivery', 'finish'],
      ['delivery.step-entered', 'confirm-delivery', null],
      ['delivery.action-performed', 'confirm-delivery', 'confirm'],
      ['delivery.completed', null, null],
    ])
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length)
    const [started, entered, submitted] = events as [PublicEvent, PublicEvent, PublicEvent]
    // Each shows the delivery right after its change: started, then in its first step.
    expect(started.data.delivery).toMatchObject({ id, process: { id: 'basic', version: 6 }, status: 'active', phase: null, executor: [], context: { orderId: 'o-1' }, revision: 1 })
    expect(entered.data.delivery).toMatchObject({ phase: { id: 'submit-demand', round: 1 }, executor: [{ role: 'customer', subject: 'c-1' }], deadline: null, revision: 1 })
    expect(submitted).toMatchObject({ data: { by: CUSTOMER, trigger: 'actor', inputs: DEMAND, delivery: { phase: { id: 'submit-demand' }, revision: 2 } } })
    expect(events[3]).toMatchObject({ data: { delivery: { phase: { id: 'project-delivery' }, executor: [{ role: 'isv', subject: 'v-1' }], revision: 2 } } })
    const confirmed = events.at(-2) as PublicEvent
    expect(confirmed).toMatchObject({ data: { trigger: 'timeout', by: { role: 'system' }, due: expect.any(String), delivery: { status: 'active', phase: { id: 'confirm-delivery' } } } })
    expect(events.at(-1)).toMatchObject({ data: { outcome: 'completed', delivery: { status: 'completed', outcome: 'completed', phase: null, executor: [], deadline: null } } })
  })

  it('reads a delivery\'s events the same one at a time, newest first or all at once, on the version it started on', async () => {
    const [id] = await awaitingConfirmation(h.engine, 1) as [string]
    // A new version of the process after the delivery started: its events still show the old one.
    const text = readFileSync(join(import.meta.dirname, '../../processes/basic.yaml'), 'utf8')
    await h.engine.processes.register(text.replace('version: 6', 'version: 7').replace('title: Basic Delivery Process', 'title: Basic, revised'), 'basic.yaml')
    await h.engine.instances.act(id, { action: 'confirm' }, CUSTOMER)
    await everyEvent(ADMIN, 8)
    const rows = await h.store.events.page({ limit: 100, instanceId: id })
    expect(rows).toHaveLength(8)
    expect(rows.every((row) => 'seq' in row.source)).toBe(true)
    // As the webhook dispatcher reads them (each going on from where the last replay stopped), and newest first (each from the start).
    const reader = new Engine({ store: h.store, clock: h.clock }).events
    const reads = vi.spyOn(h.store.instances, 'histories')
    const oneByOne = []
    for (const row of rows) oneByOne.push(...await reader.render([row]))
    // Each read the events after the last one replayed, up to its own (and those its action recorded).
    expect(reads.mock.calls.map(([ranges]) => [...ranges.values()][0]?.after)).toEqual(rows.map((row, i) => i === 0 ? 0 : (rows[i - 1]?.source as { seq: number }).seq))
    // Read again, an event goes on from right before it; a later one from where that stopped.
    const again = new Engine({ store: h.store, clock: h.clock }).events
    const [, , , , , sixth, , eighth] = rows as [FeedRow, FeedRow, FeedRow, FeedRow, FeedRow, FeedRow, FeedRow, FeedRow]
    reads.mockClear()
    expect(await again.render([sixth])).toEqual([oneByOne[5]])
    expect(await again.render([sixth])).toEqual([oneByOne[5]])
    expect(await again.render([eighth])).toEqual([oneByOne[7]])
    const seqOf = (row: FeedRow): number => (row.source as { seq: number }).seq
    expect(reads.mock.calls.map(([ranges]) => [...ranges.values()][0]?.after)).toEqual([0, seqOf(sixth) - 1, seqOf(sixth)])
    reads.mockRestore()
    const newestFirst = []
    for (const row of [...rows].reverse()) newestFirst.unshift(...await new Engine({ store: h.store, clock: h.clock }).events.render([row]))
    const atOnce = await new Engine({ store: h.store, clock: h.clock }).events.render(rows)
    expect(oneByOne).toEqual(atOnce)
    expect(newestFirst).toEqual(atOnce)
    expect(atOnce.map((e) => e.data.delivery?.process)).toEqual(Array(8).fill({ id: 'basic', version: 6, title: 'Basic Delivery Process' }))
    expect(atOnce.map((e) => e.data.delivery?.revision)).toEqual([1, 1, 2, 2, 3, 3, 4, 4])
  })

  it('still reads the events of a delivery whose stored definition no longer compiles, without what only the definition knows', async () => {
    const [id] = await awaitingConfirmation(h.engine, 1) as [string]
    const before = await pageOf({ instance: id }, 6)
    await h.store.db.updateTable('process_definition').set({ source: 'id: basic\nversion: 6\ntitle: [' }).where('id', '=', 'basic').where('version', '=', 6).execute()
    // Another server, which has not compiled it yet.
    const after = (await new Engine({ store: h.store, clock: h.clock }).events.list({ instance: id }, ADMIN)).items
    expect(after.map((e) => [e.id, e.type, e.data['step'] ?? null])).toEqual(before.map((e) => [e.id, e.type, e.data['step'] ?? null]))
    expect(after.at(-1)?.data.delivery).toMatchObject({
      process: { id: 'basic', version: 6, title: 'basic' }, status: 'active', phase: { id: 'confirm-delivery', title: 'confirm-delivery', round: 1 }, executor: [],
      deadline: (before.at(-1)?.data.delivery as { deadline: unknown }).deadline, parties: { customer: 'c-1', isv: 'v-1' },
    })
  })

  it('writes nothing for a refused command', async () => {
    const { id } = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    const before = await snapshot(h.database)
    await expect(h.engine.instances.act(id, { action: 'finish' }, ISV)).rejects.toMatchObject({ code: 'step.not-current' })
    await expect(h.engine.instances.act(id, { action: 'submit', inputs: {} }, CUSTOMER)).rejects.toMatchObject({ code: 'input.invalid' })
    expect(await snapshot(h.database)).toEqual(before)
    expect(await everyEvent(ADMIN, 2)).toHaveLength(2)
  })

  it('shows a party the events of its own deliveries only, and those who see all every event', async () => {
    const mine = await awaitingConfirmation(h.engine, 2)
    const { id: theirs } = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-2', isv: 'v-1' } }, ADMIN)
    const ofCustomer = await everyEvent(CUSTOMER, 12)
    expect(ofCustomer).toHaveLength(12)
    expect(new Set(ofCustomer.map((e) => e.data.delivery?.id))).toEqual(new Set(mine))
    expect((await everyEvent(OTHER_CUSTOMER, 2)).map((e) => e.data.delivery?.id)).toEqual([theirs, theirs])
    expect(await everyEvent(ISV, 14)).toHaveLength(14)
    expect(await everyEvent(ADMIN, 14)).toHaveLength(14)
  })

  it('filters by type, process and delivery, and refuses an unknown type or a cursor it did not give', async () => {
    const [first] = await awaitingConfirmation(h.engine, 2) as [string]
    const entered = await pageOf({ types: ['delivery.step-entered'], instance: first }, 3)
    expect(entered.map((e) => e.data['step'])).toEqual(['submit-demand', 'project-delivery', 'confirm-delivery'])
    expect((await h.engine.events.list({ process: 'contract' }, ADMIN)).items).toEqual([])
    await expect(h.engine.events.list({ types: ['delivery.teleported'] }, ADMIN)).rejects.toMatchObject({ code: 'request.invalid', fields: [{ pointer: '/types' }] })
    await expect(h.engine.events.list({ after: 'bm90IGEgY3Vyc29y' }, ADMIN)).rejects.toMatchObject({ code: 'request.invalid', fields: [{ pointer: '/after' }] })
    // The cursor of the last page stays valid as the feed grows.
    await pageOf({}, 12)
    const all = await h.engine.events.list({ limit: 500 }, ADMIN)
    await h.engine.instances.terminate(first, { reason: 'Refunded' }, ADMIN)
    expect((await pageOf({ after: all.next }, 1)).map((e) => e.type)).toEqual(['delivery.terminated'])
  })

  it('loses no event of writers committing at the same time, page after page', { timeout: 60_000 }, async () => {
    const seen: PublicEvent[] = []
    let after: string | undefined
    const read = async (): Promise<void> => {
      const page = await h.engine.events.list({ limit: 7, ...(after === undefined ? {} : { after }) }, ADMIN)
      seen.push(...page.items)
      after = page.next
    }
    let writing = true
    const writers = awaitingConfirmation(h.engine, 60).finally(() => { writing = false })
    // Each read lets the event loop turn, as requests arriving on sockets do, so writes get committed.
    while (writing) {
      await read()
      await new Promise((resolve) => setImmediate(resolve))
    }
    await writers
    for (const until = Date.now() + 10_000; seen.length < 60 * 6 && Date.now() < until;) {
      await read()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await read()
    const ids = seen.map((e) => e.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBe(60 * 6)
  })

  it('ends a page at about PAGE_BYTES of JSON: deliveries with large contexts make shorter pages, and the next goes on from the last event', async () => {
    const context = { orderId: 'o-1', specification: 'Standard', productId: 'p-1', notes: 'x'.repeat(60 * 1024) }
    for (let i = 0; i < 40; i++) await h.engine.instances.start({ process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context }, ADMIN)
    // Two events a delivery (started, step entered), each with its delivery's context: about 4.8 MB in all.
    const all = await everyEvent(ADMIN, 80, 500)
    expect(new Set(all.map((e) => e.id)).size).toBe(80)
    const first = await h.engine.events.list({ limit: 500 }, ADMIN)
    const sizes = first.items.map((event) => Buffer.byteLength(JSON.stringify({ ...event, cursor: undefined })))
    const total = sizes.reduce((a, b) => a + b, 0)
    // About PAGE_BYTES (each event's fixed part is counted high): never more, nor far less.
    expect(first.items.length).toBeLessThan(80)
    expect(total - (sizes.at(-1) ?? 0)).toBeLessThan(PAGE_BYTES)
    expect(total).toBeGreaterThan(0.9 * PAGE_BYTES)
    const second = await h.engine.events.list({ limit: 500, after: first.next }, ADMIN)
    expect([...first.items, ...second.items].map((e) => e.id)).toEqual(all.map((e) => e.id))
    // `more` tells a page cut by its size from the feed's end.
    expect([first.more, second.more]).toEqual([true, false])
  })
})
