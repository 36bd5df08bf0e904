import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { evolve, Store } from '../../engine/index.js'
import type { InstanceState } from '../../engine/index.js'
import { DIALECT, registeredDatabase } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'
import { DEMAND } from '../support/engine.js'
import { DEFAULT_CONCURRENCY } from '../../server/webhooks/dispatcher.js'
import { startServer, tokensFor } from '../support/server-process.js'
import type { ServerProcess } from '../support/server-process.js'
import { openReceiver, verifies } from '../support/webhook-receiver.js'
import type { Receiver } from '../support/webhook-receiver.js'

// The 1,000 on PostgreSQL (the scale-out database); 120 on SQLite, where four servers
// share one file's write lock and the suite keeps `npm test` under its time budget.
const DELIVERIES = DIALECT === 'postgres' ? 1000 : 120
const CONCURRENCY = 48
const SERVERS = 4
const START = '2026-03-01T08:00:00Z'
/**
 * Every server sends webhooks to the receiver on loopback, which answers from this busy test
 * process: an attempt may take 10 s (a failed one would wait for the sandbox clock to retry), so
 * a dead server's claims are taken over 25 s later.
 */
const SERVE = ['--sandbox', '--sandbox-start', START, '--scheduler-interval', '0.05', '--webhook-allow-private', '--webhook-timeout', '10']

interface Answer { readonly status: number; readonly body: Record<string, unknown> }

