import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import type { ServerType } from '@hono/node-server'
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest'
import { Temporal } from 'temporal-polyfill'
import type { Request } from 'playwright-core'
import { ManualClock } from '../../engine/index.js'
import { messages } from '../../console/i18n.js'
import { ConsoleSessions } from '../../console/sessions.js'
import { ROOT } from '../support/cli.js'
import { checkPage, openConsoleRig, shows } from '../support/console-pages.js'
import type { ConsoleRig } from '../support/console-pages.js'
import { CONTACT, CUSTOMER, ISV } from '../support/engine.js'

// What people must not be able to do, or be shown, in a real Chromium: files of the wrong type
// or size, another party's delivery, HTML run as markup, forms posted from another site, links
// used twice or late, a session used after signing out. And the administrator's search and
// termination. With SCREENSHOTS=1, screenshots of each page land in test-artifacts/screenshots/.

let rig: ConsoleRig
beforeAll(async () => { rig = await openConsoleRig() })
afterAll(async () => { await rig?.close() })

const en = messages('en')
const FILES = `${ROOT}/test/fixtures/files`

it('refuses a contract of the wrong type or over 5 MB at the slot, before uploading and after (by its content), and on submitting', async () => {
  const id = await rig.start('contract', { orderId: 'ORD-3001' })
  await rig.api.engine.instances.act(id, { action: 'submit', inputs: { contact: CONTACT, demands: 'A contract' } }, CUSTOMER)
  const isv = await rig.person('isv', `/console/deliveries/${id}`)
  const uploads: string[] = []
  const watch = (request: Request): void => { if (request.url().includes('/console/attachments')) uploads.push(request.url()) }
  isv.on('request', watch)
  onTestFinished(() => { isv.off('request', watch) })
  const slot = isv.locator('fieldset.slot')
  const error = slot.locator('.field-error')
  const choose = slot.getByLabel(en.attachments.choose)

  await choose.setInputFiles(`${FILES}/program.exe`)
  await shows(error, '“program.exe” is not one of the accepted types (doc, docx, xlsx, ppt, pptx, pdf, png, zip, 7z).')
  // A file on disk is handed to the browser by its path (a buffer would be copied through the protocol).
  const dir = await mkdtemp(join(tmpdir(), 'dc-browser-'))
  onTestFinished(() => rm(dir, { recursive: true, force: true }))
  const big = join(dir, 'scan.pdf')
  await writeFile(big, '%PDF-1.4\n')
  await truncate(big, 5 * 1024 * 1024 + 1)
  await choose.setInputFiles(big)
  await shows(error, '“scan.pdf” is larger than 5 MB.')
  expect(uploads).toEqual([])
  await checkPage(isv, 'delivery-upload-refused')

  // An executable renamed .pdf passes the name check, is uploaded, and is refused by the type read from its content.
  await choose.setInputFiles(`${FILES}/program.pdf`)
  await shows(error, '“program.pdf” is not one of the accepted types (doc, docx, xlsx, ppt, pptx, pdf, png, zip, 7z), judging by its content')
  expect(uploads).toHaveLength(1)
  expect(await slot.locator('li.file').count()).toBe(0)

  // Sent anyway (a form changed by hand), the engine refuses it at the slot's pointer.
  const uploaded = await rig.api.call('POST', '/v1/attachments?filename=program.pdf', { who: 'isv', body: await readFile(`${FILES}/program.pdf`) })
  const fileId = (await uploaded.json() as { id: string }).id
  await slot.evaluate((element, value) => {
    const input = element.ownerDocument.createElement('input')
    Object.assign(input, { type: 'hidden', name: '/attachments/contract', value })
    element.append(input)
  }, fileId)
  await isv.getByRole('button', { name: 'Submit contract' }).click()
  await shows(isv.locator('fieldset.slot .field-error[data-pointer="/attachments/contract"]'), 'is of an unrecognised type by its content')
  await shows(isv.locator('fieldset.slot li.file'), 'program.pdf')
  await checkPage(isv, 'delivery-upload-refused-by-engine', { axe: false })
  await isv.locator('fieldset.slot li.file').getByRole('button', { name: en.attachments.remove }).click()

  await isv.locator('fieldset.slot').getByLabel(en.attachments.choose).setInputFiles(`${FILES}/contract.pdf`)
  await isv.locator('fieldset.slot li.file[data-id] input[type=hidden]').waitFor({ state: 'attached' })
  await isv.getByRole('button', { name: 'Submit contract' }).click()
  await shows(isv.locator('.summary'), 'Project Delivery')
  expect((await rig.api.engine.instances.get(id, ISV)).step?.id).toBe('project-delivery')
})

