import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { Engine, Store } from '../../engine/index.js'
import type { PublicEvent } from '../../engine/index.js'
import { createToken, hashToken } from '../../server/auth.js'
import { EventHub } from '../../server/event-hub.js'
import { DEMAND, T0 } from '../support/engine.js'
import { openApi, WHO } from '../support/http.js'
import type { Api, Who } from '../support/http.js'
import { serveOnLoopback } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'
import { expectProblem } from '../support/problem.js'
import { openStream } from '../support/sse.js'
import type { SseStream } from '../support/sse.js'

// The live stream over real HTTP on loopback: new events as they commit, resumed after
// Last-Event-ID without loss or duplicate, the feed's authorisation, one reader of the feed for
// every stream, and streams that end when their token is revoked or the server stops.

type FeedEvent = PublicEvent & { cursor: string }

let api: Api
let server: Loopback
let hub: EventHub
beforeAll(async () => {
  api = await openApi({ events: { hub: (engine) => (hub = new EventHub(engine, { intervalMs: 100 })), heartbeatMs: 150 } })
  server = await serveOnLoopback(api)
})
afterAll(async () => {
  await server?.close()
  await api?.close()
})

const open = (who: Who, query = '', headers: Record<string, string> = {}): Promise<SseStream> =>
  openStream(`${server.url}/v1/events/stream${query}`, { Authorization: `Bearer ${api.tokens[who]}`, ...headers })
