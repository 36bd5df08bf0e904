import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { realClock } from '../../engine/index.js'
import { ConsoleSessions } from '../../console/sessions.js'
import { openApi } from '../support/http.js'
import type { Api } from '../support/http.js'
import { expectProblem } from '../support/problem.js'

// One app for the file: each request makes a link of its own.
let api: Api
beforeAll(async () => { api = await openApi({ publicUrl: 'https://delivery.example.com' }) })
afterAll(async () => { await api.close() })

const LINK = /^https:\/\/delivery\.example\.com\/console\/link\/(dcl_[A-Za-z0-9_-]{43})$/

describe('POST /v1/console-sessions', () => {
  it('answers 201 with a one-time link under the public URL and its expiry; the link opens a session on the return path', async () => {
    const response = await api.call('POST', '/v1/console-sessions', { who: 'system', json: { role: 'customer', subject: 'c-1', returnUrl: '/console/deliveries/d-1' } })
    expect(response.status).toBe(201)
    const body = await response.json() as { url: string; expiresAt: string }
    expect(body).toEqual({ url: expect.stringMatching(LINK), expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) })
    const minutes = (Date.parse(body.expiresAt) - Date.now()) / 60_000
    expect(minutes).toBeGreaterThan(9)
    expect(minutes).toBeLessThanOrEqual(10)
    const secret = LINK.exec(body.url)?.[1] ?? ''
    const sessions = new ConsoleSessions(api.store, realClock)
    expect(await sessions.redeem(secret)).toMatchObject({ principal: { role: 'customer', subject: 'c-1' }, returnPath: '/console/deliveries/d-1' })
    expect(await sessions.redeem(secret)).toBeUndefined()
  })

  it('is for admin and system tokens: a customer and an ISV get 403 auth.forbidden, no token 401', async () => {
    expect((await api.call('POST', '/v1/console-sessions', { who: 'admin', json: { role: 'admin', subject: 'ops-1' } })).status).toBe(201)
    for (const who of ['customer', 'isv'] as const) {
      await expectProblem(await api.call('POST', '/v1/console-sessions', { who, json: { role: who, subject: 'c-1' } }), 403, 'auth.forbidden')
    }
    await expectProblem(await api.call('POST', '/v1/console-sessions', { json: { role: 'customer', subject: 'c-1' } }), 401, 'auth.missing')
  })

  it('opens an admin\'s session only for an admin token: a system token, which may not terminate or register, cannot make itself an admin', async () => {
    const problem = await expectProblem(await api.call('POST', '/v1/console-sessions', { who: 'system', json: { role: 'admin', subject: 'mallory' } }), 403, 'auth.forbidden')
    expect(problem).toMatchObject({ errors: [{ pointer: '/role', rule: 'forbidden' }] })
    expect((await api.call('POST', '/v1/console-sessions', { who: 'system', json: { role: 'isv', subject: 'v-1' } })).status).toBe(201)
  })

  it('names each invalid field at its pointer: a missing or system role, a long subject, an unknown field', async () => {
    const pointers = async (json: unknown): Promise<string[]> => {
      const problem = await expectProblem(await api.call('POST', '/v1/console-sessions', { who: 'admin', json }), 422, 'request.invalid')
      return (problem['errors'] as Array<{ pointer: string }>).map((e) => e.pointer)
    }
    expect(await pointers({ subject: 'c-1', colour: 'red' })).toEqual(['/role', '/colour'])
    expect(await pointers({ role: 'system', subject: 'erp' })).toEqual(['/role'])
    expect(await pointers({ role: 'Customer Service', subject: 'x'.repeat(201) })).toEqual(['/subject'])
    expect(await pointers({ role: 'Customer Service', subject: ' ' })).toEqual(['/role', '/subject'])
    // A role no registered process declares would sign a person into an empty console.
    const typo = await expectProblem(await api.call('POST', '/v1/console-sessions', { who: 'admin', json: { role: 'custmer', subject: 'c-1' } }), 422, 'request.invalid')
    expect(typo['errors']).toEqual([{ pointer: '/role', rule: 'enum', message: expect.stringMatching(/^must be admin or a role a registered process declares: admin, customer, isv\. Did you mean "customer"\?$/) }])
  })

  it('refuses a return URL outside the console (no open redirect), naming what is accepted', async () => {
    for (const returnUrl of ['https://evil.example/console', '//evil.example', '/console//evil.example', '/\\evil.example', '/console/../v1/tokens', '/console/%2e%2e/v1/tokens', '/console/%2E./v1', '/v1/tokens', 'javascript:alert(1)']) {
      const problem = await expectProblem(await api.call('POST', '/v1/console-sessions', { who: 'admin', json: { role: 'customer', subject: 'c-1', returnUrl } }), 422, 'request.invalid')
      expect(problem['errors'], returnUrl).toEqual([{ pointer: '/returnUrl', rule: 'pattern', message: expect.stringMatching(/^must be a path in the console: \/console or one starting with \/console\//) }])
    }
  })
})

describe('POST /v1/console-sessions with an Idempotency-Key', () => {
  it('never keeps the link: a retry with the same key makes another link, and no stored answer holds one', async () => {
    const send = () => api.call('POST', '/v1/console-sessions', { who: 'system', json: { role: 'customer', subject: 'c-1' }, headers: { 'Idempotency-Key': 'link-1' } })
    const [first, second] = [await send(), await send()]
    expect([first.status, second.status]).toEqual([201, 201])
    expect(second.headers.get('Idempotent-Replayed')).toBeNull()
    expect((await first.json() as { url: string }).url).not.toBe((await second.json() as { url: string }).url)
    expect(await api.store.idempotency.find('system:scheduler', 'link-1')).toBeUndefined()
  })
})

describe('without --public-url', () => {
  it('the link is under the origin the request was sent to', async () => {
    const local = await openApi()
    try {
      const response = await local.app.request('http://127.0.0.1:4000/v1/console-sessions', {
        method: 'POST', headers: { Authorization: `Bearer ${local.tokens.admin}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ role: 'isv', subject: 'v-1' }),
      })
      expect(await response.json()).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:4000\/console\/link\/dcl_/) })
    } finally {
      await local.close()
    }
  })
})
