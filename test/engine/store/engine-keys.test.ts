import { afterEach, beforeEach, expect, it } from 'vitest'
import { Engine, ManualClock, Store } from '../../../engine/index.js'
import { DIALECT, migratedDatabase } from '../../support/database.js'
import type { TestDatabase } from '../../support/database.js'
import { ADMIN, CUSTOMER, DEMAND, OTHER_CUSTOMER } from '../../support/engine.js'

// The event feed's cursors are encrypted under a key the engine keeps in the database: every
// server on it, and the same server after a restart, reads the cursors the others gave.

let database: TestDatabase
const stores: Store[] = []
beforeEach(async () => { database = await migratedDatabase('dc-keys-') })
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
  await database.drop()
})

async function server(): Promise<{ engine: Engine; store: Store }> {
  const store = await Store.open(database.location)
  stores.push(store)
  const engine = new Engine({ store, clock: new ManualClock('2026-01-01T00:00:00Z') })
  await engine.processes.registerBuiltIns()
  return { engine, store }
}

it(`on ${DIALECT}, a key is made once, by whichever of two servers asks first, and kept`, async () => {
  const [a, b] = [await server(), await server()]
  const made = await Promise.all([a.store.keys.get('k', () => 'made by a'), b.store.keys.get('k', () => 'made by b'), a.store.keys.get('k', () => 'made by a again')])
  expect(new Set(made).size).toBe(1)
  expect(['made by a', 'made by b']).toContain(made[0])
  expect(await b.store.keys.get('k', () => 'never')).toBe(made[0])
  expect(await a.store.keys.get('other', () => 'another key')).toBe('another key')
})

/**
 * The types of the events `CUSTOMER` sees after `after`, read again until there are `count`: on
 * PostgreSQL the feed shows a row once every older transaction of the cluster has ended, and
 * other test files may hold one open meanwhile.
 */
async function typesAfter(engine: Engine, after: string | undefined, count: number): Promise<string[]> {
  const until = Date.now() + 10_000
  for (;;) {
    const { items } = await engine.events.list(after === undefined ? {} : { after }, CUSTOMER)
    if (items.length >= count || Date.now() > until) return items.map((e) => e.type)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

it(`on ${DIALECT}, one server reads on from another's cursor, and from its own after a restart; no cursor shows the feed's positions`, async () => {
  const a = await server()
  const start = (customer: string): Promise<{ id: string }> => a.engine.instances.start({ process: 'basic', parties: { customer, isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }, ADMIN)
  const mine = await start(CUSTOMER.subject)
  // Another customer's deliveries between two events of this customer's.
  for (let i = 0; i < 3; i++) await start(OTHER_CUSTOMER.subject)
  await a.engine.instances.act(mine.id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
  expect(await typesAfter(a.engine, undefined, 4)).toHaveLength(4)
  const page = await a.engine.events.list({ limit: 2 }, CUSTOMER)
  expect(page.items.map((e) => e.type)).toEqual(['delivery.started', 'delivery.step-entered'])
  for (const cursor of [...page.items.map((e) => e.cursor), page.next, await a.engine.events.end()]) {
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/^\["e"/)
  }
  const rest = ['delivery.action-performed', 'delivery.step-entered']
  const b = await server()
  expect(await typesAfter(b.engine, page.next, 2)).toEqual(rest)
  await a.store.close()
  stores.splice(stores.indexOf(a.store), 1)
  const again = await server()
  expect(await typesAfter(again.engine, page.next, 2)).toEqual(rest)
  expect(await again.engine.events.list({ limit: 2 }, CUSTOMER)).toEqual(page)
  // The key is the database's: one row.
  expect(await again.store.db.selectFrom('engine_key').select('name').execute()).toEqual([{ name: 'event-cursor' }])
})
