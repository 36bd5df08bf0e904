import type { Kysely } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Engine, ManualClock, Store } from '../../../engine/index.js'
import type { Database, ProcessDefinitionTable } from '../../../engine/store/database.js'
import { filledAsOf, freshDatabase, partiesWithFlags } from '../../support/database.js'
import type { TestDatabase } from '../../support/database.js'
import { ADMIN, CUSTOMER, OTHER_CUSTOMER, registerBasicVersion2, T0 } from '../../support/engine.js'

// A database as migration 0007 left it, holding instances written by an engine of the time
// (their rows copied from a current one, without the columns 0008 adds), then opened by this
// code: 0008 fills in what the filters read.
let current: TestDatabase
let old: TestDatabase
const startedIds: string[] = []
beforeAll(async () => {
  current = await freshDatabase('dc-0008-')
  old = await freshDatabase('dc-0007-')
  const store = await Store.open(current.location)
  const engine = new Engine({ store, clock: new ManualClock(T0) })
  await engine.processes.registerBuiltIns()
  // Instances of the time: version 2 of basic, which took any context.
  await registerBasicVersion2(engine)
  for (const [customer, context] of [['c-1', { orderId: 'HW-1' }], ['c-2', { orderId: 'HW-2' }], ['c-1', { orderId: 42 }], ['c-1', {}]] as const) {
    startedIds.push((await engine.instances.start({ process: 'basic', version: 2, parties: { customer, isv: 'v-1' }, context }, ADMIN)).id)
  }
  await filledAsOf(old.location, '0007-console', store, copyAsOf0007)
})
afterAll(async () => {
  await current.drop()
  await old.drop()
})

/** The rows of the instances in `from`, in `to` without the columns migration 0008 adds. */
async function copyAsOf0007(to: Kysely<Database>, from: Kysely<Database>): Promise<void> {
  const processes = (await from.selectFrom('process_definition').selectAll().execute()).map(({ owner_role: _, ...row }) => row as ProcessDefinitionTable)
  // And a private process, as registered for an ISV before owners had roles (migration 0010).
  const basic = processes.find((row) => row.id === 'basic') as ProcessDefinitionTable
  await to.insertInto('process_definition').values([...processes, { ...basic, id: 'private-basic', owner: 'v-1' }]).execute()
  const instances = await from.selectFrom('instance').selectAll().execute()
  await to.insertInto('instance').values(instances.map(({ order_id: _, ...row }) => row as typeof instances[number])).execute()
  const parties = await partiesWithFlags(from)
  await to.insertInto('instance_party').values(parties.map(({ instance_created_at: _, ...row }) => row) as never).execute()
  await to.insertInto('event').values(await from.selectFrom('event').selectAll().execute()).execute()
}

it('migration 0010 gives the private processes registered before it an owner in the role isv', async () => {
  const store = await Store.open(old.location)
  try {
    const rows = await store.db.selectFrom('process_definition').select(['id', 'owner', 'owner_role']).where('id', 'in', ['basic', 'private-basic']).orderBy('id').execute()
    // basic twice: the built-in version and version 2, which the instances of the time run on.
    expect(rows).toEqual([{ id: 'basic', owner: null, owner_role: null }, { id: 'basic', owner: null, owner_role: null }, { id: 'private-basic', owner: 'v-1', owner_role: 'isv' }])
    const engine = new Engine({ store, clock: new ManualClock(T0) })
    expect((await engine.processes.resolve('private-basic')).owner).toEqual({ role: 'isv', subject: 'v-1' })
  } finally {
    await store.close()
  }
})

it('migration 0008 fills in the order IDs and party listing of instances written before it', async () => {
  const store = await Store.open(old.location)
  try {
    const engine = new Engine({ store, clock: new ManualClock(T0) })
    const [hw1, hw2, numeric, none] = startedIds as [string, string, string, string]
    const orderIds = Object.fromEntries((await store.db.selectFrom('instance').select(['id', 'order_id']).execute()).map((r) => [r.id, r.order_id]))
    expect(orderIds).toEqual({ [hw1]: 'HW-1', [hw2]: 'HW-2', [numeric]: null, [none]: null })
    expect((await engine.instances.list({ orderId: 'HW-1' }, CUSTOMER)).items.map((v) => v.id)).toEqual([hw1])
    expect((await engine.instances.list({ orderId: 'HW-1' }, OTHER_CUSTOMER)).items).toEqual([])
    expect((await engine.instances.list({ order: 'newest', waitingOnMe: true }, CUSTOMER)).items.map((v) => v.id)).toEqual([none, numeric, hw1].sort().reverse())
    expect(await store.db.selectFrom('instance_party').select('instance_id').where('instance_created_at', 'is', null).execute()).toEqual([])
  } finally {
    await store.close()
  }
})
