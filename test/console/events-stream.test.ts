import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { realClock } from '../../engine/index.js'
import type { PublicEvent } from '../../engine/index.js'
import { CONSOLE_CSP } from '../../console/routes.js'
import { ConsoleSessions } from '../../console/sessions.js'
import { EventHub } from '../../server/event-hub.js'
import { DEMAND } from '../support/engine.js'
import { openApi, WHO } from '../support/http.js'
import type { Api, Who } from '../support/http.js'
import { serveOnLoopback } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'
import { openStream } from '../support/sse.js'

// The console's event stream over real HTTP: behind the session cookie, showing the session's
// person what the feed would, and ending with the session.

let api: Api
let server: Loopback
let sessions: ConsoleSessions
beforeAll(async () => {
  api = await openApi({ events: { hub: (engine) => new EventHub(engine, { intervalMs: 50 }), heartbeatMs: 100 } })
  server = await serveOnLoopback(api)
  sessions = new ConsoleSessions(api.store, realClock)
})
afterAll(async () => {
  await server?.close()
  await api?.close()
})

async function session(who: Who): Promise<string> {
  const { secret } = await sessions.createLink(WHO[who])
  const opened = await sessions.redeem(secret)
  if (!opened) throw new Error('the link did not open a session')
  return opened.secret
}
const start = async (parties = { customer: 'c-1', isv: 'v-1' }): Promise<string> =>
  (await api.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties }, WHO.admin)).id

describe('GET /console/events', () => {
  it("streams a delivery's events to its party's session, unnamed, under the console's policy; a stranger's session gets none", async () => {
    const id = await start()
    const [party, stranger] = await Promise.all([session('customer'), session('strangerCustomer')])
    const mine = await openStream(`${server.url}/console/events?instance=${id}`, { Cookie: `dc_session=${party}` })
    const theirs = await openStream(`${server.url}/console/events?instance=${id}`, { Cookie: `dc_session=${stranger}` })
    expect(mine.response.status).toBe(200)
    expect(mine.response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(mine.response.headers.get('content-security-policy')).toBe(CONSOLE_CSP)
    await api.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, WHO.customer)
    const messages = await mine.until(2)
    expect(messages.map((m) => [m.event, (JSON.parse(m.data) as PublicEvent).type])).toEqual([[undefined, 'delivery.action-performed'], [undefined, 'delivery.step-entered']])
    while (theirs.comments < 2) await new Promise((resolve) => setTimeout(resolve, 25))
    expect(theirs.messages).toEqual([])
    mine.close()
    theirs.close()
  })

  it('sends a request without a session to the sign-in page, and ends a stream whose session ends', async () => {
    const unsigned = await fetch(`${server.url}/console/events`, { redirect: 'manual' })
    expect(unsigned.status).toBe(303)
    expect(unsigned.headers.get('location')).toMatch(/^\/console\/sign-in\?next=/)
    const secret = await session('isv')
    const stream = await openStream(`${server.url}/console/events`, { Cookie: `dc_session=${secret}` })
    expect(stream.response.status).toBe(200)
    await sessions.end(secret)
    await stream.ended
  })
})
