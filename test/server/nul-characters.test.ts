import { describe, expect, it } from 'vitest'
import { realClock } from '../../engine/index.js'
import { ConsoleSessions } from '../../console/sessions.js'
import { snapshot } from '../support/database.js'
import { WHO } from '../support/http.js'
import type { Api, Who } from '../support/http.js'
import { serveForEachTest } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'

// U+0000 is a character JSON and URLs can carry and PostgreSQL's text cannot: wherever a caller
// can put one, it is refused as the caller's mistake, never a 500 from the database.

let api: Api
let server: Loopback
serveForEachTest((opened, served) => { api = opened; server = served })

async function call(method: string, path: string, who: Who, body?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method, ...(body === undefined ? {} : { body }),
    headers: { Authorization: `Bearer ${api.tokens[who]}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
  })
  const text = await response.text()
  return { status: response.status, body: (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : { text }) as Record<string, unknown> }
}

const forgedCursor = Buffer.from(JSON.stringify(['\u0000', '\u0000'])).toString('base64url')

describe('U+0000', () => {
  it('in a list filter or cursor: 422 request.invalid at the parameter', async () => {
    for (const [path, pointer] of [
      ['/v1/instances?process=%00', '/query/process'], ['/v1/instances?orderId=o%00', '/query/orderId'], ['/v1/events?instance=%00', '/query/instance'],
      [`/v1/instances?cursor=${forgedCursor}`, '/query/cursor'],
    ] as const) {
      expect(await call('GET', path, 'admin'), path).toMatchObject({ status: 422, body: { code: 'request.invalid', errors: [{ pointer }] } })
    }
  })

  it('in an id of the path: 422 request.invalid at /path, for every route', async () => {
    for (const [method, path] of [['GET', '/v1/proposals/%00'], ['GET', '/v1/instances/a%00b'], ['POST', '/v1/instances/%00/act'], ['GET', '/v1/processes/%00'], ['DELETE', '/v1/webhook-endpoints/%00']] as const) {
      const answer = await call(method, path, 'admin', method === 'GET' || method === 'DELETE' ? undefined : '{}')
      expect(answer, `${method} ${path}`).toMatchObject({ status: 422, body: { code: 'request.invalid', errors: [{ pointer: '/path' }] } })
    }
  })

  it('anywhere in a JSON body: 422 request.invalid at its pointer, nothing stored', async () => {
    const before = await snapshot(api.database)
    const start = (parties: unknown, context: unknown): string => JSON.stringify({ process: 'basic', parties, context })
    const context = { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }
    expect(await call('POST', '/v1/instances', 'admin', start({ customer: 'c\u0000', isv: 'v-1' }, context))).toMatchObject({ status: 422, body: { code: 'request.invalid', errors: [{ pointer: '/parties/customer', rule: 'pattern' }] } })
    expect(await call('POST', '/v1/instances', 'admin', start({ customer: 'c-1', isv: 'v-1' }, { ...context, orderId: 'o\u0000' }))).toMatchObject({ status: 422, body: { errors: [{ pointer: '/context/orderId' }] } })
    expect(await call('POST', '/v1/proposals', 'isv', JSON.stringify({ definition: 'id: v\u0000' }))).toMatchObject({ status: 422 })
    expect(await snapshot(api.database)).toEqual(before)
    // An escaped backslash before "u0000" is not the character: accepted.
    expect((await call('POST', '/v1/instances', 'admin', start({ customer: 'c-1', isv: 'v-1' }, { ...context, orderId: 'o-\\u0000' }))).status).toBe(201)
  })

  it('in a console page\'s path or a console form: a 4xx page, nothing stored', async () => {
    const sessions = new ConsoleSessions(api.store, realClock)
    const { secret } = await sessions.createLink(WHO.customer)
    const session = await sessions.redeem(secret)
    const cookie = `dc_session=${session?.secret ?? ''}`
    const page = await fetch(`${server.url}/console/deliveries/%00`, { headers: { Cookie: cookie } })
    expect(page.status).toBe(422)
    const started = await call('POST', '/v1/instances', 'admin', JSON.stringify({ process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }))
    const id = String(started.body['id'])
    const before = await snapshot(api.database)
    const form = new URLSearchParams({ _csrf: sessions.csrfToken(session?.secret ?? ''), _action: 'submit', _step: 'submit-demand', '/inputs/demands': 'x\u0000', '/inputs/contact/name': 'n', '/inputs/contact/phone': '1', '/inputs/contact/email': 'a@b.c' })
    const acted = await fetch(`${server.url}/console/deliveries/${id}/act`, { method: 'POST', body: form.toString(), redirect: 'manual', headers: { Cookie: cookie, Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' } })
    expect(acted.status).toBe(422)
    expect(await acted.text()).toContain('U+0000')
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('in an uploaded file\'s name: the name is kept without control characters, not a 500', async () => {
    const boundary = 'b0undary'
    const pdf = '%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="re\u0000port\u0007.pdf"\r\nContent-Type: application/pdf\r\n\r\n${pdf}\r\n--${boundary}--\r\n`
    const response = await fetch(`${server.url}/v1/attachments`, { method: 'POST', body, headers: { Authorization: `Bearer ${api.tokens.customer}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` } })
    expect(response.status, await response.clone().text()).toBe(201)
    expect(await response.json()).toMatchObject({ fileName: 'report.pdf' })
  })
})
