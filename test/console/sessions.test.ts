import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { iso, ManualClock, Store } from '../../engine/index.js'
import { ConsoleSessions, linkProblems, returnPathProblem } from '../../console/sessions.js'
import { createToken, hashToken } from '../../server/auth.js'
import { freshDatabase } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'

// One store for the file: every test makes its own links, sessions and tokens, and its own clock.
let database: TestDatabase
let store: Store
beforeAll(async () => {
  database = await freshDatabase('dc-console-sessions-')
  store = await Store.open(database.location)
})
afterAll(async () => {
  await store.close()
  await database.drop()
})

const T0 = '2026-01-01T09:00:00.000Z'
const CUSTOMER = { role: 'customer', subject: 'c-1' }

function sessionsAt(start = T0): { sessions: ConsoleSessions; clock: ManualClock } {
  const clock = new ManualClock(start)
  return { sessions: new ConsoleSessions(store, clock), clock }
}

describe('sign-in links', () => {
  it('open a session once: the secret is random, only its hash is stored, and the session lands on the return path', async () => {
    const { sessions } = sessionsAt()
    const link = await sessions.createLink({ ...CUSTOMER, returnPath: '/console/deliveries/d-1' })
    expect(link).toEqual({ secret: expect.stringMatching(/^dcl_[A-Za-z0-9_-]{43}$/), expiresAt: '2026-01-01T09:10:00.000Z' })
    const opened = await sessions.redeem(link.secret)
    expect(opened).toEqual({ secret: expect.stringMatching(/^dcs_[A-Za-z0-9_-]{43}$/), expiresAt: '2026-01-01T21:00:00.000Z', principal: CUSTOMER, returnPath: '/console/deliveries/d-1' })
    expect(await sessions.redeem(link.secret)).toBeUndefined()
    expect(await sessions.find(opened?.secret ?? '')).toEqual({ principal: CUSTOMER, expiresAt: '2026-01-01T21:00:00.000Z' })
    const rows = await store.db.selectFrom('console_link').selectAll().where('hash', '=', hashToken(link.secret)).execute()
    expect(rows).toEqual([expect.objectContaining({ role: 'customer', subject: 'c-1', used_at: T0 })])
    expect(JSON.stringify(await store.db.selectFrom('console_session').selectAll().execute())).not.toContain(opened?.secret)
  })

  it('land on /console when they name no page', async () => {
    const { sessions } = sessionsAt()
    const { secret } = await sessions.createLink(CUSTOMER)
    expect(await sessions.redeem(secret)).toMatchObject({ returnPath: '/console' })
  })

  it('redeemed twice at once: exactly one redemption wins', async () => {
    const { sessions } = sessionsAt()
    const { secret } = await sessions.createLink(CUSTOMER)
    const both = await Promise.all([sessions.redeem(secret), sessions.redeem(secret), sessions.redeem(secret)])
    expect(both.filter((opened) => opened !== undefined)).toHaveLength(1)
  })

  it('are refused once expired (10 minutes), and when unknown', async () => {
    const { sessions, clock } = sessionsAt()
    const { secret } = await sessions.createLink(CUSTOMER)
    clock.advance('PT10M')
    expect(await sessions.redeem(secret)).toBeUndefined()
    expect(await sessions.redeem(`dcl_${'A'.repeat(43)}`)).toBeUndefined()
  })

  it('are refused for a role that is not kebab-case or is system, an empty subject, or a return path outside the console', async () => {
    const { sessions } = sessionsAt()
    await expect(sessions.createLink({ role: 'system', subject: 's', returnPath: '//evil.example' })).rejects.toMatchObject({
      code: 'request.invalid', fields: [expect.objectContaining({ pointer: '/role' }), expect.objectContaining({ pointer: '/returnUrl' })],
    })
    expect(linkProblems({ role: 'Customer', subject: ' ' }).map((p) => p.pointer)).toEqual(['/role', '/subject'])
    for (const path of ['/console', '/console/', '/console/deliveries/d-1?tab=history', '/console?lang=zh']) expect(returnPathProblem(path), path).toBeUndefined()
    for (const path of ['https://evil.example/console', '//evil.example', '/console//evil.example', '/console\\evil', '/consolex', '/v1/tokens',
      'javascript:alert(1)', '/console/../v1/tokens', '/console/./x', '/console/a b', '/console/\n', '', `/console/${'a'.repeat(2048)}`]) {
      expect(returnPathProblem(path), path).toMatch(/^must be a path in the console/)
    }
  })
})