/** One HTTP call; throws only when no answer came back (a killed server). */
async function call(server: ServerProcess, token: string, method: string, path: string, json?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(json === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

let database: TestDatabase
let receiver: Receiver
const servers: ServerProcess[] = []
const tokens = { admin: '', customer: '', isv: '' }
beforeAll(async () => {
  database = await registeredDatabase('dc-scale-')
  receiver = await openReceiver()
  // The tokens are rows in the shared database.
  servers.push(await startServer(database, ...SERVE))
  const [admin, customer, isv] = await tokensFor(database.location, ['admin', 'a-1'], ['customer', 'c-1'], ['isv', 'v-1'])
  Object.assign(tokens, { admin, customer, isv })
  servers.push(...await Promise.all(Array.from({ length: SERVERS - 1 }, () =>
    startServer(database, ...SERVE))))
}, 120_000)
afterAll(async () => {
  for (const server of servers) {
    server.child.kill('SIGKILL')
    await server.exited
  }
  await receiver.close()
  await database.drop()
})

describe(`${SERVERS} server processes on one ${DIALECT} database`, () => {
  it('share idempotency keys: a retry sent to another server replays the first answer', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess]
    const headers = { 'Idempotency-Key': 'start-shared-1' }
    const request = { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, id: 'shared-key-delivery', parties: { customer: 'c-1', isv: 'v-1' } }
    const first = await call(a, tokens.admin, 'POST', '/v1/instances', request, headers)
    const replay = await fetch(`${b.url}/v1/instances`, {
      method: 'POST', body: JSON.stringify(request),
      headers: { Authorization: `Bearer ${tokens.admin}`, 'Content-Type': 'application/json', ...headers },
    })
    expect(first.status).toBe(201)
    expect(replay.status).toBe(201)
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(await replay.json()).toEqual(first.body)
  })

  it(`drive ${DELIVERIES} basic deliveries through all of them, SIGKILL one midway, fire every deadline at once: each exactly once, nothing acknowledged lost, every event sent by webhook in order`, { timeout: 300_000 }, async () => {
    const endpoint = await call(servers[0] as ServerProcess, tokens.admin, 'POST', '/v1/webhook-endpoints', { url: receiver.url, types: ['delivery.action-performed', 'delivery.completed'] })
    expect(endpoint.status).toBe(201)
    const alive = new Set(servers)
    const victim = servers[1] as ServerProcess
    /** Acknowledged acts per delivery: action → revision the answer reported. */
    const acknowledged = new Map<string, Map<string, number>>()
    let acks = 0
    let sent = 0
    let lost = 0

    /** Sends a command to the next live server; when one dies under it, asks another whether it took effect. */
    const send = async (id: string, who: keyof typeof tokens, path: string, json: Record<string, unknown>, tookEffect: (view: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
      for (;;) {
        const live = [...alive]
        const server = live[sent++ % live.length] as ServerProcess
        try {
          const answer = await call(server, tokens[who], 'POST', path, json)
          if (answer.status >= 500) throw new Error(`server error ${answer.status}: ${JSON.stringify(answer.body)}`)
          if (answer.status < 300) return answer.body
          // Refused: fine only if an earlier attempt, whose answer was lost with its server, took effect.
          const now = await call([...alive][0] as ServerProcess, tokens.admin, 'GET', `/v1/instances/${id}`)
          if (now.status === 200 && tookEffect(now.body)) return now.body
          throw new Error(`${path} refused: ${JSON.stringify(answer.body)}`)
        } catch (error) {
          if (alive.has(server) && server !== victim) throw error
          lost++
          alive.delete(server)
        }
      }
    }
    const ack = (id: string, action: string, view: Record<string, unknown>): void => {
      const acts = acknowledged.get(id) ?? new Map<string, number>()
      acts.set(action, view['revision'] as number)
      acknowledged.set(id, acts)
      if (++acks === Math.floor(DELIVERIES * 1.5)) victim.child.kill('SIGKILL')
    }

    const drive = async (n: number): Promise<void> => {
      const id = `delivery-${n}`
      const started = await send(id, 'admin', '/v1/instances', { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, id, parties: { customer: 'c-1', isv: 'v-1' } }, () => true)
      ack(id, 'start', started)
      const submitted = await send(id, 'customer', `/v1/instances/${id}/act`, { action: 'submit', inputs: DEMAND, expectedRevision: started['revision'] },
        (view) => (view['revision'] as number) > (started['revision'] as number))
      ack(id, 'submit', submitted)
      const finished = await send(id, 'isv', `/v1/instances/${id}/act`, { action: 'finish', expectedRevision: submitted['revision'] },
        (view) => (view['revision'] as number) > (submitted['revision'] as number))
      ack(id, 'finish', finished)
    }
    let next = 0
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < DELIVERIES) await drive(next++)
    }))
    expect(await victim.exited).toBeNull() // killed by the signal, not exited
    expect(lost).toBeGreaterThan(0) // requests were in flight to it when it died

    // Every delivery now waits 14 days for confirmation; move every live server's clock past it at once.
    await Promise.all([...alive].map((server) => call(server, tokens.admin, 'POST', '/v1/advance', { to: '2026-03-16T08:00:00Z' })))
    const store = await Store.open(database.location)
    try {
      for (let waited = 0; ; waited += 100) {
        const left = await store.db.selectFrom('instance').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'active').where('id', 'like', 'delivery-%').executeTakeFirstOrThrow()
        if (Number(left.n) === 0) break
        if (waited > 60_000) throw new Error(`${left.n} deliveries still waiting for their deadline`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const ids = [...acknowledged.keys()].filter((id) => id.startsWith('delivery-'))
      expect(ids).toHaveLength(DELIVERIES)
      for (const id of ids) {
        const history = (await store.instances.history(id)).map((r) => r.event)
        const stored = await store.instances.find(id)
        // Every acknowledged act is in the history exactly once, and the state is its replay.
        for (const [action, revision] of acknowledged.get(id) ?? []) {
          if (action !== 'start') expect(history.filter((e) => e.type === 'action-performed' && e.action === action && e.trigger !== 'timeout')).toHaveLength(1)
          expect(stored?.state.revision).toBeGreaterThanOrEqual(revision)
        }
        // The confirmation deadline fired exactly once.
        expect(history.filter((e) => e.type === 'action-performed' && e.trigger === 'timeout')).toHaveLength(1)
        const replayed = history.reduce<InstanceState | undefined>(evolve, undefined)
        expect({ ...replayed, revision: stored?.state.revision }).toEqual(stored?.state)
        expect(stored?.state).toMatchObject({ status: 'completed', outcome: 'completed' })
      }

      // Every event the endpoint is subscribed to reached the receiver, signed, each delivery's in
      // order; only what was in flight on the killed server was sent twice, and no attempt was
      // made by two servers (each event's attempts are numbered once in the log).
      const subscribed = (await store.db.selectFrom('public_event').select(['id', 'instance_id'])
        .where('type', 'in', ['delivery.action-performed', 'delivery.completed']).where('instance_id', 'like', 'delivery-%')
        .orderBy('tx').orderBy('position').execute())
      expect(subscribed).toHaveLength(DELIVERIES * 4)
      const arrived = (): Set<string> => new Set(receiver.received.map((r) => String(r.headers['webhook-id'])))
      // An attempt that failed (a connection refused by a receiver flooded by four servers) is
      // retried on the schedule of the servers' sandbox clocks: they are moved on meanwhile.
      for (let n = 0, until = Date.now() + 90_000; subscribed.some(({ id }) => !arrived().has(id)) && Date.now() < until; n++) {
        await new Promise((resolve) => setTimeout(resolve, 200))
        if (n % 10 === 9) await Promise.all([...alive].map((server) => call(server, tokens.admin, 'POST', '/v1/advance', { by: 'PT10M' })))
      }
      expect(subscribed.filter(({ id }) => !arrived().has(id))).toEqual([])
      expect(receiver.received.every((message) => verifies(endpoint.body['secret'] as string, message))).toBe(true)
      const first = new Map<string, number>()
      receiver.received.forEach((message, i) => { if (!first.has(String(message.headers['webhook-id']))) first.set(String(message.headers['webhook-id']), i) })
      const byDelivery = new Map<string, number[]>()
      for (const { id, instance_id: instance } of subscribed) byDelivery.set(instance as string, [...(byDelivery.get(instance as string) ?? []), first.get(id) ?? -1])
      for (const order of byDelivery.values()) expect(order).toEqual([...order].sort((a, b) => a - b))
      // Sent twice: at most what the killed server had in flight, and the attempts that finished
      // while its last outcomes were being written (twice its concurrency), of some 4,000 events.
      expect(receiver.received.length - arrived().size).toBeLessThanOrEqual(2 * DEFAULT_CONCURRENCY)
      const attempts = await store.webhooks.attempts(endpoint.body['id'] as string, 1_000_000, undefined)
      expect(new Set(attempts.map((a) => `${a.event_id}#${a.attempt}`)).size).toBe(attempts.length)
    } finally {
      await store.close()
    }
  })
})
