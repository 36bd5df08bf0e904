import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Engine, PUBLIC_EVENT_TYPES, Store } from '../../engine/index.js'
import type { PublicEvent } from '../../engine/index.js'
import { EventHub } from '../../server/event-hub.js'
import { CONTACT, DEMAND } from '../support/engine.js'
import { openApi, WHO } from '../support/http.js'
import type { Api, Who } from '../support/http.js'
import { serveOnLoopback } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'
import { expectProblem } from '../support/problem.js'

// The event feed over real HTTP on loopback: every event of a delivery once, in commit order,
// with the delivery as it stood; nothing for a refused act; each caller only what it may see;
// paging that reaches every event exactly once, also while acts are being written.

type FeedEvent = PublicEvent & { cursor: string }
interface Page { items: FeedEvent[]; next: string }

let api: Api
let server: Loopback
beforeAll(async () => {
  api = await openApi({ events: { hub: (engine) => new EventHub(engine, { intervalMs: 50 }) } })
  server = await serveOnLoopback(api)
})
afterAll(async () => {
  await server?.close()
  await api?.close()
})

async function get(path: string, who: Who): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${api.tokens[who]}` } })
}
async function page(path: string, who: Who): Promise<Page> {
  const response = await get(path, who)
  expect(response.status, await response.clone().text()).toBe(200)
  return await response.json() as Page
}
/** Every event after `after` the caller sees, page by page. */
async function all(who: Who, query = '', after?: string, limit = 500): Promise<{ items: FeedEvent[]; next: string }> {
  const items: FeedEvent[] = []
  let cursor = after
  for (;;) {
    const p = await page(`/v1/events?limit=${limit}${query}${cursor ? `&after=${cursor}` : ''}`, who)
    items.push(...p.items)
    cursor = p.next
    if (p.items.length < limit) return { items, next: cursor }
  }
}
/**
 * Every event after `after` once at least `count` are there: on PostgreSQL the feed shows a
 * commit once every transaction older than it has ended (docs/events.md), seconds later on a
 * loaded machine.
 */
async function visible(who: Who, query: string, after: string | undefined, count: number, limit = 500): Promise<FeedEvent[]> {
  const until = performance.now() + 20_000
  for (;;) {
    const { items } = await all(who, query, after, limit)
    if (items.length >= count || performance.now() > until) return items
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
async function post(path: string, who: Who, json: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${api.tokens[who]}`, 'Content-Type': 'application/json' }, body: JSON.stringify(json) })
}
async function start(parties = { customer: 'c-1', isv: 'v-1' }): Promise<string> {
  const response = await post('/v1/instances', 'admin', { process: 'basic', parties, context: { orderId: 'HW-1', specification: 'Standard', productId: 'p-1' } })
  expect(response.status).toBe(201)
  return (await response.json() as { id: string }).id
}