describe('sessions', () => {
  async function signedIn(): Promise<{ sessions: ConsoleSessions; clock: ManualClock; secret: string }> {
    const { sessions, clock } = sessionsAt()
    const opened = await sessions.redeem((await sessions.createLink(CUSTOMER)).secret)
    return { sessions, clock, secret: opened?.secret ?? '' }
  }

  it('expire after 12 hours', async () => {
    const { sessions, clock, secret } = await signedIn()
    clock.advance('PT11H59M59S')
    expect(await sessions.find(secret)).toBeDefined()
    clock.advance('PT1S')
    expect(await sessions.find(secret)).toBeUndefined()
  })

  it('end when signed out; ending again changes nothing', async () => {
    const { sessions, secret } = await signedIn()
    await sessions.end(secret)
    expect(await sessions.find(secret)).toBeUndefined()
    await sessions.end(secret)
    await sessions.end('unknown')
    expect(await sessions.find('unknown')).toBeUndefined()
  })

  it('have a CSRF token derived from their secret, stored nowhere', async () => {
    const { sessions, secret } = await signedIn()
    const other = await signedIn()
    expect(sessions.csrfToken(secret)).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(sessions.csrfToken(secret)).toBe(new ConsoleSessions(store, new ManualClock(T0)).csrfToken(secret))
    expect(sessions.csrfToken(secret)).not.toBe(sessions.csrfToken(other.secret))
  })
})

describe('sessions opened with an API token', () => {
  it('are for the token\'s principal, and end when the token is revoked', async () => {
    const { sessions } = sessionsAt()
    const token = await createToken(store, { role: 'isv', subject: 'v-1' }, T0)
    const opened = await sessions.openWithToken(`  ${token}\n`)
    expect(opened).toMatchObject({ principal: { role: 'isv', subject: 'v-1' }, expiresAt: '2026-01-01T21:00:00.000Z', returnPath: '/console' })
    expect(await sessions.find(opened?.secret ?? '')).toMatchObject({ principal: { role: 'isv', subject: 'v-1' } })
    await store.tokens.revoke(hashToken(token).slice(0, 16), T0)
    expect(await sessions.find(opened?.secret ?? '')).toBeUndefined()
    expect(await sessions.openWithToken(token)).toBeUndefined()
  })

  it('end when the token expires, before 12 hours', async () => {
    const { sessions, clock } = sessionsAt()
    const token = await createToken(store, { ...CUSTOMER, expiresAt: '2026-01-01T10:00:00Z' }, T0)
    const opened = await sessions.openWithToken(token)
    expect(opened?.expiresAt).toBe('2026-01-01T10:00:00.000Z')
    clock.advance('PT1H')
    expect(await sessions.find(opened?.secret ?? '')).toBeUndefined()
    expect(await sessions.openWithToken(token)).toBeUndefined()
  })

  it('are refused for an unknown token and for a system token (a person is never the system)', async () => {
    const { sessions } = sessionsAt()
    expect(await sessions.openWithToken('dc_unknown')).toBeUndefined()
    expect(await sessions.openWithToken(await createToken(store, { role: 'system', subject: 'erp' }, T0))).toBeUndefined()
  })
})

describe('the console repository', () => {
  it('sweeps links and sessions that expired before the given instant, and tells an empty store', async () => {
    const other = await freshDatabase('dc-console-sweep-')
    const empty = await Store.open(other.location)
    try {
      expect(await empty.console.isEmpty()).toBe(true)
      expect(await empty.tokens.isEmpty()).toBe(true)
      const sessions = new ConsoleSessions(empty, new ManualClock(T0))
      const opened = await sessions.redeem((await sessions.createLink(CUSTOMER)).secret)
      await sessions.createLink(CUSTOMER)
      expect(await empty.console.isEmpty()).toBe(false)
      expect(await empty.console.sweep(T0)).toEqual({ links: 0, sessions: 0 })
      expect(await empty.console.sweep(iso(new ManualClock(T0).now().add({ hours: 13 })))).toEqual({ links: 2, sessions: 1 })
      expect(await sessions.find(opened?.secret ?? '')).toBeUndefined()
      expect(await empty.console.isEmpty()).toBe(true)
    } finally {
      await empty.close()
      await other.drop()
    }
  })
})
