import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { storedResponse } from '../../../engine/index.js'
import type { Receipt } from '../../../engine/index.js'
import { transactionWriter } from '../../../engine/store/commit-group.js'
import { receiptStatement } from '../../../engine/store/idempotency-repository.js'
import { openHarness } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

const ROW = {
  principal: 'customer:c-1', key: 'k-1', request_hash: 'h', status: null, response: null,
  created_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-01-02T00:00:00.000Z', claim_token: 'first',
}
const answer = (token: string): Receipt => ({ principal: ROW.principal, key: ROW.key, token, status: 200, response: { body: `{"by":"${token}"}`, type: 'application/json' } })

describe('idempotency keys taken over by a retry', () => {
  it('answer only under the token of the request holding them: the first request, still alive, writes nothing', async () => {
    expect(await h.store.idempotency.claim(ROW)).toBe(true)
    const retry = { ...ROW, created_at: '2026-01-01T00:01:01.000Z', claim_token: 'retry' }
    expect(await h.store.idempotency.takeOver(retry, ROW)).toBe(true)
    expect(await h.store.idempotency.takeOver({ ...retry, claim_token: 'third' }, ROW)).toBe(false) // the key moved on

    // The first request commits late: its write's unit is refused whole.
    const writer = transactionWriter(h.store.db)
    expect(await writer.write([[receiptStatement(h.store.db, answer('first'))]])).toMatchObject([{ ok: false, error: { code: 'idempotency.in-progress' } }])
    await h.store.idempotency.release(ROW.principal, ROW.key, 'first') // nor can it give the key back
    expect((await h.store.idempotency.find(ROW.principal, ROW.key))?.status).toBeNull()

    expect(await writer.write([[receiptStatement(h.store.db, answer('retry'))]])).toEqual([{ ok: true }])
    const row = await h.store.idempotency.find(ROW.principal, ROW.key)
    expect(row && storedResponse(row)).toEqual({ body: '{"by":"retry"}', type: 'application/json' })
    await h.store.idempotency.complete(answer('first')) // a late answer from the first changes nothing
    expect((await h.store.idempotency.find(ROW.principal, ROW.key))?.response).toBe(row?.response)
  })
})
