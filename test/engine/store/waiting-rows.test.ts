import { afterAll, beforeAll, expect, it } from 'vitest'
import { DIALECT } from '../../support/database.js'
import { ADMIN, awaitingConfirmation, CUSTOMER, openHarness } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

// `waiting_party` holds whom each delivery's current step waits on, written as deltas: by acts
// one instance at a time, by deadlines a batch at a time (on PostgreSQL many instances per
// statement). Checked here in the table itself, not only through the inbox.

let h: Harness
beforeAll(async () => { h = await openHarness() })
afterAll(async () => { await h.close() })

const rowsOf = async (ids: readonly string[]) => (await h.store.db.selectFrom('waiting_party').select(['instance_id', 'role', 'subject']).where('instance_id', 'in', ids).orderBy('instance_id').execute())

it(`on ${DIALECT}, follows acts and a batch of deadlines, and an ended delivery keeps no row, even one that disagreed with it`, async () => {
  const ids = await awaitingConfirmation(h.engine, 30)
  expect(await rowsOf(ids)).toEqual([...ids].sort().map((id) => ({ instance_id: id, role: 'customer', subject: CUSTOMER.subject })))
  // A row that should not be there (written by hand, or by a release that saw the step otherwise).
  await h.store.db.insertInto('waiting_party').values({ instance_id: ids[0] as string, role: 'isv', subject: 'v-1', instance_created_at: '2026-01-01T00:00:00.000Z' }).execute()
  const terminated = ids[1] as string
  await h.engine.instances.terminate(terminated, { reason: 'Ordered twice.' }, ADMIN)
  h.clock.advance('P15D')
  const { fired } = await h.engine.deadlines.advance()
  expect(fired).toBe(29)
  expect(await rowsOf(ids)).toEqual([])
  expect((await h.engine.instances.list({ waitingOnMe: true }, CUSTOMER)).items).toEqual([])
})
