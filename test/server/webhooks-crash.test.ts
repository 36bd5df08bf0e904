import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Store } from '../../engine/index.js'
import { DIALECT, registeredDatabase } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'
import { DEMAND } from '../support/engine.js'
import { startServer, tokensFor } from '../support/server-process.js'
import type { ServerProcess } from '../support/server-process.js'
import { openReceiver, verifies } from '../support/webhook-receiver.js'
import type { Receiver } from '../support/webhook-receiver.js'

// At least once through crashes: a server killed with SIGKILL, again and again, while deliveries
// are being driven and webhook attempts are in flight; each time a new one starts on the same
// database. Every committed public event must reach the receiver, and duplicates stay rare.

const ROUNDS = 3
const DELIVERIES_PER_ROUND = 16
/**
 * One attempt may take 4 s (a failed one would wait for the sandbox clock to be retried, so none
 * may time out on a loaded machine), so a dead server's claims are taken over 13 s later.
 */
const FLAGS = ['--sandbox', '--scheduler-interval', '0.05', '--webhook-allow-private', '--webhook-timeout', '4']

let database: TestDatabase
let receiver: Receiver
let server: ServerProcess
const tokens = { admin: '', customer: '', isv: '' }
beforeAll(async () => {
  database = await registeredDatabase('dc-webhook-crash-')
  receiver = await openReceiver()
  // Each answer takes a while, so attempts are in flight when the server dies.
  receiver.delayMs = 30
  server = await startServer(database, ...FLAGS)
  const [admin, customer, isv] = await tokensFor(database.location, ['admin', 'a-1'], ['customer', 'c-1'], ['isv', 'v-1'])
  Object.assign(tokens, { admin, customer, isv })
}, 60_000)
afterAll(async () => {
  server.child.kill('SIGKILL')
  await server.exited
  await receiver.close()
  await database.drop()
})

async function call(who: keyof typeof tokens, method: string, path: string, json?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method, headers: { Authorization: `Bearer ${tokens[who]}`, ...(json === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

/** Drives a basic delivery to Confirm Delivery; a request the dying server does not answer ends it there. */
async function drive(id: string): Promise<void> {
  try {
    await call('admin', 'POST', '/v1/instances', { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, id, parties: { customer: 'c-1', isv: 'v-1' } })
    await call('customer', 'POST', `/v1/instances/${id}/act`, { action: 'submit', inputs: DEMAND })
    await call('isv', 'POST', `/v1/instances/${id}/act`, { action: 'finish' })
  } catch {
    // The server died under it: whatever it committed must still be delivered.
  }
}

describe(`webhooks through crashes on ${DIALECT}`, () => {
  it(`SIGKILLed ${ROUNDS} times with deliveries and attempts in flight: every committed event arrives, signed; duplicates stay rare`, { timeout: 180_000 }, async () => {
    const created = await call('admin', 'POST', '/v1/webhook-endpoints', { url: receiver.url, description: 'crash test' })
    expect(created.status).toBe(201)
    const secret = created.body['secret'] as string

    for (let round = 0; round < ROUNDS; round++) {
      const driving = Promise.all(Array.from({ length: DELIVERIES_PER_ROUND }, (_, i) => drive(`crash-${round}-${i}`)))
      // Killed once events are being sent: acts are in flight, and attempts are waiting on the receiver.
      const seen = receiver.received.length
      for (const until = Date.now() + 20_000; receiver.received.length < seen + 10 && Date.now() < until;) await new Promise((resolve) => setTimeout(resolve, 10))
      server.child.kill('SIGKILL')
      expect(await server.exited).toBeNull()
      await driving
      server = await startServer(database, ...FLAGS)
    }

    // Every event the database holds (all committed) reaches the receiver, at least once.
    const store = await Store.open(database.location)
    let committed: string[]
    try {
      committed = (await store.db.selectFrom('public_event').select('id').where('instance_id', 'is not', null).orderBy('tx').orderBy('position').execute()).map((row) => row.id)
    } finally {
      await store.close()
    }
    expect(committed.length).toBeGreaterThan(ROUNDS * 10)
    const arrived = (): Set<string> => new Set(receiver.received.map((r) => String(r.headers['webhook-id'])))
    // An attempt that failed is retried on the schedule of the sandbox clock: it is moved on meanwhile.
    for (let n = 0, until = Date.now() + 60_000; committed.some((id) => !arrived().has(id)) && Date.now() < until; n++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      if (n % 20 === 19) await call('admin', 'POST', '/v1/advance', { by: 'PT10M' })
    }
    expect(committed.filter((id) => !arrived().has(id))).toEqual([])
    expect(receiver.received.every((message) => verifies(secret, message))).toBe(true)

    // Duplicates: attempts in flight when a server died (the receiver had them, the server never
    // heard back), made again by the next one. A delivery has one event in flight at a time, so
    // each kill duplicates at most one event per delivery started by then (the dispatcher may
    // still be sending those of earlier rounds), and nothing else is ever sent twice.
    // An attempt that failed (on a loaded machine, one that outlasted the timeout while the
    // receiver got it) is sent again too, as at-least-once delivery must.
    const attempts = await Store.open(database.location)
    const failed = await sql<{ n: number | string }>`select count(*) as n from webhook_attempt where status is null or status < 200 or status >= 300`
      .execute(attempts.db).finally(() => attempts.close())
    const duplicates = receiver.received.length - arrived().size
    const startedByEachKill = Array.from({ length: ROUNDS }, (_, round) => (round + 1) * DELIVERIES_PER_ROUND)
    expect(duplicates).toBeLessThanOrEqual(startedByEachKill.reduce((a, b) => a + b) + Number(failed.rows[0]?.n ?? 0))
    // Each delivery's events arrived in the order of the outbox, counting first arrivals.
    const firstArrival = new Map<string, number>()
    receiver.received.forEach((message, i) => { if (!firstArrival.has(String(message.headers['webhook-id']))) firstArrival.set(String(message.headers['webhook-id']), i) })
    const byDelivery = new Map<string, string[]>()
    for (const id of committed) byDelivery.set(id.slice(0, id.lastIndexOf('.')), [...(byDelivery.get(id.slice(0, id.lastIndexOf('.'))) ?? []), id])
    for (const ids of byDelivery.values()) {
      const order = ids.map((id) => firstArrival.get(id) ?? -1)
      expect(order).toEqual([...order].sort((a, b) => a - b))
    }
  })
})