it('lets an admin signed in with a token find a delivery by order ID and terminate it with a reason; a stranger gets the same "not found" as for a missing delivery', async () => {
  const id = await rig.start('basic', { orderId: 'ORD-4004' })
  await rig.start('basic', { orderId: 'ORD-4005' })
  const admin = await (await rig.context()).newPage()
  await admin.goto('/console/sign-in')
  await checkPage(admin, 'sign-in')
  await admin.getByLabel(en.signIn.token).fill(rig.api.tokens.admin)
  await admin.getByRole('button', { name: en.signIn.submit }).click()
  await admin.waitForURL('**/console')
  await admin.getByRole('link', { name: en.nav.admin }).click()
  await admin.getByLabel(en.list.orderId).fill('ORD-4004')
  await admin.getByRole('button', { name: en.list.filter }).click()
  await admin.waitForURL('**/console/deliveries?*orderId=ORD-4004*')
  expect(await admin.locator('table.deliveries tbody tr').count()).toBe(1)
  await checkPage(admin, 'search-admin')
  await admin.locator('table.deliveries tbody a').click()
  await admin.waitForURL(`**/console/deliveries/${id}`)
  await checkPage(admin, 'delivery-admin')

  await admin.getByLabel(en.delivery.terminateReason).fill('The order was refunded')
  const dialog = admin.waitForEvent('dialog')
  admin.once('dialog', (d) => void d.accept())
  await admin.getByRole('button', { name: en.delivery.terminate }).click()
  expect((await dialog).message()).toBe(en.delivery.terminateConfirm)
  await shows(admin.locator('.summary'), en.status.terminated)
  await shows(admin.locator('ol.timeline'), 'The order was refunded')

  const stranger = await rig.signedIn('strangerCustomer')
  const theirs = await stranger.goto(`/console/deliveries/${id}`)
  const theirsText = await stranger.locator('main').innerText()
  const missing = await stranger.goto('/console/deliveries/no-such-delivery')
  expect([theirs?.status(), missing?.status()]).toEqual([404, 404])
  expect(theirsText).toBe(await stranger.locator('main').innerText())
  expect(theirsText).toContain(en.notFound.text('delivery'))
  await checkPage(stranger, 'not-found')
})

