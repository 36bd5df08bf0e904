import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashToken } from '../../server/auth.js'
import { snapshot } from '../support/database.js'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'

let api: Api
beforeEach(async () => { api = await openApi() })
afterEach(async () => { await api.close() })

const idOf = (who: Who): string => hashToken(api.tokens[who]).slice(0, 16)

async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return await response.json() as T
}

describe('GET /v1/tokens', () => {
  it('lists every token with its id and when it was last used, never a secret or a full hash', async () => {
    expect((await api.call('GET', '/v1/clock', { who: 'customer' })).status).toBe(200)
    const response = await api.call('GET', '/v1/tokens', { who: 'admin' })
    expect(response.status).toBe(200)
    const text = await response.clone().text()
    for (const secret of Object.values(api.tokens)) {
      expect(text).not.toContain(secret)
      expect(text).not.toContain(hashToken(secret))
    }
    const { items } = await json<{ items: Array<Record<string, unknown>> }>(response)
    expect(items).toHaveLength(Object.keys(api.tokens).length)
    const byId = new Map(items.map((item) => [item['id'], item]))
    expect(byId.get(idOf('customer'))).toEqual({
      id: idOf('customer'), role: 'customer', subject: 'c-1', label: null, createdAt: expect.any(String), expiresAt: null,
      lastUsedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), revokedAt: null,
    })
    // The admin's own request is recorded once it has succeeded; an unused token has never been used.
    expect(byId.get(idOf('isv'))).toMatchObject({ lastUsedAt: null })
    const again = await json<{ items: Array<Record<string, unknown>> }>(await api.call('GET', '/v1/tokens', { who: 'admin' }))
    expect(again.items.find((item) => item['id'] === idOf('admin'))).toMatchObject({ lastUsedAt: expect.stringMatching(/^\d{4}-/) })
  })

  it('is for admins only: a customer, an ISV and the system get 403 auth.forbidden', async () => {
    for (const who of ['customer', 'isv', 'system'] as const) {
      const response = await api.call('GET', '/v1/tokens', { who })
      expect(response.status).toBe(403)
      expect(await json(response)).toMatchObject({ code: 'auth.forbidden' })
    }
  })
})

describe('DELETE /v1/tokens/{id}', () => {
  it('revokes a token: from then on it answers 401 auth.invalid, even while remembered', async () => {
    expect((await api.call('GET', '/v1/clock', { who: 'customer' })).status).toBe(200)
    const response = await api.call('DELETE', `/v1/tokens/${idOf('customer')}`, { who: 'admin' })
    expect(response.status).toBe(200)
    const revoked = await json(response)
    expect(revoked).toMatchObject({ id: idOf('customer'), role: 'customer', subject: 'c-1', revokedAt: expect.stringMatching(/^\d{4}-/) })
    const refused = await api.call('GET', '/v1/clock', { who: 'customer' })
    expect(refused.status).toBe(401)
    expect(await json(refused)).toMatchObject({ code: 'auth.invalid' })
    // Again: nothing changes, and the first revocation time is kept.
    const before = await snapshot(api.database)
    const again = await api.call('DELETE', `/v1/tokens/${idOf('customer')}`, { who: 'admin' })
    expect(await json(again)).toEqual(revoked)
    expect(await snapshot(api.database)).toEqual(before)
    expect((await api.call('GET', '/v1/clock', { who: 'isv' })).status).toBe(200)
  })

  it('answers 404 token.not-found for an unknown or malformed id, and 403 to a customer, changing nothing', async () => {
    const before = await snapshot(api.database)
    for (const id of ['0000000000000000', 'not-a-token-id', idOf('customer').slice(0, 8)]) {
      const response = await api.call('DELETE', `/v1/tokens/${id}`, { who: 'admin' })
      expect(response.status, id).toBe(404)
      expect(await json(response)).toMatchObject({ code: 'token.not-found' })
    }
    const forbidden = await api.call('DELETE', `/v1/tokens/${idOf('admin')}`, { who: 'customer' })
    expect(forbidden.status).toBe(403)
    expect(await json(forbidden)).toMatchObject({ code: 'auth.forbidden' })
    expect(await snapshot(api.database)).toEqual(before)
    expect((await api.call('GET', '/v1/clock', { who: 'admin' })).status).toBe(200)
  })
})
