import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { realClock } from '../../engine/index.js'
import { MAX_FORM_FIELDS } from '../../console/form-body.js'
import { ConsoleSessions } from '../../console/sessions.js'
import { openApi, WHO } from '../support/http.js'
import type { Api, Who } from '../support/http.js'
import { DEMAND } from '../support/engine.js'
import { markFailed } from '../support/fragile.js'
import { pino } from 'pino'

// The console over HTTP, without a browser: what a hostile or clumsy client may send never
// becomes a 500, and a refused request changes nothing.
let api: Api
let sessions: ConsoleSessions
let instance: string
const ORIGIN = 'http://localhost'

beforeAll(async () => {
  api = await openApi()
  sessions = new ConsoleSessions(api.store, realClock)
  const started = await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'ORD-7', specification: 'Standard', productId: 'p-1' } } })
  instance = (await started.json() as { id: string }).id
})
afterAll(async () => { await api.close() })

async function signedIn(who: Who): Promise<{ cookie: string; csrf: string }> {
  const { secret } = await sessions.createLink(WHO[who])
  const session = await sessions.redeem(secret)
  if (!session) throw new Error('the link did not open a session')
  return { cookie: `dc_session=${session.secret}`, csrf: sessions.csrfToken(session.secret) }
}

async function post(path: string, who: { cookie: string }, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return api.app.request(path, { method: 'POST', headers: { Cookie: who.cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() })
}

describe('the console over HTTP', () => {
  it('serves pages with a strict policy, no caching, and the same-origin referrer policy forms need', async () => {
    const customer = await signedIn('customer')
    const response = await api.app.request('/console', { headers: { Cookie: customer.cookie } })
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Security-Policy')).toMatch(/script-src 'self'.*style-src 'self'/)
    expect(response.headers.get('Content-Security-Policy')).not.toMatch(/unsafe-inline|unsafe-eval/)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.headers.get('Referrer-Policy')).toBe('same-origin')
    expect(await response.text()).toContain('ORD-7')
  })

  it('sends a person without a session to the sign-in page, and keeps where they were going', async () => {
    const response = await api.app.request(`/console/deliveries/${instance}`)
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/console/sign-in?next=${encodeURIComponent(`/console/deliveries/${instance}`)}`)
  })

  it('answers a stranger exactly as for a delivery that does not exist', async () => {
    const stranger = await signedIn('strangerCustomer')
    const theirs = await api.app.request(`/console/deliveries/${instance}`, { headers: { Cookie: stranger.cookie } })
    const missing = await api.app.request('/console/deliveries/no-such-delivery', { headers: { Cookie: stranger.cookie } })
    expect([theirs.status, missing.status]).toEqual([404, 404])
    // The same page but for the URL it was asked at (the language links point back to it).
    expect((await theirs.text()).replaceAll(instance, 'ID')).toBe((await missing.text()).replaceAll('no-such-delivery', 'ID'))
  })

  it('says what was not found: a delivery, a process, a proposal or a page', async () => {
    const admin = await signedIn('admin')
    for (const [path, what] of [['/console/deliveries/nope', 'delivery'], ['/console/processes/nope', 'process'], ['/console/proposals/nope', 'proposal'], ['/console/nowhere', 'page']] as const) {
      const response = await api.app.request(path, { headers: { Cookie: admin.cookie } })
      expect(response.status, path).toBe(404)
      expect(await response.text(), path).toContain(`There is no such ${what}, or you may not see it.`)
    }
  })

  it('refuses a form without the session\'s CSRF token, or from another origin, and acts on neither', async () => {
    const customer = await signedIn('customer')
    const form = { _action: 'submit', _step: 'submit-demand', '/inputs/demands': 'x', '/inputs/contact/name': 'n', '/inputs/contact/phone': '+86 1380000', '/inputs/contact/email': 'a@b.co' }
    expect((await post(`/console/deliveries/${instance}/act`, customer, form)).status).toBe(403)
    expect((await post(`/console/deliveries/${instance}/act`, customer, { ...form, _csrf: customer.csrf }, { Origin: 'https://evil.example' })).status).toBe(403)
    expect((await post(`/console/deliveries/${instance}/act`, customer, { ...form, _csrf: 'forged' })).status).toBe(403)
    expect((await api.engine.instances.get(instance, WHO.admin)).revision).toBe(1)
  })

  it('never answers 500 to malformed forms: unknown actions and steps, junk revisions, missing reasons, strangers', async () => {
    const customer = await signedIn('customer')
    const admin = await signedIn('admin')
    const cases: Array<[string, { cookie: string; csrf: string }, Record<string, string>]> = [
      [`/console/deliveries/${instance}/act`, customer, { _action: 'nope', _step: 'submit-demand' }],
      [`/console/deliveries/${instance}/act`, customer, { _action: 'submit', _step: 'no-step', _revision: 'x' }],
      [`/console/deliveries/${instance}/act`, customer, { _action: 'submit', _step: 'submit-demand', _revision: '99', _tz: 'Not/AZone', '/inputs/demands': 'x'.repeat(20_000) }],
      [`/console/deliveries/${instance}/act`, customer, { '/inputs/contact': '[object Object]', '/inputs/__proto__/x': '1' }],
      [`/console/deliveries/${instance}/terminate`, customer, { reason: 'mine' }],
      [`/console/deliveries/${instance}/terminate`, admin, { reason: '' }],
      [`/console/deliveries/${instance}/retry`, admin, {}],
      ['/console/deliveries/missing/act', customer, { _action: 'submit' }],
    ]
    for (const [path, who, form] of cases) {
      const response = await post(path, who, { ...form, _csrf: who.csrf })
      expect(response.status, `${path} ${JSON.stringify(form).slice(0, 80)}`).toBeGreaterThanOrEqual(400)
      expect(response.status, path).toBeLessThan(500)
      expect(response.headers.get('Content-Type'), path).toMatch(/^text\/html/)
    }
    expect((await api.engine.instances.get(instance, WHO.admin)).revision).toBe(1)
  })

  it('refuses a form whose revision is not one, rather than acting without checking it', async () => {
    const admin = await signedIn('admin')
    for (const revision of ['abc', '-1', '1e20', '0', '2147483648', '1.5']) {
      const response = await post(`/console/deliveries/${instance}/terminate`, admin, { _csrf: admin.csrf, reason: 'Refunded', _revision: revision })
      expect(response.status, revision).toBe(422)
    }
    expect((await api.engine.instances.get(instance, WHO.admin)).status).toBe('active')
  })

  it('reads the studio\'s check as the API reads a validation, and refuses in JSON as it does', async () => {
    const admin = await signedIn('admin')
    const check = (body: string, type = 'application/json'): Promise<Response> => Promise.resolve(api.app.request('/console/processes/check', {
      method: 'POST', body, headers: { Cookie: admin.cookie, Origin: ORIGIN, 'X-CSRF-Token': admin.csrf, 'Content-Type': type },
    }))
    const definition = 'id: demo\nversion: 1\ntitle: Demo\nroles: [customer]\nsteps:\n  - { id: a, title: A, actor: customer, actions: { done: { title: Done, end: completed } } }\n'
    const fine = await check(JSON.stringify({ definition }))
    expect(fine.status).toBe(200)
    expect(await fine.json()).toMatchObject({ valid: true })
    for (const [body, type, status, code] of [
      ['{"definition":', 'application/json', 400, 'request.malformed'],
      [`{"definition":${JSON.stringify(definition)},"definition":"x"}`, 'application/json', 422, 'request.invalid'],
      [JSON.stringify({ definition, colour: 'red' }), 'application/json', 422, 'request.invalid'],
      [JSON.stringify({ definition }), 'text/plain', 415, 'request.unsupported-media-type'],
    ] as const) {
      const refused = await check(body, type)
      expect(refused.status, body.slice(0, 40)).toBe(status)
      expect(refused.headers.get('Content-Type')).toMatch(/^application\/problem\+json/)
      expect(await refused.json()).toMatchObject({ code })
    }
  })

  it('refuses a form larger than 1 MiB before reading it', async () => {
    const customer = await signedIn('customer')
    const response = await post(`/console/deliveries/${instance}/act`, customer, { _csrf: customer.csrf, '/inputs/demands': 'x'.repeat(1024 * 1024 + 1) })
    expect(response.status).toBe(413)
  })

  it('refuses a form over 8 KiB from anyone without a session (signing in, following a link, signing out), before reading it', async () => {
    for (const path of ['/console/sign-in', '/console/link/abc', '/console/sign-out']) {
      const body = `token=${'x'.repeat(8 * 1024)}`
      const refused = await api.app.request(path, { method: 'POST', headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length) }, body })
      expect(refused.status, path).toBe(413)
      expect(await refused.text()).toContain('at most 8192 bytes')
    }
    // A token and the page to come back to fit.
    const signIn = await api.app.request('/console/sign-in', { method: 'POST', headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: api.tokens.customer, next: `/console?${'q'.repeat(2000)}` }).toString() })
    expect(signIn.status).toBe(303)
  })

  it('refuses a form of more fields than any form has, before reading it into inputs', async () => {
    const customer = await signedIn('customer')
    const fields = Array.from({ length: MAX_FORM_FIELDS }, (_, i): [string, string] => [`/inputs/rows/${i % 1000}/values/${Math.floor(i / 1000)}/v`, 'x'])
    const form = new URLSearchParams([['_csrf', customer.csrf], ['_action', 'submit'], ['_step', 'submit-demand'], ['_revision', '1'], ...fields])
    const act = await api.app.request(`/console/deliveries/${instance}/act`, { method: 'POST', headers: { Cookie: customer.cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() })
    expect(act.status).toBe(413)
    expect(await act.text()).toContain(`at most ${MAX_FORM_FIELDS.toLocaleString('en')}`)
    expect((await api.engine.instances.get(instance, WHO.admin)).revision).toBe(1)
    // Counted in the bytes, before any is decoded: a name repeated half a million times is that
    // many fields, refused at once.
    const repeated = Array.from({ length: 524_000 }, () => 'a').join('&')
    const many = await api.app.request(`/console/deliveries/${instance}/act`, { method: 'POST', headers: { Cookie: customer.cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' }, body: repeated })
    expect(many.status).toBe(413)
    expect(await many.text()).toContain('524,000 fields')
  })

  it('reads a form as Hono does: the last value of a repeated name, every value where asked, names decoded', async () => {
    const customer = await signedIn('customer')
    // The act reads every value of a slot's field; its other fields once.
    const form = new URLSearchParams([['_csrf', 'wrong'], ['_csrf', customer.csrf], ['_action', 'submit'], ['_step', 'submit-demand'], ['%2Finputs%2Fdemands', 'x']])
    const act = await api.app.request(`/console/deliveries/${instance}/act`, { method: 'POST', headers: { Cookie: customer.cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() })
    // Not refused for its token (the last one given counts): refused for its inputs, on the page.
    expect(act.status).toBe(422)
    expect(await act.text()).toContain('contact')
  })

  it('holds forms to the API\'s limits: the ids of files an act may carry, a termination\'s reason', async () => {
    const customer = await signedIn('customer')
    const admin = await signedIn('admin')
    const ids = Array.from({ length: 2_000 }, (_, i): [string, string] => ['/attachments/demand-documents', `file-${i}`])
    const form = new URLSearchParams([['_csrf', customer.csrf], ['_action', 'submit'], ['_step', 'submit-demand'], ['/inputs/demands', 'x'], ...ids])
    const act = await api.app.request(`/console/deliveries/${instance}/act`, { method: 'POST', headers: { Cookie: customer.cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() })
    expect(act.status).toBe(422)
    const page = await act.text()
    // The refusal names the slot's rule; the page shows no more files than the slot takes.
    expect(page).toContain('must have at most 50 items')
    expect(page.split('file-1').length - 1).toBeLessThan(20)
    // As many as the slot takes are refused for what they are: files that do not exist.
    const inputs: Array<[string, string]> = [['/inputs/demands', DEMAND.demands], ['/inputs/contact/name', DEMAND.contact.name], ['/inputs/contact/phone', DEMAND.contact.phone], ['/inputs/contact/email', DEMAND.contact.email]]
    const spread = new URLSearchParams([['_csrf', customer.csrf], ['_action', 'submit'], ['_step', 'submit-demand'], ...inputs, ...ids.slice(0, 5)])
    const missing = await api.app.request(`/console/deliveries/${instance}/act`, { method: 'POST', headers: { Cookie: customer.cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' }, body: spread.toString() })
    expect(missing.status).toBe(404)
    expect(await missing.text()).toContain('does not exist or is not yours to attach')
    for (const reason of ['x'.repeat(2_001), 'stop\u0007now', '\u200b\u202e ']) {
      const terminated = await post(`/console/deliveries/${instance}/terminate`, admin, { _csrf: admin.csrf, reason })
      expect(terminated.status, JSON.stringify(reason.slice(0, 20))).toBe(422)
    }
    expect((await api.engine.instances.get(instance, WHO.admin)).revision).toBe(1)
  })

  it('acts with a valid form and shows the result (Post/Redirect/Get)', async () => {
    const customer = await signedIn('customer')
    const form = {
      _csrf: customer.csrf, _action: 'submit', _step: 'submit-demand', _revision: '1',
      '/inputs/demands': DEMAND.demands, '/inputs/contact/name': DEMAND.contact.name, '/inputs/contact/phone': DEMAND.contact.phone, '/inputs/contact/email': DEMAND.contact.email,
    }
    const response = await post(`/console/deliveries/${instance}/act`, customer, form)
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toBe(`/console/deliveries/${instance}`)
    expect((await api.engine.instances.get(instance, WHO.admin)).step?.id).toBe('project-delivery')
    // The same form again: the delivery has moved on, and the page says so instead of acting twice.
    const again = await post(`/console/deliveries/${instance}/act`, customer, form)
    expect(again.status).toBe(409)
    expect(await again.text()).toContain('Someone acted on this delivery meanwhile')
  })

  it("shows an administrator's inbox what waits on administrators: failed deliveries, then steps where they act", async () => {
    await api.engine.processes.register(REVIEW, 'review.yaml')
    const review = await api.engine.instances.start({ process: 'review', parties: { customer: 'c-1' }, context: { orderId: 'ORD-REVIEW' } }, WHO.admin)
    const failed = await api.engine.instances.start({ process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'ORD-FAILED', specification: 'Standard', productId: 'p-1' } }, WHO.admin)
    await markFailed(api.engine, api.store, failed.id)
    const html = await (await api.app.request('/console', { headers: { Cookie: (await signedIn('admin')).cookie } })).text()
    const waiting = html.slice(html.indexOf('id="waiting-title"'), html.indexOf('id="list-title"'))
    expect(waiting.indexOf('ORD-FAILED')).toBeGreaterThan(-1)
    expect(waiting.indexOf('ORD-REVIEW')).toBeGreaterThan(waiting.indexOf('ORD-FAILED'))
    expect(waiting).toContain('expression.failed')
    expect(waiting).toContain('Approve')
    expect(waiting).not.toContain('ORD-7')
    const customer = await (await api.app.request('/console', { headers: { Cookie: (await signedIn('customer')).cookie } })).text()
    expect(customer.slice(customer.indexOf('id="waiting-title"'), customer.indexOf('id="list-title"'))).not.toContain('ORD-REVIEW')
    expect(review.step?.actors).toEqual(['admin'])
  })
})

describe('the delivery page', () => {
  const stepStates = async (id: string): Promise<string[]> => {
    const html = await (await api.app.request(`/console/deliveries/${id}`, { headers: { Cookie: (await signedIn('customer')).cookie } })).text()
    return [...html.matchAll(/<li class="step ([a-z-]+)"[^>]*><span class="step-title">([^<]+)</g)].map((m) => `${m[2]}: ${m[1]}`)
  }

  it('marks the steps of a terminated delivery: done, where it was stopped, never reached, and those taken only when needed', async () => {
    const view = await api.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, WHO.admin)
    await api.engine.instances.act(view.id, { action: 'submit', inputs: DEMAND }, WHO.customer)
    await api.engine.instances.terminate(view.id, { reason: 'Cancelled by the customer' }, WHO.admin)
    expect(await stepStates(view.id)).toEqual(['Submit Demand: done', 'Project Delivery: stopped', 'Confirm Delivery: not-reached', 'Dispute: if-needed', 'Project Delivery Escalated: if-needed'])
  })

  it('shows an active delivery\'s dispute and escalation as taken only when needed, not as upcoming; a step entered is shown as such', async () => {
    const view = await api.engine.instances.start({ process: 'basic', context: { orderId: 'o-2', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, WHO.admin)
    expect(await stepStates(view.id)).toEqual(['Submit Demand: current', 'Project Delivery: upcoming', 'Confirm Delivery: upcoming', 'Dispute: if-needed', 'Project Delivery Escalated: if-needed'])
    await api.engine.instances.act(view.id, { action: 'submit', inputs: DEMAND }, WHO.customer)
    await api.engine.instances.act(view.id, { action: 'finish' }, WHO.isv)
    await api.engine.instances.act(view.id, { action: 'dispute', inputs: { reason: 'Not installed' } }, WHO.customer)
    expect(await stepStates(view.id)).toEqual(['Submit Demand: done', 'Project Delivery: done', 'Confirm Delivery: done', 'Dispute: current', 'Project Delivery Escalated: if-needed'])
  })
})

describe('the validity of a delivery', () => {
  it('is shown when its process declares a period: not known while in progress, none once terminated; a process without one shows none', async () => {
    const page = async (id: string): Promise<string> => (await api.app.request(`/console/deliveries/${id}`, { headers: { Cookie: (await signedIn('customer')).cookie } })).text()
    const licence = await api.engine.instances.start({
      process: 'license-supervision', parties: { customer: 'c-1', isv: 'v-1' }, parameters: { purchasedDuration: 'P1Y' },
      context: { orderId: 'KG-1', productId: 'P-1', specification: '10 seats', orderPlacedAt: '2025-12-31T09:00:00+08:00' },
    }, WHO.admin)
    expect(await page(licence.id)).toMatch(/<dt>Validity<\/dt><dd class="validity">Not known yet: the delivery is in progress<\/dd>/)
    await api.engine.instances.terminate(licence.id, { reason: 'Refunded' }, WHO.admin)
    expect(await page(licence.id)).toMatch(/<dd class="validity">None: the delivery was terminated<\/dd>/)
    const basic = await api.engine.instances.start({ process: 'basic', context: { orderId: 'o-3', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, WHO.admin)
    expect(await page(basic.id)).not.toContain('Validity')
  })

  it('says until when an accepted licence is valid and how many days are left, in the process\'s zone', async () => {
    const upload = async (name: string): Promise<string> => {
      const form = new FormData()
      form.append('file', new Blob([readFileSync(join(import.meta.dirname, '../fixtures/files', name))]), name)
      return ((await (await api.call('POST', '/v1/attachments', { who: 'isv', body: form })).json()) as { id: string }).id
    }
    const licence = await api.engine.instances.start({
      process: 'license-supervision', parties: { customer: 'c-1', isv: 'v-1' }, parameters: { purchasedDuration: 'P1M' },
      context: { orderId: 'KG-2', productId: 'P-1', specification: '10 seats', orderPlacedAt: '2025-12-31T09:00:00+08:00' },
    }, WHO.admin)
    const attachments = { 'statement-of-work': [await upload('contract.pdf')], 'acceptance-documents': [await upload('contract.docx')], 'authorization-screenshots': [await upload('logo.png')] }
    await api.engine.instances.act(licence.id, { action: 'deliver', inputs: { deliveryContent: 'Key issued' }, attachments }, WHO.isv)
    await api.engine.instances.act(licence.id, { action: 'accept' }, WHO.customer)
    // Accepted at the test clock's now: valid for a calendar month in Beijing, 31 days left.
    expect(await (await api.app.request(`/console/deliveries/${licence.id}`, { headers: { Cookie: (await signedIn('customer')).cookie } })).text())
      .toMatch(/<dd class="validity">Valid until <time datetime="[^"]+"[^>]*>[^<]+<\/time> \(31 days left\)<\/dd>/)
  })
})

describe("an administrator's search", () => {
  it('filters by a phase of one process, not by the same step id in others', async () => {
    const admin = await signedIn('admin')
    const contract = await api.engine.instances.start({ process: 'contract', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'ORD-CONTRACT', specification: 'Standard', productId: 'p-1' } }, WHO.admin)
    const html = await (await api.app.request('/console/deliveries?phase=contract%3Asubmit-demand', { headers: { Cookie: admin.cookie } })).text()
    expect(html).toContain(`/console/deliveries/${contract.id}`)
    // ORD-FAILED is a basic delivery in a step of the same id.
    expect(html).not.toContain('ORD-FAILED')
    expect(html).toContain('<option value="contract:submit-demand" selected="">')
  })

  it('reads the days it is given in the viewer\'s time zone', async () => {
    const admin = await signedIn('admin')
    const search = async (query: string): Promise<boolean> => (await (await api.app.request(`/console/deliveries?orderId=ORD-7&${query}`, { headers: { Cookie: admin.cookie } })).text()).includes(`/console/deliveries/${instance}`)
    // ORD-7 started at 2026-01-01T00:00Z: 08:00 on 1 January in Shanghai, 16:00 on 31 December in Los Angeles.
    expect(await search('startedFrom=2026-01-01&tz=Asia%2FShanghai')).toBe(true)
    expect(await search('startedFrom=2026-01-01&tz=America%2FLos_Angeles')).toBe(false)
    expect(await search('startedTo=2026-01-01&tz=America%2FLos_Angeles')).toBe(true)
    expect(await search('startedFrom=2026-01-01&tz=Not%2FA_Zone')).toBe(true)
  })

  it('answers a cursor it never made with a page saying so (422), never a server error', async () => {
    const admin = await signedIn('admin')
    for (const path of ['/console?cursor=garbage', '/console/deliveries?cursor=garbage']) {
      const response = await api.app.request(path, { headers: { Cookie: admin.cookie } })
      expect(response.status, path).toBe(422)
      expect(await response.text(), path).toContain('The cursor is not one this API returned.')
    }
  })
})

describe('signing in and out of the console', () => {
  it('lets a person still signed in use a new link for another person when they choose to, ending the session they had', async () => {
    const before = await signedIn('customer')
    const { secret } = await sessions.createLink(WHO.admin)
    const response = await post(`/console/link/${secret}`, before, { switch: 'yes' })
    expect(response.status).toBe(303)
    expect(response.headers.get('Set-Cookie')).toMatch(/^dc_session=dcs_/)
    const stale = await api.app.request('/console', { headers: { Cookie: before.cookie } })
    expect(stale.status).toBe(303)
  })

  it('asks a person signed in as someone else before a link signs them in as another, and uses a link at once otherwise', async () => {
    const victim = await signedIn('customer')
    // A link someone else was given (for customer c-9), opened in the signed-in person's browser:
    // the page opens as any link's does (followed from another site, it comes without the cookie)...
    const { secret } = await sessions.createLink({ role: 'customer', subject: 'c-9' })
    const opened = await (await api.app.request(`/console/link/${secret}`)).text()
    expect(opened).toContain('data-autosubmit')
    // ...and its button, pressed by the page's script with the session's cookie, asks first.
    const asked = await post(`/console/link/${secret}`, victim, {})
    expect(asked.status).toBe(200)
    expect(asked.headers.get('Set-Cookie')).toBeNull()
    const text = await asked.text()
    expect(text).not.toContain('data-autosubmit')
    expect(text).toContain('You are signed in as Customer c-1. This link signs you in as Customer c-9 instead, and signs you out as Customer c-1.')
    expect(text).toContain('<input type="hidden" name="switch" value="yes"/>')
    expect(text).toContain('>Sign in as Customer c-9</button>')
    expect(text).toContain('<a href="/console">Stay signed in as Customer c-1</a>')
    // Nothing was used or ended: the person is still signed in, and the link still works.
    expect((await api.app.request('/console', { headers: { Cookie: victim.cookie } })).status).toBe(200)
    expect(await sessions.linkPrincipal(secret)).toEqual({ role: 'customer', subject: 'c-9' })
    // Pressed deliberately, it signs in as the link's person.
    const switched = await post(`/console/link/${secret}`, victim, { switch: 'yes' })
    expect(switched.status).toBe(303)
    expect(switched.headers.get('Set-Cookie')).toMatch(/^dc_session=dcs_/)
    // A link for the person already signed in, and any link in a browser with no session, is used at once.
    const own = await sessions.createLink(WHO.customer)
    expect((await post(`/console/link/${own.secret}`, await signedIn('customer'), {})).status).toBe(303)
    const fresh = await sessions.createLink({ role: 'customer', subject: 'c-9' })
    expect((await api.app.request(`/console/link/${fresh.secret}`, { method: 'POST', headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' })).status).toBe(303)
  })

  it('signs out a session that has already ended, rather than refusing it', async () => {
    const ended = await signedIn('customer')
    await post('/console/sign-out', ended, { _csrf: ended.csrf })
    const again = await post('/console/sign-out', ended, {})
    expect(again.status).toBe(303)
    expect(again.headers.get('Location')).toBe('/console/sign-in?signed-out')
  })

  it('answers a body that is not a form, or cannot be read as one, with 400, not 500', async () => {
    const customer = await signedIn('customer')
    const multipart = { 'Content-Type': 'multipart/form-data; boundary=x', 'X-CSRF-Token': customer.csrf }
    for (const [path, headers] of [['/console/sign-in', {}], [`/console/deliveries/${instance}/act`, multipart], ['/console/sign-in', { 'Content-Type': 'multipart/form-data; boundary=x' }]] as const) {
      const response = await api.app.request(path, { method: 'POST', headers: { Cookie: customer.cookie, Origin: ORIGIN, ...headers }, body: '--x\r\nbroken' })
      expect(response.status, path).toBe(400)
    }
  })

  it('never writes a sign-in link\'s secret to the log', async () => {
    const lines: string[] = []
    const logged = await openApi({ logger: pino({ level: 'info' }, { write: (line: string) => { lines.push(line) } }) })
    try {
      const { secret } = await new ConsoleSessions(logged.store, realClock).createLink(WHO.customer)
      await logged.app.request(`/console/link/${secret}`)
      await logged.app.request(`/console/link/${secret}`, { method: 'POST', headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' })
      expect(lines.filter((line) => line.includes('/console/link/:secret'))).toHaveLength(2)
      expect(lines.join('\n')).not.toContain(secret)
    } finally {
      await logged.close()
    }
  })
})

/** A process whose only step waits on an administrator. */
const REVIEW = `id: review
version: 1
title: Review
roles: [customer]
steps:
  - id: review
    title: Review
    actor: admin
    actions:
      approve: { title: Approve, end: approved }
`
