import { CompiledQuery } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PreparedQuery, prepared, slot } from '../../../engine/store/prepared.js'
import { openHarness } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

const AT = '2026-01-01T00:00:00.000Z'

describe('prepared queries', () => {
  it('bind values in order only once the order is checked against the compiled query', async () => {
    const insert = new PreparedQuery(h.store.db.insertInto('api_token').values({ hash: slot('hash'), role: slot('role'), subject: slot('subject'), created_at: slot('at') }))
    expect(() => insert.bindInOrder(['h-1', 'admin', 'a-1', AT], () => ['role', 'hash', 'subject', 'at']))
      .toThrow(/binds hash, role, subject, at; the values given are for role, hash, subject, at/)
    const { sql, parameters } = insert.bindInOrder(['h-1', 'admin', 'a-1', AT], () => ['hash', 'role', 'subject', 'at'])
    await h.store.db.executeQuery(CompiledQuery.raw(sql, [...parameters]))
    expect(() => insert.bindInOrder(['h-2', 'admin'], () => ['hash', 'role', 'subject', 'at'])).toThrow(RangeError)
    expect(await h.store.db.selectFrom('api_token').select(['hash', 'role', 'subject', 'created_at']).execute())
      .toEqual([{ hash: 'h-1', role: 'admin', subject: 'a-1', created_at: AT }])
  })

  it('refuses to bind in order a query that binds constants too', async () => {
    const insert = new PreparedQuery(h.store.db.insertInto('api_token').values({ hash: slot('hash'), role: 'admin', subject: slot('subject'), created_at: slot('at') }))
    expect(() => insert.bindInOrder(['h-1', 'a-1', AT], () => ['hash', 'subject', 'at'])).toThrow(/constants/)
  })

  it('are compiled once per database, and built on the database, never on a transaction', async () => {
    const build = () => h.store.db.selectFrom('api_token').select('hash').where('hash', '=', slot('hash'))
    const first = prepared(h.store.db, 'test: token by hash', build)
    expect(prepared(h.store.db, 'test: token by hash', build)).toBe(first)
    expect((await first.execute(h.store.db, { hash: 'none' })).rows).toEqual([])
    await h.store.db.transaction().execute(async (trx) => {
      expect(() => prepared(trx, 'test: token by hash', build)).toThrow(/on the database, not a transaction/)
      // A query prepared on the database runs in a transaction all the same.
      expect((await first.execute(trx, { hash: 'none' })).rows).toEqual([])
    })
  })
})
