import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineError, realClock, Store } from '../../engine/index.js'
import { clearSessionCookie, consoleSession, setSessionCookie } from '../../console/session-cookie.js'
import { ConsoleSessions } from '../../console/sessions.js'
import type { AppEnv } from '../../server/env.js'
import { toProblem } from '../../server/problem.js'
import { freshDatabase } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'
import { expectProblem } from '../support/problem.js'

// A tiny app with the middleware, on one store for the file.
let database: TestDatabase
let store: Store
let sessions: ConsoleSessions
let app: Hono<AppEnv>
beforeAll(async () => {
  database = await freshDatabase('dc-console-cookie-')
  store = await Store.open(database.location)
  sessions = new ConsoleSessions(store, realClock)
  app = new Hono<AppEnv>()
  app.post('/console/link/:secret', consoleSession(sessions, { required: false }), async (c) => {
    const opened = await sessions.redeem(c.req.param('secret'))
    if (!opened) return c.text('used or expired', 410)
    setSessionCookie(c, opened.secret, opened.expiresAt)
    return c.redirect(opened.returnPath, 303)
  })
  app.post('/console/sign-out', consoleSession(sessions, { required: true }), async (c) => {
    await sessions.end(c.get('consoleSession')?.secret ?? '')
    clearSessionCookie(c)
    return c.redirect('/console/sign-in', 303)
  })
  app.use('/console/private', consoleSession(sessions, { required: true, publicUrl: 'https://delivery.example.com' }))
  app.get('/console/private', (c) => c.json({ principal: c.get('principal'), csrf: c.get('csrf') }))
  app.post('/console/private', (c) => c.json({ done: c.get('principal').subject }))
  app.get('/console/public', consoleSession(sessions, { required: false }), (c) => c.json({ csrf: c.get('csrf') ?? null }))
  app.onError((error, c) => {
    if (!(error instanceof EngineError)) throw error
    const problem = toProblem(error, c.req.path, undefined)
    return c.json(problem, problem.status, { 'Content-Type': 'application/problem+json' })
  })
})
afterAll(async () => {
  await store.close()
  await database.drop()
})

const ORIGIN = 'http://localhost'

/** Signs in through a link, as a browser would, and returns the cookie and the session's CSRF token. */
async function signIn(): Promise<{ cookie: string; csrf: string; secret: string }> {
  const { secret: link } = await sessions.createLink({ role: 'customer', subject: 'c-1', returnPath: '/console/private' })
  const response = await app.request(`/console/link/${link}`, { method: 'POST', headers: { Origin: ORIGIN } })
  expect(response.status).toBe(303)
  const secret = /dc_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1] ?? ''
  return { cookie: `dc_session=${secret}`, csrf: sessions.csrfToken(secret), secret }
}

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/ and expires with the session; Secure only over HTTPS or behind X-Forwarded-Proto: https', async () => {
    const { secret } = await sessions.createLink({ role: 'customer', subject: 'c-1' })
    const plain = (await app.request(`/console/link/${secret}`, { method: 'POST', headers: { Origin: ORIGIN } })).headers.get('set-cookie') ?? ''
    expect(plain).toMatch(/^dc_session=dcs_[A-Za-z0-9_-]{43}; Path=\/; Expires=.+ GMT; HttpOnly; SameSite=Strict$/)
    const proxied = await sessions.createLink({ role: 'customer', subject: 'c-1' })
    const forwarded = await app.request(`/console/link/${proxied.secret}`, { method: 'POST', headers: { Origin: 'https://localhost', 'X-Forwarded-Proto': 'https' } })
    expect(forwarded.headers.get('set-cookie')).toMatch(/; HttpOnly; Secure; SameSite=Strict$/)
    const direct = await sessions.createLink({ role: 'customer', subject: 'c-1' })
    const https = await app.request(`https://localhost/console/link/${direct.secret}`, { method: 'POST', headers: { Origin: 'https://localhost' } })
    expect(https.headers.get('set-cookie')).toMatch(/; Secure; /)
  })

  it('signs in: the page sees the principal and its CSRF token; signing out ends the session and clears the cookie', async () => {
    const { cookie, csrf } = await signIn()
    const page = await app.request('/console/private', { headers: { Cookie: cookie } })
    expect(await page.json()).toEqual({ principal: { role: 'customer', subject: 'c-1' }, csrf })
    const out = await app.request('/console/sign-out', { method: 'POST', headers: { Cookie: cookie, Origin: ORIGIN, 'X-CSRF-Token': csrf } })
    expect(out.status).toBe(303)
    expect(out.headers.get('set-cookie')).toMatch(/^dc_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/)
    expect((await app.request('/console/private', { headers: { Cookie: cookie } })).status).toBe(303)
  })
})

describe('without a session', () => {
  it('a GET of a page that needs one is sent to the sign-in page with where it was going; anything else is 401', async () => {
    const page = await app.request('/console/private?tab=history', { headers: { Cookie: 'dc_session=dcs_forged' } })
    expect(page.status).toBe(303)
    expect(page.headers.get('location')).toBe('/console/sign-in?next=%2Fconsole%2Fprivate%3Ftab%3Dhistory')
    await expectProblem(await app.request('/console/private', { method: 'POST', headers: { Origin: ORIGIN } }), 401, 'auth.missing')
  })

  it('a page that does not need one is served, with no CSRF token', async () => {
    expect(await (await app.request('/console/public')).json()).toEqual({ csrf: null })
  })
})

describe('cross-site request forgery', () => {
  it('a state change with the session\'s token, in the header or the _csrf form field, from this origin or the public URL, is accepted', async () => {
    const { cookie, csrf } = await signIn()
    const header = await app.request('/console/private', { method: 'POST', headers: { Cookie: cookie, Origin: ORIGIN, 'X-CSRF-Token': csrf } })
    expect(await header.json()).toEqual({ done: 'c-1' })
    const form = await app.request('/console/private', { method: 'POST', headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' }, body: new URLSearchParams({ _csrf: csrf, note: 'x' }) })
    expect(form.status).toBe(200)
    const proxied = await app.request('/console/private', { method: 'POST', headers: { Cookie: cookie, Origin: 'https://delivery.example.com', 'X-CSRF-Token': csrf } })
    expect(proxied.status).toBe(200)
  })

  it('is refused with 403 console.csrf: no token, a wrong token, another origin, a cross-site fetch, no origin at all', async () => {
    const { cookie, csrf } = await signIn()
    const other = await signIn()
    const refused: Array<Record<string, string>> = [
      { Origin: ORIGIN },
      { Origin: ORIGIN, 'X-CSRF-Token': other.csrf },
      { Origin: ORIGIN, 'X-CSRF-Token': `${csrf}x` },
      { Origin: 'http://evil.example', 'X-CSRF-Token': csrf },
      { Origin: 'null', 'X-CSRF-Token': csrf },
      { Origin: 'https://localhost', 'X-CSRF-Token': csrf },
      { 'Sec-Fetch-Site': 'cross-site', 'X-CSRF-Token': csrf },
      { 'X-CSRF-Token': csrf },
    ]
    for (const headers of refused) {
      await expectProblem(await app.request('/console/private', { method: 'POST', headers: { Cookie: cookie, ...headers } }), 403, 'console.csrf')
    }
    const wrongField = await app.request('/console/private', { method: 'POST', headers: { Cookie: cookie, Origin: ORIGIN }, body: new URLSearchParams({ _csrf: other.csrf }) })
    await expectProblem(wrongField, 403, 'console.csrf')
  })
})
