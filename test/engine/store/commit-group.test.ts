import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CommitGroup, transactionWriter } from '../../../engine/store/commit-group.js'
import { statementOf } from '../../../engine/store/write-plan.js'
import type { PlannedStatement } from '../../../engine/store/write-plan.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, openHarness, snapshot } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

describe('group commit', () => {
  it('commits acts that arrive together in one group, each still all or nothing', async () => {
    const ids: string[] = []
    for (let i = 0; i < 20; i++) ids.push((await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)).id)
    // 20 valid submits and, in the same group, a second submit of the first instance that loses the race.
    const results = await Promise.allSettled([
      ...ids.map((id) => h.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)),
      h.engine.instances.act(ids[0] as string, { action: 'submit', inputs: { ...DEMAND, demands: 'second' } }, CUSTOMER),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20)
    const refused = results.filter((r) => r.status === 'rejected')
    expect(refused.map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['conflict.stale'])
    for (const id of ids) {
      const history = await h.engine.instances.history(id, ADMIN)
      expect(history.filter((r) => r.event.type === 'action-performed')).toHaveLength(1)
      expect((await h.engine.instances.get(id, ADMIN)).revision).toBe(2)
    }
  })

  it('writes nothing of a refused unit, and everything of the others', async () => {
    const a = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    const b = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await h.engine.instances.act(a.id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    const before = await snapshot(h.database)
    const [first, second] = await Promise.allSettled([
      h.engine.instances.act(a.id, { action: 'finish', expectedRevision: 2 }, ISV),
      h.engine.instances.act(a.id, { action: 'finish', expectedRevision: 2 }, ISV),
    ])
    expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected'])
    const after = await snapshot(h.database)
    expect((after['event'] as unknown[]).length - (before['event'] as unknown[]).length).toBe(2) // one act: its action and the next step
    expect((await h.engine.instances.get(b.id, ADMIN)).revision).toBe(1)
  })

  it('rolls back a unit that fails after writing, and only that unit', async () => {
    const group = new CommitGroup(transactionWriter(h.store.db), true)
    const token = (hash: string): PlannedStatement => statementOf(h.store.db.insertInto('api_token')
      .values({ hash, role: 'admin', subject: hash, label: null, created_at: '2026-01-01T00:00:00Z', expires_at: null }))
    // Changes no row, so its unit is refused after writing two tokens.
    const refused = statementOf(h.store.db.updateTable('api_token').set({ label: 'x' }).where('hash', '=', 'missing'), { rows: 1, code: 'conflict.stale', message: 'no such token' })
    const results = await Promise.allSettled([
      group.run([token('a')]),
      group.run([token('b'), token('b2'), refused]),
      group.run([token('c')]),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict.stale', message: 'no such token' })
    const rows = await h.store.db.selectFrom('api_token').select('hash').orderBy('hash').execute()
    expect(rows.map((r) => r.hash)).toEqual(['a', 'c'])
  })
})
