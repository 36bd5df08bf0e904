import fc from 'fast-check'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CommitGroup } from '../../../engine/store/commit-group.js'
import { openPostgres } from '../../../engine/store/dialects/postgres/connection.js'
import { batchWriter, inline, quoted } from '../../../engine/store/dialects/postgres/writer.js'
import { statementOf } from '../../../engine/store/write-plan.js'
import type { PlannedStatement } from '../../../engine/store/write-plan.js'
import { DIALECT, POSTGRES_URL } from '../../support/database.js'
import { ADMIN, CONTACT, CUSTOMER, ISV, openHarness } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => {
  vi.restoreAllMocks()
  await h.close()
})

const ORDER = { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }

describe('values written as literals (PostgreSQL batches)', () => {
  it('quotes text with node-postgres\'s escapeLiteral: quotes doubled, backslashes inside E strings', () => {
    expect(inline({ sql: 'select $1, $2', parameters: ["it's", 'a\\b\'c'] })).toBe("select 'it''s',  E'a\\\\b''c'")
  })

  it('quotes any text exactly as escapeLiteral does', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom("'", '\\', '"', 'E', ' ', '$', '\n'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 60 })
    fc.assert(fc.property(text, (value) => quoted(value) === pg.escapeLiteral(value)), { numRuns: 2_000 })
  })

  it('tells $1 from $10 and writes numbers and null as a parameter sent as text would be', () => {
    const parameters = Array.from({ length: 10 }, (_, i) => i + 1)
    expect(inline({ sql: 'values ($1, $10, $2)', parameters })).toBe("values ('1', '10', '2')")
    expect(inline({ sql: 'values ($1, $2)', parameters: [null, true] })).toBe("values (null, 'true')")
  })

  it('leaves to parameters what it cannot write as a literal', () => {
    expect(inline({ sql: 'select $1', parameters: [Buffer.from('x')] })).toBeUndefined()
    expect(inline({ sql: 'select $1', parameters: ['a\0b'] })).toBeUndefined()
    expect(inline({ sql: 'select $1', parameters: [Number.NaN] })).toBeUndefined()
    expect(inline({ sql: 'select $2', parameters: ['only one'] })).toBeUndefined()
  })
})

describe(`writes on ${DIALECT}`, () => {
  it('store text exactly as given, whatever quotes, backslashes, placeholders or statements it holds', async () => {
    const demands = "It's a \\'test\\' of E'\\x41', $1 and $10; drop table instance; -- \n\ttab, 字, 🙂, \\\\"
    const { id } = await h.engine.instances.start({ process: 'basic', context: { ...ORDER, orderId: "o-'1'\\" }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await h.engine.instances.act(id, { action: 'submit', inputs: { contact: { ...CONTACT, name: "O'Brien \\ Ltd" }, demands } }, CUSTOMER)
    const history = await h.engine.instances.history(id, ADMIN)
    const submitted = history.find((r) => r.event.type === 'action-performed')?.event as { inputs?: { demands?: string; contact?: { name?: string } } } | undefined
    expect(submitted?.inputs?.demands).toBe(demands)
    expect(submitted?.inputs?.contact?.name).toBe("O'Brien \\ Ltd")
    const listed = await h.engine.instances.list({ orderId: "o-'1'\\" }, ADMIN)
    expect(listed.items.map((i) => i.id)).toEqual([id])
  })

  it('refuse a stale act and write nothing of it', async () => {
    const { id } = await h.engine.instances.start({ process: 'basic', context: ORDER, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await h.engine.instances.act(id, { action: 'submit', inputs: { contact: CONTACT, demands: 'x' } }, CUSTOMER)
    const [a, b] = await Promise.allSettled([
      h.engine.instances.act(id, { action: 'finish', expectedRevision: 2 }, ISV),
      h.engine.instances.act(id, { action: 'finish', expectedRevision: 2 }, ISV),
    ])
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected'])
    const refused = [a, b].find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(refused.reason).toMatchObject({ code: 'conflict.stale' })
    const history = await h.engine.instances.history(id, ADMIN)
    expect(history.filter((r) => r.event.type === 'action-performed')).toHaveLength(2)
    expect((await h.engine.instances.get(id, ADMIN)).revision).toBe(3)
  })
})

// The batches themselves, on PostgreSQL (on SQLite the store writes through better-sqlite3).
describe.each(POSTGRES_URL ? [POSTGRES_URL] : [])('one round trip per write on PostgreSQL', () => {
  it('reads an instance once and writes an act in one query', async () => {
    const { id } = await h.engine.instances.start({ process: 'basic', context: ORDER, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    const query = vi.spyOn(pg.Client.prototype, 'query')
    await h.engine.instances.act(id, { action: 'submit', inputs: { contact: CONTACT, demands: 'x' } }, CUSTOMER)
    expect(query).toHaveBeenCalledTimes(2)
  })

  it('refuses the unit whose expectation fails, alone, in a group, with its own code and message', async () => {
    const { db, pool } = await openPostgres(h.database)
    try {
      const group = new CommitGroup(batchWriter(pool, db), true)
      const token = (hash: string): PlannedStatement => statementOf(db.insertInto('api_token')
        .values({ hash, role: 'admin', subject: `it's ${hash}`, label: null, created_at: '2026-01-01T00:00:00Z', expires_at: null }))
      const refused = statementOf(db.updateTable('api_token').set({ label: 'x' }).where('hash', '=', 'missing'), { rows: 1, code: 'conflict.stale', message: 'no such token' })
      const alone = await Promise.allSettled([group.run([token('z'), refused])])
      expect(alone[0]).toMatchObject({ status: 'rejected', reason: { code: 'conflict.stale', message: 'no such token' } })
      const results = await Promise.allSettled([group.run([token('a')]), group.run([token('b'), refused]), group.run([token('c')])])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict.stale', message: 'no such token' })
      const rows = await db.selectFrom('api_token').select(['hash', 'subject']).orderBy('hash').execute()
      expect(rows).toEqual([{ hash: 'a', subject: "it's a" }, { hash: 'c', subject: "it's c" }])
    } finally {
      await db.destroy()
    }
  })

  it('writes the others of a group whose unit the database refuses (a duplicate key), unit by unit', async () => {
    const { db, pool } = await openPostgres(h.database)
    try {
      const group = new CommitGroup(batchWriter(pool, db), true)
      const token = (hash: string): PlannedStatement => statementOf(db.insertInto('api_token')
        .values({ hash, role: 'admin', subject: hash, label: null, created_at: '2026-01-01T00:00:00Z', expires_at: null }))
      await group.run([token('taken')])
      const results = await Promise.allSettled([group.run([token('a')]), group.run([token('b'), token('taken')]), group.run([token('c')])])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: '23505' })
      const rows = await db.selectFrom('api_token').select('hash').orderBy('hash').execute()
      expect(rows.map((r) => r.hash)).toEqual(['a', 'c', 'taken'])
    } finally {
      await db.destroy()
    }
  })
})
