import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { pino } from 'pino'
import type { Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import apiSchema from '../../schemas/api.schema.json' with { type: 'json' }
import { AttachmentStorage, Engine, ManualClock, PUBLIC_EVENT_TYPES, RETRY_DELAYS, SecretBox, Store, WEBHOOK_LOG_RETENTION, WebhookEndpoints } from '../../engine/index.js'
import type { WebhookTables } from '../../engine/store/webhook-repository.js'
import { createApp } from '../../server/app.js'
import { createToken } from '../../server/auth.js'
import { Metrics } from '../../server/metrics.js'
import { buildOpenApi } from '../../server/openapi.js'
import { WebhookDispatcher } from '../../server/webhooks/dispatcher.js'
import { loadSecretKey } from '../../server/webhooks/secret-key.js'
import { WebhookSender } from '../../server/webhooks/sender.js'
import { freshDatabase, snapshot } from '../support/database.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, T0 } from '../support/engine.js'
import { WHO } from '../support/http.js'
import type { Who } from '../support/http.js'
import { openReceiver, verifies } from '../support/webhook-receiver.js'
import type { Received, Receiver } from '../support/webhook-receiver.js'

// Webhooks end to end: endpoints managed over the API, the dispatcher sending the outbox to a
// real receiver on loopback that verifies every signature with the standardwebhooks library.

const silent = pino({ level: process.env['TEST_LOG'] ?? 'silent' })

interface Rig {
  readonly store: Store
  readonly engine: Engine
  readonly clock: ManualClock
  readonly database: string
  readonly dispatcher: WebhookDispatcher
  readonly secrets: SecretBox
  call(method: string, path: string, options?: { who?: Who; json?: unknown; headers?: Record<string, string> }): Promise<Response>
  /** Runs dispatcher rounds until one sends nothing. */
  drain(): Promise<void>
  close(): Promise<void>
}

async function openRig({ allowPrivate = true } = {}): Promise<Rig> {
  const { location, dir, drop } = await freshDatabase('dc-webhooks-')
  const store = await Store.open(location)
  const clock = new ManualClock(T0)
  const secrets = new SecretBox(SecretBox.newKey())
  const engine = new Engine({ store, clock })
  await engine.processes.registerBuiltIns()
  const app = createApp({ engine, store, storage: new AttachmentStorage(join(dir, 'attachments')), logger: silent, sandbox: clock, webhooks: { allowPrivate, secrets } })
  const tokens = {} as Record<Who, string>
  for (const [who, principal] of Object.entries(WHO)) tokens[who as Who] = await createToken(store, principal, T0)
  // Jitter drawn at the middle: each retry waits exactly its delay.
  const dispatcher = new WebhookDispatcher({ store, events: engine.events, clock, logger: silent, allowPrivate: true, secrets, timeoutMs: 2_000, random: () => 0.5 })
  return {
    store, engine, clock, database: location, dispatcher, secrets,
    call: (method, path, { who, json, headers = {} } = {}) => Promise.resolve(app.request(path, {
      method,
      headers: { ...(who ? { Authorization: `Bearer ${tokens[who]}` } : {}), ...(json === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    })),
    drain: async () => {
      for (let i = 0; i < 50; i++) {
        await allVisible(store)
        const report = await dispatcher.round()
        if (report.delivered + report.failed + report.queued === 0 && await allVisible(store)) return
      }
    },
    close: async () => {
      await dispatcher.stop()
      await store.close()
      await drop()
    },
  }
}

/**
 * Waits until the feed shows every committed public event: on PostgreSQL it shows only those of
 * transactions older than the cluster's oldest running one, and the suite runs tests side by side
 * on one cluster. Resolves with whether it had to wait (so a caller knows to look again).
 */
async function allVisible(store: Store): Promise<boolean> {
  const { n } = await store.db.selectFrom('public_event').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  for (let waited = 0; waited < 30_000; waited += 20) {
    if ((await store.events.page({ limit: 1_000_000 })).length >= Number(n)) return waited === 0
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`The feed did not show all ${n} public events within 30 s.`)
}

async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return await response.json() as T
}

interface Created { id: string; secret: string; [key: string]: unknown }

async function createEndpoint(rig: Rig, body: Record<string, unknown>): Promise<Created> {
  const response = await rig.call('POST', '/v1/webhook-endpoints', { who: 'admin', json: body })
  expect(response.status, await response.clone().text()).toBe(201)
  return json<Created>(response)
}

/** A basic delivery started, its demand submitted and its project finished. */
async function driveBasic(engine: Engine): Promise<string> {
  const { id } = await engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
  await engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
  await engine.instances.act(id, { action: 'finish' }, ISV)
  return id
}

let rig: Rig
let receiver: Receiver
beforeEach(async () => {
  rig = await openRig()
  receiver = await openReceiver()
})
afterEach(async () => {
  await rig.close()
  await receiver.close()
})

describe('managing webhook endpoints', () => {
  it('creates an endpoint showing its secret once, lists, reads, changes, disables, enables and deletes it', async () => {
    const created = await createEndpoint(rig, { url: receiver.url, types: ['delivery.started'], process: 'basic', description: 'ERP' })
    expect(created).toMatchObject({ url: receiver.url, types: ['delivery.started'], process: 'basic', description: 'ERP', status: 'enabled', disabledReason: null })
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    const read = await rig.call('GET', `/v1/webhook-endpoints/${created.id}`, { who: 'system' })
    expect(read.status).toBe(200)
    const text = await read.text()
    expect(text).not.toContain(created.secret.slice(6))
    const list = await json<{ items: Array<{ id: string }> }>(await rig.call('GET', '/v1/webhook-endpoints', { who: 'admin' }))
    expect(list.items.map((e) => e.id)).toEqual([created.id])
    expect(JSON.stringify(list)).not.toContain(created.secret.slice(6))

    const patched = await rig.call('PATCH', `/v1/webhook-endpoints/${created.id}`, { who: 'admin', json: { types: null, description: null } })
    expect(await json(patched)).toMatchObject({ types: null, description: null, process: 'basic', url: receiver.url })
    expect(await json(await rig.call('POST', `/v1/webhook-endpoints/${created.id}/disable`, { who: 'admin' }))).toMatchObject({ status: 'disabled', disabledReason: 'manual' })
    expect(await json(await rig.call('POST', `/v1/webhook-endpoints/${created.id}/enable`, { who: 'admin' }))).toMatchObject({ status: 'enabled', disabledReason: null })
    expect((await rig.call('DELETE', `/v1/webhook-endpoints/${created.id}`, { who: 'admin' })).status).toBe(200)
    const gone = await rig.call('GET', `/v1/webhook-endpoints/${created.id}`, { who: 'admin' })
    expect(gone.status).toBe(404)
    expect(await json(gone)).toMatchObject({ code: 'webhook-endpoint.not-found' })
  })

  it('refuses unknown event types and malformed URLs at their field, changing nothing', async () => {
    const before = await snapshot(rig.database)
    const types = await rig.call('POST', '/v1/webhook-endpoints', { who: 'admin', json: { url: receiver.url, types: ['delivery.started', 'delivery.exploded'] } })
    expect(types.status).toBe(422)
    expect(await json(types)).toMatchObject({ code: 'request.invalid', errors: [{ pointer: '/types/1', rule: 'enum', message: expect.stringContaining('"delivery.completed"') as unknown }] })
    for (const url of ['ftp://example.com/hooks', 'http://user:pass@example.com/hooks', 'not a url', ' https://example.com/hooks', 'https://exam\nple.com/', 'https:/example.com/hooks', 'https:\\\\example.com\\hooks', 'https://@example.com/', 'https://example.com:0/']) {
      const response = await rig.call('POST', '/v1/webhook-endpoints', { who: 'admin', json: { url } })
      expect(response.status, url).toBe(422)
      expect(await json(response)).toMatchObject({ code: 'request.invalid', errors: [{ pointer: '/url', rule: 'format', message: expect.stringContaining('http or https') }] })
    }
    expect(await snapshot(rig.database)).toEqual(before)
  })

  it('may subscribe to every public event type, and to nothing else', async () => {
    for (const shape of ['WebhookEndpointCreateRequest', 'WebhookEndpointUpdateRequest'] as const) {
      expect(apiSchema.$defs[shape].properties.types.items.enum, shape).toEqual([...PUBLIC_EVENT_TYPES])
    }
    const created = await createEndpoint(rig, { url: receiver.url, types: ['delivery.deadline-approaching'] })
    expect(created.types).toEqual(['delivery.deadline-approaching'])
  })

  it('is for administrators and the system: customers and ISVs get 403 auth.forbidden', async () => {
    const created = await createEndpoint(rig, { url: receiver.url })
    for (const who of ['customer', 'isv'] as const) {
      for (const [method, path, body] of [
        ['GET', '/v1/webhook-endpoints', undefined], ['POST', '/v1/webhook-endpoints', { url: receiver.url }],
        ['GET', `/v1/webhook-endpoints/${created.id}/attempts`, undefined], ['POST', `/v1/webhook-endpoints/${created.id}/resend`, { since: T0 }],
        ['POST', `/v1/webhook-endpoints/${created.id}/rotate-secret`, {}], ['DELETE', `/v1/webhook-endpoints/${created.id}`, undefined],
      ] as const) {
        const response = await rig.call(method, path, { who, ...(body === undefined ? {} : { json: body }) })
        expect(response.status, `${who} ${method} ${path}`).toBe(403)
        expect(await json(response)).toMatchObject({ code: 'auth.forbidden' })
      }
    }
  })
})

describe('SSRF', () => {
  it('refuses URLs whose host is or resolves to an internal address without the option', async () => {
    const strict = await openRig({ allowPrivate: false })
    try {
      expect((await strict.call('GET', '/v1/webhook-endpoints', { who: 'admin' })).status).toBe(200)
      const before = await snapshot(strict.database)
      for (const url of ['http://127.0.0.1:9/x', 'http://10.1.2.3/', 'http://169.254.169.254/latest', 'http://[::1]/', 'http://localhost:8080/', 'http://[::ffff:127.0.0.1]/', 'https://192.168.1.1/', 'http://0.0.0.0/', 'http://[fd00::1]/', 'http://[fe80::1]/', 'http://224.0.0.1/',
        // IPv4 inside IPv6 by translation or tunnelling: local NAT64, SIIT, 6to4 and Teredo.
        'http://[64:ff9b:1::7f00:1]/', 'http://[::ffff:0:7f00:1]/', 'http://[2002:7f00:1::]/', 'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/']) {
        const response = await strict.call('POST', '/v1/webhook-endpoints', { who: 'admin', json: { url } })
        expect(response.status, url).toBe(422)
        expect(await json(response), url).toMatchObject({ code: 'request.invalid', errors: [{ pointer: '/url', rule: 'public-address' }] })
      }
      expect(await snapshot(strict.database)).toEqual(before)
      const created = await createEndpoint(strict, { url: 'https://93.184.215.14/hooks' })
      const patched = await strict.call('PATCH', `/v1/webhook-endpoints/${created.id}`, { who: 'admin', json: { url: 'http://127.0.0.1/' } })
      expect(patched.status).toBe(422)
      expect(await json(patched)).toMatchObject({ errors: [{ pointer: '/url' }] })
      expect(await json(await strict.call('GET', `/v1/webhook-endpoints/${created.id}`, { who: 'admin' }))).toMatchObject({ url: 'https://93.184.215.14/hooks' })
    } finally {
      await strict.close()
    }
  })

  it('refuses again at connection time: a name resolving to loopback and a loopback address are never connected to', async () => {
    const sender = new WebhookSender({ allowPrivate: false, timeoutMs: 2_000 })
    try {
      const port = new URL(receiver.url).port
      const byName = await sender.send(`http://localhost:${port}/hooks`, {}, '{}')
      expect(byName).toMatchObject({ status: null, error: expect.stringContaining('internal address') })
      const byAddress = await sender.send(`http://127.0.0.1:${port}/hooks`, {}, '{}')
      expect(byAddress).toMatchObject({ status: null, error: expect.stringContaining('internal address') })
      expect(receiver.received).toHaveLength(0)
    } finally {
      sender.close()
    }
  })
})

describe('delivering events', () => {
  it('sends every event of a delivery once, in order, each with a valid signature', async () => {
    const endpoint = await createEndpoint(rig, { url: receiver.url })
    const id = await driveBasic(rig.engine)
    await rig.drain()
    const feed = await rig.engine.events.list({ instance: id }, ADMIN)
    expect(feed.items.length).toBeGreaterThanOrEqual(5)
    expect(receiver.received.map((m) => m.event.id)).toEqual(feed.items.map((e) => e.id))
    for (const message of receiver.received) {
      expect(verifies(endpoint.secret, message)).toBe(true)
      expect(message.headers['webhook-id']).toBe(message.event.id)
      expect(message.headers['content-type']).toBe('application/json')
    }
    expect(receiver.received.map((m) => m.event.type).slice(0, 3)).toEqual(['delivery.started', 'delivery.step-entered', 'delivery.action-performed'])
    // Each body is the request the OpenAPI document's `webhooks` describes for its type.
    const document = buildOpenApi() as { webhooks: Record<string, { post: { requestBody: { content: { 'application/json': { schema: object } } } } }>; components: object }
    const ajv = new Ajv2020({ allErrors: true, strict: false })
    addFormats.default(ajv)
    ajv.addKeyword('components')
    ajv.addSchema({ $id: 'urn:delivery-center:openapi', components: document.components })
    for (const message of receiver.received) {
      const described = document.webhooks[message.event.type]?.post.requestBody.content['application/json'].schema
      expect(described, message.event.type).toBeDefined()
      const validate = ajv.getSchema(`urn:webhook:${message.event.type}`)
        ?? (ajv.addSchema(JSON.parse(JSON.stringify(described).replaceAll('"#/components/', '"urn:delivery-center:openapi#/components/')) as object, `urn:webhook:${message.event.type}`), ajv.getSchema(`urn:webhook:${message.event.type}`))
      if (!validate) throw new Error(`no schema for ${message.event.type}`)
      expect(validate(JSON.parse(message.body)) ? [] : validate.errors, message.event.type).toEqual([])
    }
    // Nothing more once delivered.
    await rig.drain()
    expect(receiver.received).toHaveLength(feed.items.length)
  })

  it('sends only the types and process an endpoint is subscribed to, and nothing for a refused act', async () => {
    await createEndpoint(rig, { url: receiver.url, types: ['delivery.action-performed'], process: 'basic' })
    const { id } = await rig.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await expect(rig.engine.instances.act(id, { action: 'finish' }, ISV)).rejects.toMatchObject({ code: expect.any(String) })
    await rig.drain()
    expect(receiver.received).toHaveLength(0)
    await rig.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    await rig.drain()
    expect(receiver.received.map((m) => m.event.type)).toEqual(['delivery.action-performed'])
  })

  it('retries a failing receiver on the schedule, holding the delivery\'s later events back until it recovers', async () => {
    const endpoint = await createEndpoint(rig, { url: receiver.url })
    let failures = 2
    receiver.answer = () => failures-- > 0 ? 500 : 200
    const { id } = await rig.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await rig.drain()
    expect(receiver.received).toHaveLength(1)
    rig.clock.advance(`PT${(RETRY_DELAYS[0] as number) - 1}S`)
    await rig.drain()
    expect(receiver.received).toHaveLength(1)
    rig.clock.advance('PT1S')
    await rig.drain()
    expect(receiver.received).toHaveLength(2)
    rig.clock.advance(`PT${RETRY_DELAYS[1] as number}S`)
    await rig.drain()
    const feed = await rig.engine.events.list({ instance: id }, ADMIN)
    // The first event three times (two failures, then success), then the others, once each, in order.
    const first = feed.items[0]?.id
    expect(receiver.received.map((m) => m.event.id)).toEqual([first, first, first, ...feed.items.slice(1).map((e) => e.id)])
    const log = await json<{ items: Array<Record<string, unknown>> }>(await rig.call('GET', `/v1/webhook-endpoints/${endpoint.id}/attempts?limit=500`, { who: 'admin' }))
    const ofFirst = log.items.filter((a) => a['eventId'] === first).reverse()
    expect(ofFirst).toEqual([
      { eventId: first, attempt: 1, at: T0, status: 500, latencyMs: expect.any(Number), error: 'answered 500' },
      { eventId: first, attempt: 2, at: '2026-01-01T00:00:05.000Z', status: 500, latencyMs: expect.any(Number), error: 'answered 500' },
      { eventId: first, attempt: 3, at: '2026-01-01T00:01:05.000Z', status: 200, latencyMs: expect.any(Number), error: null },
    ])
    const page = await json<{ items: unknown[]; next: string | null }>(await rig.call('GET', `/v1/webhook-endpoints/${endpoint.id}/attempts?limit=2`, { who: 'admin' }))
    expect(page.items).toHaveLength(2)
    expect(page.next).toEqual(expect.any(String))
    const older = await json<{ items: Array<Record<string, unknown>> }>(await rig.call('GET', `/v1/webhook-endpoints/${endpoint.id}/attempts?limit=2&cursor=${page.next ?? ''}`, { who: 'admin' }))
    expect(older.items).toHaveLength(2)
    expect(older.items).not.toContainEqual(page.items[0])
    // A cursor it did not give is refused where it was given: in the query.
    for (const cursor of ['WzEsMl0', Buffer.from(JSON.stringify(['a', -1])).toString('base64url'), Buffer.from(JSON.stringify(['a', 0])).toString('base64url')]) {
      const forged = await rig.call('GET', `/v1/webhook-endpoints/${endpoint.id}/attempts?cursor=${cursor}`, { who: 'admin' })
      expect(forged.status, cursor).toBe(422)
      expect(await forged.json()).toMatchObject({ code: 'request.invalid', errors: [{ pointer: '/query/cursor', rule: 'format' }] })
    }
  })

  it('fails at once, and holds nothing back, a delivery whose event the outbox no longer holds', async () => {
    const endpoint = await createEndpoint(rig, { url: receiver.url })
    receiver.answer = () => 500
    const { id } = await rig.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await rig.drain()
    const [first, second] = (await rig.engine.events.list({ instance: id }, ADMIN)).items
    expect(receiver.received.map((m) => m.event.id)).toEqual([first?.id])
    await rig.store.db.deleteFrom('public_event').where('id', '=', first?.id as string).execute()
    receiver.answer = () => 200
    rig.clock.advance(`PT${RETRY_DELAYS[0] as number}S`)
    await rig.drain()
    expect(receiver.received.map((m) => m.event.id)).toEqual([first?.id, second?.id])
    const log = await json<{ items: Array<Record<string, unknown>> }>(await rig.call('GET', `/v1/webhook-endpoints/${endpoint.id}/attempts`, { who: 'admin' }))
    expect(log.items.filter((a) => a['eventId'] === first?.id).map((a) => [a['attempt'], a['status'], a['error']]))
      .toEqual([[2, null, 'the event is no longer in the outbox'], [1, 500, 'answered 500']])
    // Failed for good: never tried again.
    rig.clock.advance('P1D')
    await rig.drain()
    expect(receiver.received).toHaveLength(2)
  })

  it('sends the deliveries queued before their events\' places were kept (migration 0018), found by id', async () => {
    await createEndpoint(rig, { url: receiver.url })
    receiver.answer = () => 500
    const { id } = await rig.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await rig.drain()
    const db = rig.store.db as unknown as Kysely<WebhookTables>
    const queued = await db.selectFrom('webhook_delivery').select(['event_id', 'event_position']).orderBy('id').execute()
    expect(queued.map((row) => row.event_position === null)).toEqual([false, false])
    await db.updateTable('webhook_delivery').set({ event_position: null }).execute()
    receiver.answer = () => 200
    rig.clock.advance(`PT${RETRY_DELAYS[0] as number}S`)
    await rig.drain()
    const feed = await rig.engine.events.list({ instance: id }, ADMIN)
    expect(receiver.received.map((m) => m.event.id)).toEqual([feed.items[0]?.id, ...feed.items.map((e) => e.id)])
    expect(receiver.received.at(-1)?.event).toEqual((({ cursor: _, ...event }) => event)(feed.items.at(-1) as (typeof feed.items)[number]))
  })

  it('holds up no other delivery while one delivery\'s event keeps failing', async () => {
    await createEndpoint(rig, { url: receiver.url })
    const { id: stuck } = await rig.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    receiver.answer = () => 500
    await rig.drain()
    receiver.answer = () => 200
    const { id: other } = await rig.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-2', isv: 'v-1' } }, ADMIN)
    await rig.drain()
    const got = receiver.received.filter((m) => m.event.data.delivery?.id === other)
    expect(got.length).toBeGreaterThanOrEqual(2)
    expect(receiver.received.filter((m) => m.event.data.delivery?.id === stuck)).toHaveLength(1)
  })

  it('signs with both secrets during a rotation\'s overlap, and with the new one only after', async () => {
    const endpoint = await createEndpoint(rig, { url: receiver.url, types: ['delivery.started'] })
    const rotated = await json<Created>(await rig.call('POST', `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { who: 'admin', json: {} }))
    expect(rotated.secret).not.toBe(endpoint.secret)
    expect(rotated['previousSecretUntil']).toBe('2026-01-02T00:00:00.000Z')
    await rig.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await rig.drain()
    const during = receiver.received.at(-1) as Received
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2)
    expect(verifies(endpoint.secret, during)).toBe(true)
    expect(verifies(rotated.secret, during)).toBe(true)
    rig.clock.advance('PT24H1S')
    await rig.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await rig.drain()
    const after = receiver.received.at(-1) as Received
    expect(receiver.received).toHaveLength(2)
    expect(verifies(rotated.secret, after)).toBe(true)
    expect(verifies(endpoint.secret, after)).toBe(false)
  })

  it('disables an endpoint failing for 5 days and publishes webhook-endpoint.disabled', async () => {
    const endpoint = await createEndpoint(rig, { url: receiver.url, types: ['delivery.started'] })
    // Another endpoint, narrowed to one process, still hears of endpoints (events of no delivery).
    const watcher = await openReceiver()
    const watching = await createEndpoint(rig, { url: watcher.url, types: ['webhook-endpoint.disabled'], process: 'contract' })
    receiver.answer = () => 503
    await rig.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await rig.drain()
    for (const delay of RETRY_DELAYS) {
      const state = await json<{ status: string }>(await rig.call('GET', `/v1/webhook-endpoints/${endpoint.id}`, { who: 'admin' }))
      if (state.status === 'disabled') break
      rig.clock.advance(`PT${delay}S`)
      await rig.drain()
    }
    const state = await json(await rig.call('GET', `/v1/webhook-endpoints/${endpoint.id}`, { who: 'admin' }))
    expect(state).toMatchObject({ status: 'disabled', disabledReason: 'failing', failingSince: T0 })
    const attempts = receiver.received.length
    expect(attempts).toBeGreaterThan(10)
    const events = await rig.engine.events.list({ types: ['webhook-endpoint.disabled'] }, ADMIN)
    expect(events.items).toHaveLength(1)
    expect(events.items[0]).toMatchObject({ type: 'webhook-endpoint.disabled', data: { endpoint: { id: endpoint.id, url: receiver.url }, reason: 'failing' } })
    expect(watcher.received.map((m) => [m.event.type, verifies(watching.secret, m)])).toEqual([['webhook-endpoint.disabled', true]])
    await watcher.close()
    // Nothing is sent to a disabled endpoint.
    rig.clock.advance('P2D')
    await rig.drain()
    expect(receiver.received).toHaveLength(attempts)
  })

  it('resends one event, or everything since an instant', async () => {
    const endpoint = await createEndpoint(rig, { url: receiver.url })
    const id = await driveBasic(rig.engine)
    await rig.drain()
    const sent = receiver.received.length
    const firstId = receiver.received[0]?.event.id
    const one = await rig.call('POST', `/v1/webhook-endpoints/${endpoint.id}/resend`, { who: 'admin', json: { eventId: firstId } })
    expect(one.status).toBe(202)
    expect(await json(one)).toEqual({ queued: 1 })
    await rig.drain()
    expect(receiver.received.map((m) => m.event.id).slice(sent)).toEqual([firstId])
    const all = await json<{ queued: number }>(await rig.call('POST', `/v1/webhook-endpoints/${endpoint.id}/resend`, { who: 'admin', json: { since: T0 } }))
    expect(all.queued).toBe(sent)
    await rig.drain()
    expect(receiver.received).toHaveLength(2 * sent + 1)
    const unknown = await rig.call('POST', `/v1/webhook-endpoints/${endpoint.id}/resend`, { who: 'admin', json: { eventId: `${id}.999` } })
    expect(unknown.status).toBe(404)
    expect(await json(unknown)).toMatchObject({ code: 'event.not-found' })
    const both = await rig.call('POST', `/v1/webhook-endpoints/${endpoint.id}/resend`, { who: 'admin', json: { eventId: firstId, since: T0 } })
    expect(both.status).toBe(422)
    // An event the endpoint is not subscribed to is not resent to it.
    const narrow = await createEndpoint(rig, { url: receiver.url, types: ['delivery.completed'] })
    const before = await snapshot(rig.database)
    const refused = await rig.call('POST', `/v1/webhook-endpoints/${narrow.id}/resend`, { who: 'admin', json: { eventId: firstId } })
    expect(refused.status).toBe(422)
    expect(await json(refused)).toMatchObject({ code: 'request.invalid', errors: [{ pointer: '/eventId', rule: 'subscribed' }] })
    expect(await snapshot(rig.database)).toEqual(before)
  })

  it('shares the work between dispatchers on one database without sending an event twice', async () => {
    await createEndpoint(rig, { url: receiver.url })
    const second = new WebhookDispatcher({ store: rig.store, events: rig.engine.events, clock: rig.clock, logger: silent, allowPrivate: true, secrets: rig.secrets, batch: 7 })
    const ids = await Promise.all(Array.from({ length: 20 }, () => driveBasic(rig.engine)))
    try {
      for (let i = 0; i < 30; i++) {
        const [a, b] = await Promise.all([rig.dispatcher.round(), second.round()])
        if (a.delivered + b.delivered + a.queued + b.queued === 0) break
      }
    } finally {
      await second.stop()
    }
    const received = receiver.received.map((m) => m.event.id)
    expect(new Set(received).size).toBe(received.length)
    for (const id of ids) {
      const feed = await rig.engine.events.list({ instance: id }, ADMIN)
      expect(received.filter((e) => e.startsWith(`${id}.`))).toEqual(feed.items.map((e) => e.id))
    }
  })
})

describe('keeping the secrets', () => {
  it('stores a secret sealed, never as issued, and signs with it opened', async () => {
    const endpoint = await createEndpoint(rig, { url: receiver.url })
    const row = await rig.store.webhooks.find(endpoint.id)
    expect(row?.secret).toMatch(/^v1\./)
    expect(JSON.stringify(await snapshot(rig.database))).not.toContain(endpoint.secret.slice(6))
    await driveBasic(rig.engine)
    await rig.drain()
    expect(receiver.received.length).toBeGreaterThan(0)
    expect(receiver.received.every((m) => verifies(endpoint.secret, m))).toBe(true)
  })

  it('creates or rotates once for one Idempotency-Key: a retry is answered the endpoint without its secret', async () => {
    const create = () => rig.call('POST', '/v1/webhook-endpoints', { who: 'admin', json: { url: receiver.url }, headers: { 'Idempotency-Key': 'hook-1' } })
    const first = await create()
    const created = await json<Created>(first)
    const retried = await create()
    expect(retried.status).toBe(201)
    expect(retried.headers.get('Idempotent-Replayed')).toBe('true')
    const replayed = await json<Record<string, unknown>>(retried)
    expect(replayed).toEqual(Object.fromEntries(Object.entries(created).filter(([name]) => name !== 'secret')))
    expect((await rig.store.webhooks.list()).map((row) => row.id)).toEqual([created.id])
    const rotate = () => rig.call('POST', `/v1/webhook-endpoints/${created.id}/rotate-secret`, { who: 'admin', json: { overlapSeconds: 60 }, headers: { 'Idempotency-Key': 'rotate-1' } })
    const rotated = await json<Created>(await rotate())
    const sealed = (await rig.store.webhooks.find(created.id))?.secret
    const again = await rotate()
    expect(again.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await json<Record<string, unknown>>(again)).not.toHaveProperty('secret')
    expect((await rig.store.webhooks.find(created.id))?.secret).toBe(sealed)
    // No stored answer holds either secret.
    expect(JSON.stringify(await snapshot(rig.database))).not.toContain(created.secret.slice(6))
    expect(JSON.stringify(await snapshot(rig.database))).not.toContain(rotated.secret.slice(6))
  })

  it('seals the secrets an earlier version stored as issued, once, keeping them', async () => {
    const endpoint = await createEndpoint(rig, { url: receiver.url })
    await rig.store.webhooks.update(endpoint.id, { secret: endpoint.secret, previous_secret: 'whsec_b2xkIHNlY3JldA==' })
    const endpoints = new WebhookEndpoints(rig.store.webhooks, rig.store.events, rig.clock, { allowPrivate: true, secrets: rig.secrets })
    expect(await endpoints.sealStoredSecrets()).toBe(1)
    expect(await endpoints.sealStoredSecrets()).toBe(0)
    const row = await rig.store.webhooks.find(endpoint.id)
    expect(row && [SecretBox.isSealed(row.secret), SecretBox.isSealed(row.previous_secret ?? '')]).toEqual([true, true])
    expect(row && rig.secrets.open(row.secret, endpoint.id)).toBe(endpoint.secret)
    expect(row && rig.secrets.open(row.previous_secret ?? '', endpoint.id)).toBe('whsec_b2xkIHNlY3JldA==')
  })

  it('a server with another key sends nothing and logs why in the attempt', async () => {
    const endpoint = await createEndpoint(rig, { url: receiver.url })
    await driveBasic(rig.engine)
    const stranger = new WebhookDispatcher({ store: rig.store, events: rig.engine.events, clock: rig.clock, logger: silent, allowPrivate: true, secrets: new SecretBox(SecretBox.newKey()) })
    try {
      await allVisible(rig.store)
      const report = await stranger.round()
      expect(report.delivered).toBe(0)
      expect(report.failed).toBeGreaterThan(0)
    } finally {
      await stranger.stop()
    }
    expect(receiver.received).toHaveLength(0)
    const log = await json<{ items: { error: string | null }[] }>(await rig.call('GET', `/v1/webhook-endpoints/${endpoint.id}/attempts`, { who: 'admin' }))
    expect(log.items[0]?.error).toMatch(/sealed with key .* DC_SECRET_KEY/)
    // The right key sends them on their retry.
    rig.clock.advance('PT10S')
    await rig.drain()
    expect(receiver.received.length).toBeGreaterThan(0)
    expect(receiver.received.every((m) => verifies(endpoint.secret, m))).toBe(true)
  })

  it('removes the attempts and settled deliveries older than 30 days, keeping the rest', async () => {
    const endpoint = await createEndpoint(rig, { url: receiver.url })
    await driveBasic(rig.engine)
    await rig.drain()
    const sent = receiver.received.length
    rig.clock.advance('P20D')
    await driveBasic(rig.engine)
    await rig.drain()
    const log = async (): Promise<number> => (await json<{ items: unknown[] }>(await rig.call('GET', `/v1/webhook-endpoints/${endpoint.id}/attempts?limit=500`, { who: 'admin' }))).items.length
    expect(await log()).toBe(receiver.received.length)
    rig.clock.advance('P11D')
    expect(await rig.store.webhooks.purge(new Date(Date.parse(rig.clock.now().toString()) - WEBHOOK_LOG_RETENTION * 1000).toISOString())).toEqual({ deliveries: 0, attempts: sent })
    expect(await log()).toBe(receiver.received.length - sent)
    rig.clock.advance('P7D')
    const purged = await rig.store.webhooks.purge(new Date(Date.parse(rig.clock.now().toString()) - WEBHOOK_LOG_RETENTION * 1000).toISOString())
    expect(purged.deliveries).toBe(sent)
  })
})

describe('the key sealing the secrets', () => {
  it('is made once in the data directory, readable by its owner only, and read back by every server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-key-'))
    try {
      const path = join(dir, 'data', 'secret.key')
      const boxes = Array.from({ length: 4 }, () => loadSecretKey({ kind: 'file', path, create: true }))
      expect(new Set(boxes.map((b) => b.keyId)).size).toBe(1)
      expect(statSync(path).mode & 0o777).toBe(0o600)
      expect(readdirSync(join(dir, 'data'))).toEqual(['secret.key'])
      const sealed = boxes[0]?.seal('whsec_x', 'we_1') ?? ''
      expect(boxes[3]?.open(sealed, 'we_1')).toBe('whsec_x')
      expect(() => boxes[3]?.open(sealed, 'we_2')).toThrow(/does not open/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('is taken from DC_SECRET_KEY or a key file, and refused with what is accepted when it is no key', () => {
    const key = SecretBox.newKey()
    expect(loadSecretKey({ kind: 'value', text: key.toString('base64'), origin: 'DC_SECRET_KEY' }).keyId).toBe(new SecretBox(key).keyId)
    expect(loadSecretKey({ kind: 'value', text: key.toString('hex'), origin: 'DC_SECRET_KEY' }).keyId).toBe(new SecretBox(key).keyId)
    expect(() => loadSecretKey({ kind: 'value', text: 'hunter2', origin: 'DC_SECRET_KEY' })).toThrow(/^DC_SECRET_KEY: A secret key must be 32 random bytes written as base64/)
    expect(() => loadSecretKey({ kind: 'file', path: '/nonexistent/secret.key', create: false })).toThrow(/secret key file \/nonexistent\/secret.key cannot be read/)
  })
})

describe('metrics', () => {
  it('counts the attempts written by outcome, and the deliveries still pending', async () => {
    await createEndpoint(rig, { url: receiver.url })
    const metrics = new Metrics(rig.store, rig.clock, silent)
    const observed = new WebhookDispatcher({ store: rig.store, events: rig.engine.events, clock: rig.clock, logger: silent, allowPrivate: true, secrets: rig.secrets, metrics, random: () => 0.5 })
    try {
      await driveBasic(rig.engine)
      await allVisible(rig.store)
      receiver.answer = () => 500
      await observed.round()
      const failedFirst = receiver.received.length
      expect(failedFirst).toBeGreaterThan(0)
      let text = (await metrics.render()).text
      expect(text).toContain(`dc_webhook_attempt_duration_seconds_count{outcome="failed"} ${failedFirst}`)
      expect(text).toMatch(/dc_webhook_deliveries_pending [1-9]/)
      receiver.answer = () => 204
      rig.clock.advance('PT10S')
      for (let i = 0; i < 20 && await rig.store.webhooks.pending() > 0; i++) await observed.round()
      text = (await metrics.render()).text
      expect(text).toContain(`dc_webhook_attempt_duration_seconds_count{outcome="succeeded"} ${receiver.received.length - failedFirst}`)
      expect(text).toContain('dc_webhook_deliveries_pending 0')
    } finally {
      await observed.stop()
    }
  })
})
