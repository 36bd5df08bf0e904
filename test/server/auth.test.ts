import { Temporal } from 'temporal-polyfill'
import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EngineError, ManualClock, Store } from '../../engine/index.js'
import { authenticate, hashToken, TOKEN_CACHE_MS } from '../../server/auth.js'
import type { AppEnv } from '../../server/env.js'
import { revokeToken } from '../../server/token-admin.js'
import { freshDatabase } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'

const SECRET = 'dc_test-secret'
let database: TestDatabase
let store: Store
let clock: ManualClock
let app: Hono<AppEnv>

beforeEach(async () => {
  database = await freshDatabase()
  store = await Store.open(database.location)
  clock = new ManualClock('2026-11-25T10:00:00Z')
  app = new Hono<AppEnv>()
  app.use('*', authenticate(store, clock))
  app.get('/me', (c) => c.json(c.get('principal')))
  app.onError((error, c) => c.json({ code: error instanceof EngineError ? error.code : 'other' }, 401))
})
afterEach(async () => {
  await store.close()
  await database.drop()
})

async function me(): Promise<{ status: number; body: unknown }> {
  const response = await app.request('/me', { headers: { authorization: `Bearer ${SECRET}` } })
  return { status: response.status, body: await response.json() }
}

function insertToken(expiresAt: string | null = null): Promise<void> {
  return store.tokens.insert({ hash: hashToken(SECRET), role: 'customer', subject: 'c-1', label: null, created_at: '2026-11-25T10:00:00.000Z', expires_at: expiresAt, last_used_at: null, revoked_at: null })
}

describe('the Authorization header', () => {
  it('says what is wrong with one that was sent, never repeating its value', async () => {
    await insertToken()
    const said = new Hono<AppEnv>()
    said.use('*', authenticate(store, clock))
    said.get('/me', (c) => c.json(c.get('principal')))
    said.onError((error, c) => c.json({ code: error instanceof EngineError ? error.code : 'other', message: error.message }, 401))
    for (const [header, words, challenge] of [
      [undefined, /^Send an API token/, 'Bearer'],
      [`Bearer ${SECRET} ${SECRET}`, /^The Authorization header holds more than one token\. Send/, 'Bearer error="invalid_request"'],
      ['Bearer   ', /^The Authorization header holds no token after Bearer\. Send/, 'Bearer error="invalid_request"'],
      [`Basic ${SECRET}`, /^The Authorization header is not of the Bearer scheme\. Send/, 'Bearer error="invalid_request"'],
    ] as const) {
      const response = await said.request('/me', { headers: header === undefined ? {} : { authorization: header } })
      const body = await response.json() as { code: string; message: string }
      expect(body.code, header).toBe('auth.missing')
      expect(body.message, header).toMatch(words)
      expect(body.message).not.toContain(SECRET)
      expect(response.headers.get('WWW-Authenticate'), header).toBe(challenge)
    }
    expect((await me()).status).toBe(200)
  })
})

describe('token lookups', () => {
  it('an unknown token is not remembered: once created, it works at once', async () => {
    expect(await me()).toEqual({ status: 401, body: { code: 'auth.invalid' } })
    await insertToken()
    expect(await me()).toEqual({ status: 200, body: { role: 'customer', subject: 'c-1' } })
  })

  it('a token found is trusted for TOKEN_CACHE_MS without reading its row again, then read anew', async () => {
    await insertToken()
    expect((await me()).status).toBe(200)
    await store.db.deleteFrom('api_token').execute()
    clock.advance(Temporal.Duration.from({ milliseconds: TOKEN_CACHE_MS - 1 }))
    expect((await me()).status).toBe(200)
    clock.advance(Temporal.Duration.from({ milliseconds: 1 }))
    expect(await me()).toEqual({ status: 401, body: { code: 'auth.invalid' } })
  })

  it('expiry is checked on every request, remembered or not', async () => {
    await insertToken('2026-11-25T10:00:01.000Z')
    expect((await me()).status).toBe(200)
    clock.advance(Temporal.Duration.from({ milliseconds: 999 }))
    expect((await me()).status).toBe(200)
    clock.advance(Temporal.Duration.from({ milliseconds: 1 }))
    expect(await me()).toEqual({ status: 401, body: { code: 'auth.invalid' } })
  })
})

describe('revocation and last use', () => {
  const row = async (): Promise<{ last_used_at: string | null }> => store.db.selectFrom('api_token').select('last_used_at').executeTakeFirstOrThrow()

  it('a token revoked by another process is refused once its entry lapses, within TOKEN_CACHE_MS', async () => {
    await insertToken()
    expect((await me()).status).toBe(200)
    await store.db.updateTable('api_token').set({ revoked_at: '2026-11-25T10:00:00.000Z' }).execute()
    clock.advance(Temporal.Duration.from({ milliseconds: TOKEN_CACHE_MS - 1 }))
    expect((await me()).status).toBe(200)
    clock.advance(Temporal.Duration.from({ milliseconds: 1 }))
    expect(await me()).toEqual({ status: 401, body: { code: 'auth.invalid' } })
  })

  it('a request that began before its token was revoked does not bring the token back when it ends', async () => {
    await insertToken()
    let release: () => void = () => undefined
    app.get('/slow', async (c) => {
      await new Promise<void>((resolve) => { release = resolve })
      return c.json({})
    })
    const slow = app.request('/slow', { headers: { authorization: `Bearer ${SECRET}` } })
    await new Promise((resolve) => setTimeout(resolve, 50))
    // Revoked through this process (the cache forgets the token), then refused and remembered as revoked.
    await revokeToken(store, hashToken(SECRET).slice(0, 16), '2026-11-25T10:00:00.000Z')
    expect((await me()).status).toBe(401)
    release()
    expect((await slow).status).toBe(200)
    expect((await me()).status).toBe(401)
  })

  it('records when a token last made a request that succeeded, at most once a minute; a refused request records nothing', async () => {
    await insertToken()
    app.get('/refused', () => { throw new EngineError('auth.forbidden', 'no') })
    expect((await app.request('/refused', { headers: { authorization: `Bearer ${SECRET}` } })).status).toBe(401)
    expect(await row()).toEqual({ last_used_at: null })
    expect((await me()).status).toBe(200)
    expect(await row()).toEqual({ last_used_at: '2026-11-25T10:00:00.000Z' })
    // Its entry has lapsed, so the row is read again, but less than a minute has passed: no write.
    clock.advance(Temporal.Duration.from({ seconds: 59 }))
    expect((await me()).status).toBe(200)
    expect(await row()).toEqual({ last_used_at: '2026-11-25T10:00:00.000Z' })
    clock.advance(Temporal.Duration.from({ seconds: 1 }))
    expect((await me()).status).toBe(200)
    expect(await row()).toEqual({ last_used_at: '2026-11-25T10:01:00.000Z' })
  })
})
