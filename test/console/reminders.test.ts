import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { realClock } from '../../engine/index.js'
import { ConsoleSessions } from '../../console/sessions.js'
import { DEMAND } from '../support/engine.js'
import { openApi, WHO } from '../support/http.js'
import type { Api, Who } from '../support/http.js'
import { serveOnLoopback } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'

// The reminder before the system confirms a delivery, as the console shows it over real HTTP:
// to the customer the reminder was for (the delivery page and the inbox card, in English and
// Chinese), never to the ISV of the same delivery.
let api: Api
let server: Loopback
let sessions: ConsoleSessions
let delivery: string
const NOTICE = 'Reminder: the system will perform “Confirm” on'
const DUE = '<time datetime="2026-01-15T00:00:00.000Z"'

beforeAll(async () => {
  api = await openApi()
  server = await serveOnLoopback(api)
  sessions = new ConsoleSessions(api.store, realClock)
  const started = await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'ORD-R', specification: 'Standard', productId: 'p-1' } } })
  delivery = (await started.json() as { id: string }).id
  await api.call('POST', `/v1/instances/${delivery}/act`, { who: 'customer', json: { action: 'submit', inputs: DEMAND } })
  await api.call('POST', `/v1/instances/${delivery}/act`, { who: 'isv', json: { action: 'finish' } }) // confirmed by the system on 15 January
})
afterAll(async () => {
  await server.close()
  await api.close()
})

/** A page of the console fetched over loopback by `who`, signed in. */
async function page(who: Who, path: string): Promise<string> {
  const { secret } = await sessions.createLink(WHO[who])
  const session = await sessions.redeem(secret)
  if (!session) throw new Error('the link did not open a session')
  const response = await fetch(`${server.url}${path}`, { headers: { Cookie: `dc_session=${session.secret}` }, redirect: 'manual' })
  expect(response.status).toBe(200)
  return response.text()
}

describe('a reminder in the console', () => {
  it('is not shown before it is sent', async () => {
    expect(await page('customer', `/console/deliveries/${delivery}`)).not.toContain(NOTICE)
  })

  it('is shown to the customer it was sent to, on the delivery page and its inbox card, and not to the ISV', async () => {
    const advanced = await api.call('POST', '/v1/advance', { who: 'admin', json: { to: '2026-01-12T00:00:00Z' } })
    expect(await advanced.json()).toMatchObject({ fired: 0, instances: 1 })

    const customerPage = await page('customer', `/console/deliveries/${delivery}`)
    const notice = /<p class="notice reminder"[^>]*>([\s\S]*?)<\/p>/.exec(customerPage)?.[1] ?? ''
    expect(notice).toContain(NOTICE)
    expect(notice).toContain(DUE)
    expect(customerPage).toContain('Reminder sent') // the history's entry
    expect(await page('customer', '/console')).toMatch(/ORD-R[\s\S]*class="notice reminder"[\s\S]*Reminder: the system will perform/)

    const isvPage = await page('isv', `/console/deliveries/${delivery}`)
    expect(isvPage).toContain('Confirm Delivery')
    expect(isvPage).not.toContain('class="notice reminder"')
    expect(await page('isv', '/console')).not.toContain('class="notice reminder"')
  })

  it('is shown in Chinese', async () => {
    const chinese = await page('customer', `/console/deliveries/${delivery}?lang=zh`)
    expect(chinese).toMatch(/<p class="notice reminder"[^>]*>提醒：除非您操作，系统将于 <time datetime="2026-01-15T00:00:00.000Z"[^>]*>[^<]*<\/time> 执行“Confirm”。/)
  })

  it('goes once the delivery is confirmed', async () => {
    await api.call('POST', `/v1/instances/${delivery}/act`, { who: 'customer', json: { action: 'confirm' } })
    expect(await page('customer', `/console/deliveries/${delivery}`)).not.toContain('class="notice reminder"')
  })
})