async function post(path: string, who: Who, json: unknown): Promise<void> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${api.tokens[who]}`, 'Content-Type': 'application/json' }, body: JSON.stringify(json) })
  expect(response.status, await response.text()).toBeLessThan(300)
}
async function start(parties = { customer: 'c-1', isv: 'v-1' }): Promise<string> {
  const { id } = await api.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties }, { role: 'admin', subject: 'a-1' })
  return id
}
async function feedAfter(after: string): Promise<FeedEvent[]> {
  const items: FeedEvent[] = []
  for (let cursor = after; ;) {
    const page = await (await fetch(`${server.url}/v1/events?limit=500&after=${cursor}`, { headers: { Authorization: `Bearer ${api.tokens.admin}` } })).json() as { items: FeedEvent[]; next: string }
    items.push(...page.items)
    cursor = page.next
    if (page.items.length < 500) return items
  }
}
const parsed = (stream: SseStream): FeedEvent[] => stream.messages.map((m) => JSON.parse(m.data) as FeedEvent)

describe('GET /v1/events/stream', () => {
  it('sends each new event as it commits, id its cursor and event its type; a reconnection resumes after Last-Event-ID', async () => {
    const stream = await open('customer')
    expect(stream.response.status).toBe(200)
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const id = await start()
    await post(`/v1/instances/${id}/act`, 'customer', { action: 'submit', inputs: DEMAND })
    const first = await stream.until(4)
    expect(first.map((m) => m.event)).toEqual(['delivery.started', 'delivery.step-entered', 'delivery.action-performed', 'delivery.step-entered'])
    for (const message of first) expect(JSON.parse(message.data)).toMatchObject({ cursor: message.id, type: message.event, data: { delivery: { id } } })
    stream.close()
    await stream.ended

    // Missed while away: the isv's finish and the confirm; then live again.
    await post(`/v1/instances/${id}/act`, 'isv', { action: 'finish' })
    await post(`/v1/instances/${id}/act`, 'customer', { action: 'confirm' })
    const again = await open('customer', '', { 'Last-Event-ID': first[3]?.id ?? '' })
    await again.until(4)
    const other = await start()
    await again.until(6)
    expect(again.messages.map((m) => [m.event, (JSON.parse(m.data) as FeedEvent).data.delivery?.id])).toEqual([
      ['delivery.action-performed', id], ['delivery.step-entered', id], ['delivery.action-performed', id], ['delivery.completed', id],
      ['delivery.started', other], ['delivery.step-entered', other],
    ])
    // The same events the feed gives, none twice.
    const feed = await (await fetch(`${server.url}/v1/events?after=${first[3]?.id ?? ''}`, { headers: { Authorization: `Bearer ${api.tokens.customer}` } })).json() as { items: FeedEvent[] }
    expect(parsed(again)).toEqual(feed.items)
    again.close()
  })

  it('applies the feed\'s filters and authorisation, and `after` as a starting point', async () => {
    const customer = await open('customer', '?types=delivery.started')
    const stranger = await open('strangerCustomer')
    const admin = await open('admin', '?types=delivery.started')
    const mine = await start()
    const theirs = await start({ customer: 'c-9', isv: 'v-9' })
    await admin.until(2)
    await stranger.until(2)
    await customer.until(1)
    expect(parsed(admin).map((e) => e.data.delivery?.id)).toEqual([mine, theirs])
    expect(parsed(stranger).map((e) => [e.type, e.data.delivery?.id])).toEqual([['delivery.started', theirs], ['delivery.step-entered', theirs]])
    // The heartbeats pass without anything else for the customer.
    while (customer.comments < 3) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(parsed(customer).map((e) => [e.type, e.data.delivery?.id])).toEqual([['delivery.started', mine]])
    // `after` works as Last-Event-ID does.
    const resumed = await open('admin', `?instance=${theirs}&after=${admin.messages[0]?.id ?? ''}`)
    expect((await resumed.until(2)).map((m) => m.event)).toEqual(['delivery.started', 'delivery.step-entered'])
    for (const stream of [customer, stranger, admin, resumed]) stream.close()
  })

  it('catches up past pages cut short by their size: a reconnection behind deliveries with large contexts misses none of their events', { timeout: 30_000 }, async () => {
    // Where the feed ends now: the reconnection resumes from there.
    let from = (await api.engine.events.list({ limit: 500 }, { role: 'admin', subject: 'a-1' })).next
    for (let page = await api.engine.events.list({ limit: 500, after: from }, { role: 'admin', subject: 'a-1' }); page.items.length > 0; page = await api.engine.events.list({ limit: 500, after: from }, { role: 'admin', subject: 'a-1' })) from = page.next
    // Two events each (started, step entered), each carrying its delivery's 60 KiB context: 9.6 MB, more than two pages by size.
    const context = { orderId: 'o-1', specification: 'Standard', productId: 'p-1', notes: 'x'.repeat(60 * 1024) }
    const ids: string[] = []
    for (let i = 0; i < 80; i++) ids.push((await api.engine.instances.start({ process: 'basic', context, parties: { customer: 'c-1', isv: 'v-1' } }, { role: 'admin', subject: 'a-1' })).id)
    const resumed = await open('admin', `?after=${from}`)
    const received = (await resumed.until(160, 20_000)).map((m) => JSON.parse(m.data) as FeedEvent).filter((e) => ids.includes(e.data.delivery?.id ?? ''))
    resumed.close()
    expect(received.map((e) => e.id)).toEqual(ids.flatMap((id) => [`${id}.1`, `${id}.2`]))
  })

  it('refuses an unknown type or a cursor that is not one before streaming', async () => {
    const types = await expectProblem(await fetch(`${server.url}/v1/events/stream?types=nope`, { headers: { Authorization: `Bearer ${api.tokens.admin}` } }), 422, 'request.invalid')
    expect(types['errors']).toEqual([expect.objectContaining({ pointer: '/query/types' })])
    const header = await expectProblem(await fetch(`${server.url}/v1/events/stream`, { headers: { Authorization: `Bearer ${api.tokens.admin}`, 'Last-Event-ID': 'garbage!' } }), 422, 'request.invalid')
    expect(header['errors']).toEqual([expect.objectContaining({ pointer: '/headers/last-event-id', rule: 'format' })])
  })

  it('sends every event exactly once, in feed order, while writers on several connections to the database commit at once', async () => {
    const before = await api.engine.events.end()
    const stream = await open('admin', `?after=${before}`)
    // Other servers' engines on the same database: their commits wake no reader here.
    const others = await Promise.all([1, 2].map(async () => {
      const store = await Store.open(api.database)
      return { store, engine: new Engine({ store, clock: api.clock }) }
    }))
    try {
      const engines = [api.engine, ...others.map((other) => other.engine)]
      await Promise.all(engines.flatMap((engine) => Array.from({ length: 4 }, async () => {
        const { id } = await engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, WHO.admin)
        await engine.instances.act(id, { action: 'submit', inputs: DEMAND }, WHO.customer)
        await engine.instances.act(id, { action: 'finish' }, WHO.isv)
      })))
      // On PostgreSQL the feed shows a commit once every older transaction has ended: seconds on a loaded machine.
      let expected = await feedAfter(before)
      for (const until = performance.now() + 20_000; expected.length < 12 * 6 && performance.now() < until;) expected = await feedAfter(before)
      expect(expected).toHaveLength(12 * 6)
      await stream.until(expected.length)
      expect(parsed(stream).map((e) => e.id)).toEqual(expected.map((e) => e.id))
      await new Promise((resolve) => setTimeout(resolve, 250))
      expect(stream.messages).toHaveLength(expected.length)
    } finally {
      stream.close()
      await Promise.all(others.map((other) => other.store.close()))
    }
  })

  it('reads the feed once per tick for all its streams, not once per stream', async () => {
    const streams = await Promise.all(Array.from({ length: 20 }, () => open('admin')))
    const list = vi.spyOn(api.engine.events, 'list')
    try {
      const id = await start()
      await Promise.all(streams.map((stream) => stream.until(2)))
      for (const stream of streams) expect(stream.messages.map((m) => (JSON.parse(m.data) as FeedEvent).data.delivery?.id)).toEqual([id, id])
      // Every read of the feed was the shared reader's (one per tick, whatever the number of streams), none a stream's own.
      expect(list.mock.calls.length).toBeGreaterThan(0)
      expect(list.mock.calls.map(([, by]) => by.subject)).toEqual(list.mock.calls.map(() => 'event-stream'))
    } finally {
      list.mockRestore()
      for (const stream of streams) stream.close()
    }
  })

  it('lets one token holder keep 20 streams open at once, refusing the next with stream.busy until one closes', async () => {
    const streams = await Promise.all(Array.from({ length: 20 }, () => open('isv')))
    try {
      expect(streams.map((stream) => stream.response.status)).toEqual(Array.from({ length: 20 }, () => 200))
      const refused = await fetch(`${server.url}/v1/events/stream`, { headers: { Authorization: `Bearer ${api.tokens.isv}` } })
      await expectProblem(refused, 429, 'stream.busy')
      // Another holder is not held back.
      const other = await open('customer')
      expect(other.response.status).toBe(200)
      other.close()
      streams[0]?.close()
      await vi.waitFor(async () => {
        const again = await open('isv')
        expect(again.response.status).toBe(200)
        streams[0] = again
      }, { timeout: 10_000, interval: 100 })
    } finally {
      for (const stream of streams) stream.close()
    }
  })

  it('ends a stream whose token is revoked', async () => {
    const secret = await createToken(api.store, { role: 'customer', subject: 'c-1' }, T0)
    const stream = await openStream(`${server.url}/v1/events/stream`, { Authorization: `Bearer ${secret}` })
    expect(stream.response.status).toBe(200)
    const revoked = await fetch(`${server.url}/v1/tokens/${hashToken(secret).slice(0, 16)}`, { method: 'DELETE', headers: { Authorization: `Bearer ${api.tokens.admin}` } })
    expect(revoked.status).toBe(200)
    await stream.ended
  })

  it('ends every stream when the server stops, so closing the server does not wait on them', async () => {
    const streams = await Promise.all([open('admin'), open('customer')])
    expect(hub.size).toBeGreaterThanOrEqual(2)
    hub.close()
    await Promise.all(streams.map((stream) => stream.ended))
    expect(hub.size).toBe(0)
    // A stream opened after it has closed ends at once.
    await (await open('admin')).ended
  })
})
