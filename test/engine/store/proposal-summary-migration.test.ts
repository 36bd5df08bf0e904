import { afterAll, beforeAll, expect, it } from 'vitest'
import { Engine, ManualClock, Store } from '../../../engine/index.js'
import type { Database } from '../../../engine/store/database.js'
import { filledAsOf, freshDatabase } from '../../support/database.js'
import type { TestDatabase } from '../../support/database.js'
import { ADMIN, ISV, T0 } from '../../support/engine.js'

// A database as migration 0015 left it, holding proposals of the time (whole states, no
// summary), opened by this code: 0016 gives each its summary, which lists read.
let current: TestDatabase
let old: TestDatabase
const ids: string[] = []
beforeAll(async () => {
  current = await freshDatabase('dc-0016-')
  old = await freshDatabase('dc-0015-')
  const store = await Store.open(current.location)
  const clock = new ManualClock(T0)
  const engine = new Engine({ store, clock })
  await engine.processes.registerBuiltIns()
  for (let i = 1; i <= 3; i++) {
    ids.push((await engine.proposals.submit(`id: v-old-${i}\nversion: 1\nextends: basic@6\ntitle: Old ${i}\n`, ISV)).id)
    clock.advance('PT1M')
  }
  await filledAsOf(old.location, '0015-process-proposals', store, async (db, from) => {
    const rows = await from.selectFrom('process_proposal').selectAll().execute()
    await db.insertInto('process_proposal')
      .values(rows.map(({ summary: _, ...row }) => row as Database['process_proposal'])).execute()
  })
})
afterAll(async () => {
  await current.drop()
  await old.drop()
})

it('migration 0016 gives the proposals stored before it their summaries, which a page of the list reads', async () => {
  const store = await Store.open(old.location)
  try {
    const summaries = await store.db.selectFrom('process_proposal').select(['id', 'summary']).orderBy('id').execute()
    expect(summaries.map((row) => row.summary === null ? null : JSON.parse(row.summary) as { id: string; source?: string })).toEqual(
      [...ids].sort().map((id) => expect.objectContaining({ id, status: 'submitted', base: 'basic@6' })))
    expect(summaries.every((row) => !(row.summary ?? '').includes('"source"'))).toBe(true)
    const engine = new Engine({ store, clock: new ManualClock(T0) })
    await engine.processes.registerBuiltIns()
    const page = await engine.proposals.list(ADMIN, { limit: 2 })
    expect(page.items.map((p) => p.process.title)).toEqual(['Old 3', 'Old 2'])
    expect((await engine.proposals.list(ADMIN, { cursor: page.next })).items.map((p) => p.process.title)).toEqual(['Old 1'])
  } finally {
    await store.close()
  }
})
