import { afterAll, beforeAll, expect, it } from 'vitest'
import { CUSTOMER, DEMAND, ISV } from '../support/engine.js'
import { openConsoleRig, shows } from '../support/console-pages.js'
import type { ConsoleRig } from '../support/console-pages.js'

// An open delivery page follows the console's event stream: it shows another party's act without
// being reloaded by hand and without its timers running (its clock is fake and never moved), and
// falls back to asking every 3 s when the stream cannot be had.

let rig: ConsoleRig
beforeAll(async () => { rig = await openConsoleRig() })
afterAll(async () => { await rig?.close() })

it('updates an open delivery page from the event stream when another party acts', async () => {
  const id = await rig.start('basic')
  const path = `/console/deliveries/${id}`
  const isv = await (await rig.context()).newPage()
  await isv.clock.install()
  const stream = isv.waitForResponse((response) => response.url().includes(`/console/events?instance=${id}`))
  await isv.goto(await rig.link('isv', path))
  await isv.locator('[data-live][data-revision="1"]').waitFor()
  expect((await stream).headers()['content-type']).toMatch(/^text\/event-stream/)

  await rig.api.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
  // On PostgreSQL the feed shows a commit once every older transaction has ended: seconds on a loaded machine.
  await isv.locator('[data-live][data-revision="2"]').waitFor({ timeout: 25_000 })
  await shows(isv.locator('.summary'), 'Project Delivery')
  await isv.getByRole('button', { name: 'Finish' }).waitFor()
}, 60_000)

it('keeps a page being filled in, saying the delivery changed', async () => {
  const id = await rig.start('basic')
  const customer = await rig.signedIn('customer', { path: `/console/deliveries/${id}`, fakeClock: true })
  await customer.getByLabel('Contact name').fill('Li Lei')
  await rig.api.engine.instances.terminate(id, { reason: 'Order refunded' }, { role: 'admin', subject: 'a-1' })
  await customer.locator('.changed').waitFor({ state: 'visible', timeout: 25_000 })
  expect(await customer.getByLabel('Contact name').inputValue()).toBe('Li Lei')
}, 60_000)

it('asks for the revision every 3 s when the stream cannot be had', async () => {
  const id = await rig.start('basic')
  const context = await rig.context()
  await context.route('**/console/events**', (route) => route.fulfill({ status: 503, body: 'unavailable' }))
  const page = await context.newPage()
  await page.clock.install()
  await page.goto(await rig.link('isv', `/console/deliveries/${id}`))
  await page.locator('[data-live][data-revision="1"]').waitFor()
  await rig.api.engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
  // Moving the clock of a page that is reloading may find no page to run in: it has done its part.
  await page.clock.runFor(3_000).catch(() => undefined)
  await page.locator('[data-live][data-revision="2"]').waitFor()
  expect((await rig.api.engine.instances.get(id, ISV)).revision).toBe(2)
}, 60_000)
