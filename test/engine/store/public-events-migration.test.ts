import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Engine, ManualClock, Store } from '../../../engine/index.js'
import type { PublicEvent } from '../../../engine/index.js'
import { DIALECT, filledAsOf, freshDatabase, migratedUpTo, partiesWithFlags } from '../../support/database.js'
import type { TestDatabase } from '../../support/database.js'
import { ADMIN, awaitingConfirmation, CUSTOMER, T0 } from '../../support/engine.js'

// A database as migration 0016 left it: its outbox holding every public event whole, and an
// event of a webhook endpoint. Opened by this code, migration 0017 keeps them all readable, by
// id and in the feed, and the events written after are kept by reference and rebuilt.
let current: TestDatabase
let old: TestDatabase
let instances: string[]
let stored: PublicEvent[]
const ENDPOINT_EVENT: PublicEvent = { id: 'w-1.disabled.1', type: 'webhook-endpoint.disabled', timestamp: T0, data: { endpoint: { id: 'w-1', url: 'https://example.com/hook' }, reason: 'failing' } }

beforeAll(async () => {
  current = await freshDatabase('dc-0017-')
  old = await freshDatabase('dc-0016-')
  const store = await Store.open(current.location)
  const engine = new Engine({ store, clock: new ManualClock(T0) })
  await engine.processes.registerBuiltIns()
  instances = await awaitingConfirmation(engine, 2)
  stored = (await engine.events.list({ limit: 100 }, ADMIN)).items.map(withoutCursor)
  await filledAsOf(old.location, '0016-proposal-summaries', store, async (db, from) => {
    for (const table of ['process_definition', 'instance', 'instance_party', 'event'] as const) {
      const rows = table === 'instance_party' ? await partiesWithFlags(from) : await from.selectFrom(table).selectAll().execute()
      await db.insertInto(table).values(rows as never).execute()
    }
    // As 0016's code wrote them: whole, with no reference.
    const rows = [...stored, ENDPOINT_EVENT, { ...ENDPOINT_EVENT, id: 'w-1.disabled.2' }].map((event) => ({
      tx: 0, id: event.id, type: event.type, instance_id: event.data.delivery?.id ?? null, process_id: event.data.delivery?.process.id ?? null,
      at: event.timestamp, recorded_at: event.timestamp, payload: JSON.stringify(event),
    }))
    await db.insertInto('public_event').values(rows as never).execute()
    // The highest position ever given was the last one's, since removed: none is given twice.
    await db.deleteFrom('public_event').where('id', '=', 'w-1.disabled.2').execute()
  })
})
function withoutCursor({ cursor: _, ...event }: PublicEvent & { cursor: string }): PublicEvent {
  return event
}

afterAll(async () => {
  await current.drop()
  await old.drop()
})

it(`migration 0017 on ${DIALECT} keeps the events stored whole, and those written after are rebuilt from their deliveries' histories`, async () => {
  const store = await Store.open(old.location)
  try {
    const engine = new Engine({ store, clock: new ManualClock(T0) })
    await engine.processes.registerBuiltIns()
    const before = await engine.events.list({ limit: 100 }, ADMIN)
    expect(before.items.map(({ cursor: _, ...event }) => event)).toEqual([...stored, ENDPOINT_EVENT])

    const [first] = instances as [string]
    await engine.instances.act(first, { action: 'confirm' }, CUSTOMER)
    // PostgreSQL shows a row once every older transaction of the cluster has ended.
    let after = await engine.events.list({ limit: 100, after: before.next }, ADMIN)
    for (const until = Date.now() + 10_000; after.items.length < 2 && Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 50))) {
      after = await engine.events.list({ limit: 100, after: before.next }, ADMIN)
    }
    const [confirmed, completed] = after.items.map(withoutCursor) as [PublicEvent, PublicEvent]
    expect([confirmed, completed].map((e) => [e.type, e.data.delivery?.id, e.data.delivery?.status, e.data.delivery?.revision])).toEqual([
      ['delivery.action-performed', first, 'active', 4],
      ['delivery.completed', first, 'completed', 4],
    ])
    const rows = await store.db.selectFrom('public_event').select(['position', 'id', 'seq', 'revision', 'payload']).orderBy('position').execute()
    expect(rows.filter((row) => row.payload === null)).toEqual([
      { position: expect.anything(), id: confirmed.id, seq: Number(confirmed.id.split('.').at(-1)), revision: 4, payload: null },
      { position: expect.anything(), id: completed.id, seq: Number(completed.id.split('.').at(-1)), revision: 4, payload: null },
    ])
    // After every position given before, the removed one's included.
    expect(Number(rows.find((row) => row.id === confirmed.id)?.position)).toBe(stored.length + 3)

    // Found by id, whole or rebuilt, the same as in the feed.
    const found = await store.events.findMany([stored[0]?.id as string, ENDPOINT_EVENT.id, completed.id, `${first}.999`, 'nothing'])
    expect(await engine.events.render(found.sort((a, b) => a.position.position - b.position.position))).toEqual([stored[0], ENDPOINT_EVENT, completed])
  } finally {
    await store.close()
  }
})

it(`migration 0017 on ${DIALECT} is all or nothing: a step that fails leaves the database as 0016 left it, to migrate again`, async () => {
  const broken = await freshDatabase('dc-0017-broken-')
  try {
    const db = await migratedUpTo(broken.location, '0016-proposal-summaries')
    try {
      // A column of that name already there: the migration's second step fails, after its first.
      await sql`alter table public_event add column revision integer`.execute(db)
    } finally {
      await db.destroy()
    }
    await expect(Store.open(broken.location)).rejects.toThrow(/0017/)
    const again = await migratedUpTo(broken.location, '0016-proposal-summaries')
    try {
      await expect(sql`select seq from public_event`.execute(again)).rejects.toThrow(/seq/)
      await sql`alter table public_event drop column revision`.execute(again)
    } finally {
      await again.destroy()
    }
    const store = await Store.open(broken.location)
    await store.close()
  } finally {
    await broken.drop()
  }
})