it('shows a demand with <script> and HTML as text; refuses a form posted from another site; refuses a used or expired link; ends the session on signing out', async () => {
  const id = await rig.start('basic', { orderId: 'ORD-5005' })
  const evil = '<script>alert("demand")</script><img src=x onerror=alert(1)><b>bold</b>'
  const customer = await rig.person('customer', `/console/deliveries/${id}`)
  await customer.getByLabel('Contact name').fill('<i>Li</i>')
  await customer.getByLabel('Phone number').fill(CONTACT.phone)
  await customer.getByLabel('Email address').fill(CONTACT.email)
  await customer.getByLabel(/Key features required/).fill(evil)
  await customer.locator('form.action button[type=submit]').click()
  await shows(customer.locator('.summary'), 'Project Delivery')

  const isv = await rig.person('isv', `/console/deliveries/${id}`)
  const troubles: string[] = []
  isv.on('dialog', (d) => { troubles.push(`dialog: ${d.message()}`); void d.dismiss() })
  isv.on('pageerror', (e) => troubles.push(`page error: ${e.message}`))
  isv.on('console', (m) => { if (m.type() === 'error') troubles.push(`console: ${m.text()}`) })
  await isv.reload()
  const details = isv.locator('aside.details')
  await shows(details, evil)
  await shows(details, '<i>Li</i>')
  expect(await isv.locator('main script, main img, main b, main i').count()).toBe(0)
  expect(troubles).toEqual([])

  // A page of another origin posts the ISV's Finish to the console, in the ISV's browser.
  const act = `${rig.server.url}/console/deliveries/${id}/act`
  const other = await serveText(`<!doctype html><html lang="en"><title>Prize</title><form method="post" action="${act}">
    <input type="hidden" name="_action" value="finish"><input type="hidden" name="_step" value="project-delivery">
    <button>Claim</button></form>`)
  try {
    const revision = (await rig.api.engine.instances.get(id, ISV)).revision
    await isv.goto(other.url)
    const [answer] = await Promise.all([isv.waitForResponse(act), isv.getByRole('button', { name: 'Claim' }).click()])
    expect(answer.status()).toBe(403)
    await shows(isv.locator('main'), en.error.csrf)
    await checkPage(isv, 'error-csrf')
    expect((await rig.api.engine.instances.get(id, ISV)).revision).toBe(revision)
  } finally {
    await other.close()
  }

  // A link works once; a second use, or one past its expiry, is refused.
  const link = await rig.link('customer')
  const first = await (await rig.context()).newPage()
  await first.goto(link)
  await first.waitForURL('**/console')
  const second = await (await rig.context()).newPage()
  const refusal = second.waitForResponse((response) => response.request().method() === 'POST')
  await second.goto(link)
  expect((await refusal).status()).toBe(410)
  await shows(second.locator('main'), en.signIn.linkRefused)
  await checkPage(second, 'link-refused')
  const past = new ConsoleSessions(rig.api.store, new ManualClock(Temporal.Now.instant().subtract({ hours: 1 })))
  const expired = await past.createLink({ role: 'customer', subject: 'c-1' })
  await second.goto(`/console/link/${expired.secret}`)
  await shows(second.locator('main'), en.signIn.linkRefused)
  expect(new URL(second.url()).pathname).toBe(`/console/link/${expired.secret}`)

  // Signing out ends the session on the server: the old cookie no longer opens a page.
  const cookie = (await first.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
  const open = (path: string) => fetch(`${rig.server.url}${path}`, { headers: { cookie }, redirect: 'manual' })
  expect((await open('/console')).status).toBe(200)
  await first.getByRole('button', { name: en.nav.signOut }).click()
  await shows(first.locator('main'), en.signIn.signedOut)
  await checkPage(first, 'signed-out', { axe: false })
  const after = await open('/console')
  expect(after.status).toBe(303)
  expect(after.headers.get('location')).toBe('/console/sign-in?next=%2Fconsole')
})

/** A page served on another loopback port: another origin. */
async function serveText(html: string): Promise<{ url: string; close(): Promise<void> }> {
  let server: ServerType | undefined
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: () => new Response(html, { headers: { 'Content-Type': 'text/html; charset=utf-8' } }), hostname: '127.0.0.1', port: 0 }, (info) => resolve(info.port))
  })
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server?.close(() => resolve())) }
}


it('asks before a sign-in link followed from another site signs a person in as someone else; staying keeps their session', async () => {
  const customer = await rig.signedIn('customer')
  const stranger = await rig.link('strangerCustomer')
  const elsewhere = await serveText(`<!doctype html><html lang="en"><title>Mail</title><a href="${stranger}">Your delivery</a></html>`)
  try {
    await customer.goto(elsewhere.url)
    await customer.getByRole('link', { name: 'Your delivery' }).click()
    // The page's script presses its button; the console answers by asking.
    const stay = customer.getByRole('link', { name: en.signIn.linkStay('Customer c-1') })
    await stay.waitFor()
    await shows(customer.locator('main'), en.signIn.linkSwitch('Customer c-1', 'Customer c-9'))
    await checkPage(customer, 'link-switch')
    await stay.click()
    await customer.waitForURL('**/console')
    await shows(customer.locator('header .who'), en.nav.signedInAs('Customer', 'c-1'))
    // A subject of 180 characters without a space wraps within the page, on a phone too.
    await customer.setViewportSize({ width: 390, height: 844 })
    const long = await new ConsoleSessions(rig.api.store, new ManualClock(Temporal.Now.instant())).createLink({ role: 'isv', subject: `v-${'x'.repeat(180)}` })
    await customer.goto(`/console/link/${long.secret}`)
    await stay.waitFor()
    expect(await customer.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth')).toBe(true)
  } finally {
    await elsewhere.close()
  }
})
