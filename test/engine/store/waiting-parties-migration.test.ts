import { afterAll, beforeAll, expect, it } from 'vitest'
import { Engine, ManualClock, Store } from '../../../engine/index.js'
import { DIALECT, filledAsOf, freshDatabase, partiesWithFlags } from '../../support/database.js'
import type { TestDatabase } from '../../support/database.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, T0 } from '../../support/engine.js'

// A database as migration 0018 left it, whom each step waits on kept as a flag on every party
// row (the rows copied from a current database, the flags set from its `waiting_party`), opened
// by this code: migration 0019 moves the flags set to `waiting_party` and drops the column.
let current: TestDatabase
let old: TestDatabase
const ids: Record<'started' | 'submitted' | 'completed' | 'terminated', string> = { started: '', submitted: '', completed: '', terminated: '' }

beforeAll(async () => {
  current = await freshDatabase('dc-0019-')
  old = await freshDatabase('dc-0018-')
  const store = await Store.open(current.location)
  const engine = new Engine({ store, clock: new ManualClock(T0) })
  await engine.processes.registerBuiltIns()
  const start = async () => (await engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: CUSTOMER.subject, isv: ISV.subject } }, ADMIN)).id
  ids.started = await start()
  ids.submitted = await start()
  await engine.instances.act(ids.submitted, { action: 'submit', inputs: DEMAND }, CUSTOMER)
  ids.completed = await start()
  await engine.instances.act(ids.completed, { action: 'submit', inputs: DEMAND }, CUSTOMER)
  await engine.instances.act(ids.completed, { action: 'finish' }, ISV)
  await engine.instances.act(ids.completed, { action: 'confirm' }, CUSTOMER)
  ids.terminated = await start()
  await engine.instances.terminate(ids.terminated, { reason: 'Ordered twice.' }, ADMIN)
  await filledAsOf(old.location, '0018-webhook-event-position', store, async (db, from) => {
    await db.insertInto('process_definition').values(await from.selectFrom('process_definition').selectAll().execute()).execute()
    await db.insertInto('instance').values(await from.selectFrom('instance').selectAll().execute()).execute()
    await db.insertInto('instance_party').values(await partiesWithFlags(from) as never).execute()
    await db.insertInto('event').values(await from.selectFrom('event').selectAll().execute()).execute()
    // A party row without its copy of the instance's creation (0008 filled them all in): the instance's stands in.
    await db.updateTable('instance_party').set({ instance_created_at: null as never }).where('instance_id', '=', ids.started).execute()
  })
})
afterAll(async () => {
  await current.drop()
  await old.drop()
})

it(`migration 0019 on ${DIALECT} keeps whom each delivery waits on, and acts after it move the waiting`, async () => {
  const store = await Store.open(old.location)
  try {
    const waiting = await store.db.selectFrom('waiting_party').select(['instance_id', 'role', 'subject']).orderBy('instance_id').orderBy('role').execute()
    expect(waiting).toEqual([
      { instance_id: ids.started, role: 'customer', subject: CUSTOMER.subject },
      { instance_id: ids.submitted, role: 'isv', subject: ISV.subject },
    ].sort((a, b) => a.instance_id.localeCompare(b.instance_id)))
    const started = await store.db.selectFrom('instance').select('created_at').where('id', '=', ids.started).executeTakeFirstOrThrow()
    expect(await store.db.selectFrom('waiting_party').select('instance_created_at').where('instance_id', '=', ids.started).executeTakeFirstOrThrow()).toEqual({ instance_created_at: started.created_at })
    // The flag is gone: a party row holds only who the party is.
    expect(Object.keys(await store.db.selectFrom('instance_party').selectAll().executeTakeFirstOrThrow()).sort()).toEqual(['instance_created_at', 'instance_id', 'role', 'subject'])

    const engine = new Engine({ store, clock: new ManualClock(T0) })
    const inbox = async (who: typeof CUSTOMER) => (await engine.instances.list({ waitingOnMe: true }, who)).items.map((view) => view.id)
    expect(await inbox(CUSTOMER)).toEqual([ids.started])
    expect(await inbox(ISV)).toEqual([ids.submitted])
    await engine.instances.act(ids.submitted, { action: 'finish' }, ISV)
    expect(await inbox(ISV)).toEqual([])
    expect((await inbox(CUSTOMER)).sort()).toEqual([ids.started, ids.submitted].sort())
    // Every list of a party still holds all of its deliveries.
    expect((await engine.instances.list({}, ISV)).items).toHaveLength(4)
  } finally {
    await store.close()
  }
})