describe('GET /v1/events', () => {
  it('lists every event of a basic delivery once, in order, with the delivery as it stood after each', async () => {
    const { next: before } = await all('admin')
    const id = await start()
    expect((await post(`/v1/instances/${id}/act`, 'customer', { action: 'submit', inputs: DEMAND })).status).toBe(200)
    expect((await post(`/v1/instances/${id}/act`, 'isv', { action: 'finish' })).status).toBe(200)
    expect((await post('/v1/advance', 'admin', { by: 'P15D' })).status).toBe(200)

    const items = await visible('admin', `&instance=${id}`, before, 8)
    expect(items.map((e) => [e.type, e.data['step'] ?? e.data['action'] ?? e.data['outcome'] ?? null])).toEqual([
      ['delivery.started', null],
      ['delivery.step-entered', 'submit-demand'],
      ['delivery.action-performed', 'submit-demand'],
      ['delivery.step-entered', 'project-delivery'],
      ['delivery.action-performed', 'project-delivery'],
      ['delivery.step-entered', 'confirm-delivery'],
      ['delivery.action-performed', 'confirm-delivery'],
      ['delivery.completed', 'completed'],
    ])
    expect(new Set(items.map((e) => e.id)).size).toBe(items.length)
    expect(new Set(items.map((e) => e.cursor)).size).toBe(items.length)
    // The summary is the delivery right after each change.
    const [, , submitted, , , confirming, confirmed, completed] = items
    expect(submitted?.data).toMatchObject({ action: 'submit', by: { role: 'customer', subject: 'c-1' }, trigger: 'actor', inputs: DEMAND, delivery: { id, revision: 2, context: { orderId: 'HW-1' } } })
    expect(confirming?.data.delivery).toMatchObject({ phase: { id: 'confirm-delivery', round: 1 }, executor: [{ role: 'customer', subject: 'c-1' }], deadline: { kind: 'timeout', name: 'confirm' } })
    expect(confirmed?.data).toMatchObject({ action: 'confirm', trigger: 'timeout', by: { role: 'system' } })
    expect(completed?.data.delivery).toMatchObject({ status: 'completed', outcome: 'completed', phase: null, executor: [], deadline: null })
    // The customer, a party, sees the same events; nothing more is there to see.
    expect((await all('customer', `&instance=${id}`, before)).items).toEqual(items)
  })

  it('shows nothing for a refused act', async () => {
    const id = await start()
    const { next } = await all('admin')
    expect((await post(`/v1/instances/${id}/act`, 'isv', { action: 'finish' })).status).toBe(409)
    expect((await post(`/v1/instances/${id}/act`, 'customer', { action: 'submit', inputs: { ...DEMAND, contact: { ...CONTACT, email: 'nope' } } })).status).toBe(422)
    expect((await post(`/v1/instances/${id}/act`, 'strangerCustomer', { action: 'submit', inputs: DEMAND })).status).toBe(404)
    // An act that is accepted after them: once its events show, nothing else has.
    expect((await post(`/v1/instances/${id}/act`, 'customer', { action: 'submit', inputs: DEMAND })).status).toBe(200)
    const after = await visible('admin', '', next, 2)
    expect(after.map((e) => [e.type, e.data.delivery?.id, e.data.delivery?.revision])).toEqual([['delivery.action-performed', id, 2], ['delivery.step-entered', id, 2]])
  })

  it("shows a party only its own deliveries' events, administrators and the system all", async () => {
    const { next } = await all('admin')
    const mine = await start()
    const theirs = await start({ customer: 'c-9', isv: 'v-9' })
    await visible('admin', '', next, 4)
    const seen = async (who: Who): Promise<string[]> => [...new Set((await all(who, '', next)).items.map((e) => e.data.delivery?.id ?? ''))].sort()
    expect(await seen('customer')).toEqual([mine])
    expect(await seen('isv')).toEqual([mine])
    expect(await seen('strangerCustomer')).toEqual([theirs])
    expect(await seen('admin')).toEqual([mine, theirs].sort())
    expect(await seen('system')).toEqual([mine, theirs].sort())
  })

  it('pages with `next` through every event exactly once, also while acts are being written', async () => {
    const { next: before } = await all('admin')
    const seen: FeedEvent[] = []
    let cursor = before
    let writing = true
    const reader = (async () => {
      while (writing) {
        const p = await page(`/v1/events?limit=7&after=${cursor}`, 'admin')
        seen.push(...p.items)
        cursor = p.next
      }
    })()
    // Writers over HTTP, and two more engines on their own connections to the database, as other servers would be.
    const others = await Promise.all([1, 2].map(async () => {
      const store = await Store.open(api.database)
      return { store, engine: new Engine({ store, clock: api.clock }) }
    }))
    try {
      await Promise.all([
        ...Array.from({ length: 8 }, async () => {
          const id = await start()
          await post(`/v1/instances/${id}/act`, 'customer', { action: 'submit', inputs: DEMAND })
          await post(`/v1/instances/${id}/act`, 'isv', { action: 'finish' })
        }),
        ...others.flatMap(({ engine }) => Array.from({ length: 4 }, async () => {
          const { id } = await engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, WHO.admin)
          await engine.instances.act(id, { action: 'submit', inputs: DEMAND }, WHO.customer)
          await engine.instances.act(id, { action: 'finish' }, WHO.isv)
        })),
      ])
    } finally {
      writing = false
      await Promise.all(others.map(({ store }) => store.close()))
    }
    await reader
    seen.push(...await visible('admin', '', cursor, 16 * 6 - seen.length, 7))
    const everything = (await all('admin', '', before)).items
    expect(everything).toHaveLength(16 * 6)
    expect(seen.map((e) => e.id)).toEqual(everything.map((e) => e.id))
  })

  it('filters by type, process and instance', async () => {
    const { next } = await all('admin')
    const id = await start()
    await post(`/v1/instances/${id}/act`, 'customer', { action: 'submit', inputs: DEMAND })
    await visible('admin', `&instance=${id}`, next, 4)
    const types = (await all('admin', '&types=delivery.started,delivery.action-performed', next)).items
    expect(types.map((e) => e.type)).toEqual(['delivery.started', 'delivery.action-performed'])
    expect((await all('admin', `&process=basic&instance=${id}`, next)).items).toHaveLength(4)
    expect((await all('admin', '&process=double-check', next)).items).toEqual([])
    expect((await all('admin', '&instance=nope', next)).items).toEqual([])
  })

  it('refuses what is not a filter, a cursor or a page size, at its query parameter', async () => {
    const types = await expectProblem(await get('/v1/events?types=delivery.started,delivery.exploded', 'admin'), 422, 'request.invalid')
    expect(types['errors']).toEqual([expect.objectContaining({ pointer: '/query/types', rule: 'enum', message: expect.stringContaining('"delivery.exploded"') })])
    const none = await expectProblem(await get('/v1/events?types=,,', 'admin'), 422, 'request.invalid')
    expect(none['errors']).toEqual([expect.objectContaining({ pointer: '/query/types', rule: 'minItems' })])
    const after = await expectProblem(await get('/v1/events?after=bm90LWEtY3Vyc29y', 'admin'), 422, 'request.invalid')
    expect(after['errors']).toEqual([expect.objectContaining({ pointer: '/query/after', rule: 'format' })])
    // Shaped as the feed's cursors were before they were encrypted, at a place no event has, and at one an event has.
    for (const place of [[-1, 0], [0, -1], [1.5, 0], [0, 1]]) {
      const forged = await expectProblem(await get(`/v1/events?after=${Buffer.from(JSON.stringify(['e', ...place])).toString('base64url')}`, 'admin'), 422, 'request.invalid')
      expect(forged['errors'], JSON.stringify(place)).toEqual([expect.objectContaining({ pointer: '/query/after', rule: 'format' })])
    }
    const limit = await expectProblem(await get('/v1/events?limit=501', 'admin'), 422, 'request.invalid')
    expect(limit['errors']).toEqual([expect.objectContaining({ pointer: '/query/limit' })])
    const unknown = await expectProblem(await get('/v1/events?cursor=x', 'admin'), 422, 'request.invalid')
    expect(unknown['errors']).toEqual([expect.objectContaining({ pointer: '/query/cursor' })])
    await expectProblem(await fetch(`${server.url}/v1/events`), 401, 'auth.missing')
  })

  it('documents every event type the engine has, in the API schema and in docs/events.md', async () => {
    const { default: apiSchema } = await import('../../schemas/api.schema.json', { with: { type: 'json' } })
    expect(apiSchema.$defs.PublicEvent.oneOf.map((variant) => variant.properties.type.const)).toEqual([...PUBLIC_EVENT_TYPES])
    const doc = readFileSync(join(import.meta.dirname, '../../docs/events.md'), 'utf8')
    for (const type of PUBLIC_EVENT_TYPES) expect(doc, type).toContain(`| \`${type}\` |`)
  })

  it('answers an empty page with the cursor it was asked after, and the start of the feed without one', async () => {
    const spy = vi.spyOn(api.engine.events, 'list')
    try {
      const first = await page('/v1/events?limit=1&instance=nope', 'customer')
      expect(first).toEqual({ items: [], next: expect.any(String), more: false })
      expect((await page(`/v1/events?instance=nope&after=${first.next}`, 'customer')).next).toBe(first.next)
      expect(spy).toHaveBeenCalledTimes(2)
    } finally {
      spy.mockRestore()
    }
  })
})
