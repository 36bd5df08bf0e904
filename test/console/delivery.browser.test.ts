import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { ADMIN, CONTACT, CUSTOMER, ISV } from '../support/engine.js'
import { messages } from '../../console/i18n.js'
import { screenshot } from '../support/browser.js'
import { checkPage, englishOnPage, openConsoleRig, shows } from '../support/console-pages.js'
import type { ConsoleRig } from '../support/console-pages.js'
import { ROOT } from '../support/cli.js'

// People walking deliveries in a real Chromium: two browser contexts for two parties, the page
// updating when the other acts, the sandbox clock passing a deadline. With SCREENSHOTS=1,
// screenshots of each page land in test-artifacts/screenshots/.

let rig: ConsoleRig
beforeAll(async () => { rig = await openConsoleRig() })
afterAll(async () => { await rig?.close() })

const PDF = `${ROOT}/test/fixtures/files/contract.pdf`

/**
 * The page follows the delivery's event stream and reloads when the change arrives: what is
 * awaited is the page showing the delivery's current revision, not a load event that may
 * already have happened. On PostgreSQL a change shows on the feed once every transaction older
 * than it has ended (docs/events.md), which on a loaded machine can take seconds.
 */
async function reloaded(page: Page, id: string): Promise<void> {
  const revision = (await rig.api.engine.instances.get(id, ADMIN)).revision
  await page.locator(`[data-live][data-revision="${revision}"]`).waitFor({ timeout: 25_000 })
}

it('walks a basic delivery: the customer submits with a PDF, the ISV sees the details and finishes, the customer confirms before the deadline', async () => {
  const id = await rig.start('basic', { orderId: 'ORD-1001', productId: 'P-42' })
  const path = `/console/deliveries/${id}`
  const [customer, isv] = await Promise.all([rig.person('customer'), rig.person('isv', path)])

  // The inbox shows what waits on the customer first; the card opens the delivery.
  await shows(customer.locator('#waiting-title + ul .card-title'), /Basic Delivery Process · Submit Demand/)
  await checkPage(customer, 'inbox-customer')
  await customer.locator('#waiting-title + ul .card-title').click()
  await customer.waitForURL(`**${path}`)

  // A field the API refuses is shown at the field, by its JSON pointer, with the form as typed.
  await customer.getByLabel('Contact name').fill(CONTACT.name)
  await customer.getByLabel('Phone number').fill(CONTACT.phone)
  await customer.getByLabel('Email address').fill('not an email')
  await customer.getByLabel(/Key features required/).fill('A shop website with payments')
  await customer.locator('form.action button[type=submit]').click()
  await shows(customer.locator('#f-inputs-contact-email-error'), /email/)
  expect(await customer.getByLabel('Email address').getAttribute('aria-invalid')).toBe('true')
  expect(await customer.getByLabel('Contact name').inputValue()).toBe(CONTACT.name)
  await checkPage(customer, 'delivery-refused-field')

  await customer.getByLabel('Email address').fill(CONTACT.email)
  await customer.getByLabel('Choose files').setInputFiles(PDF)
  await customer.locator('li.file[data-id] input[type=hidden]').waitFor({ state: 'attached' })
  await customer.locator('form.action button[type=submit]').click()
  await shows(customer.locator('.summary'), 'Project Delivery')

  // The ISV's open page shows the change by itself; the contact and order details are on it.
  await reloaded(isv, id)
  const details = isv.locator('aside.details')
  for (const text of [CONTACT.name, CONTACT.phone, CONTACT.email, 'ORD-1001', 'P-42', id, 'A shop website with payments']) await shows(details, text)
  await details.getByText('Order ID').waitFor()
  await isv.locator('ol.timeline a', { hasText: 'contract.pdf' }).waitFor()

  // The diagram opens with the current step highlighted.
  await isv.locator('details.diagram summary').click()
    await shows(isv.locator('.diagram-body svg g.current-step'), 'Project Delivery')
  await checkPage(isv, 'delivery-isv-diagram')

  const done = isv.waitForURL(`**${path}`)
  await isv.getByRole('button', { name: 'Finish' }).click()
  await done
  await shows(isv.locator('.summary'), 'Confirm Delivery')

  // The customer's page updates; the deadline is in words, in the viewer's zone, with a countdown and the process's zone.
  await reloaded(customer, id)
  const deadline = customer.locator('p.deadline')
  await shows(deadline, 'If you do nothing, the system performs “Confirm” on')
  const due = await deadline.locator('time').getAttribute('datetime')
  expect(due).toBe('2026-01-15T00:00:00.000Z')
  const shanghai = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }).format(new Date(due ?? ''))
  await shows(deadline.locator('time'), shanghai)
  await shows(deadline.locator('.countdown'), '(in 14 days)')
  await shows(deadline.locator('.zone'), '(process time zone: UTC)')
  await checkPage(customer, 'delivery-customer-confirm')

  const dialog = customer.waitForEvent('dialog')
  const confirmed = customer.waitForURL(`**${path}`)
  customer.once('dialog', (d) => void d.accept())
  await customer.getByRole('button', { name: 'Confirm' }).click()
  expect((await dialog).message()).toBe('This action ends the delivery. Continue?')
  await confirmed
  await shows(customer.locator('.summary'), 'Completed')
  expect((await rig.api.engine.instances.get(id, CUSTOMER)).status).toBe('completed')
  await checkPage(customer, 'delivery-completed', { axe: false })
}, 60_000)

it('walks a step-by-step rejection loop and shows the round; when the 14 days pass, the page shows the system confirmed', async () => {
  const id = await rig.start('step-by-step', { orderId: 'ORD-2002' })
  const { engine } = rig.api
  const act = (action: string, by = CUSTOMER, inputs: Record<string, unknown> = {}) => engine.instances.act(id, { action, inputs }, by)
  await act('submit', CUSTOMER, { contact: CONTACT, demands: 'A website' })
  await act('finish', ISV, { summary: 'Design v1' })

  const customer = await rig.person('customer', `/console/deliveries/${id}`)
  const reject = customer.locator('form.action', { hasText: 'Reject' })
  await reject.getByRole('button', { name: 'Reject' }).click()
  await shows(reject.locator('.field-error'), /required/)
  await reject.getByLabel('What must change').fill('The checkout is missing')
  await reject.getByRole('button', { name: 'Reject' }).click()
  await shows(customer.locator('.summary'), 'Functional Design (round 2)')
  await shows(customer.locator('ol.steps li.current'), 'round 2')

  await act('finish', ISV, { summary: 'Design v2' })
  await reloaded(customer, id)
  await shows(customer.locator('ol.steps li', { hasText: 'Functional Design' }).first(), 'round 2')
  await checkPage(customer, 'delivery-step-by-step-round', { axe: false })
  await customer.locator('form.action', { hasText: 'Confirm' }).getByRole('button', { name: 'Confirm' }).click()
  await shows(customer.locator('.summary'), 'User Experience Design')

  for (const [action, by] of [['finish', ISV], ['confirm', CUSTOMER], ['finish', ISV], ['confirm', CUSTOMER]] as const) await act(action, by)
  await reloaded(customer, id)
  await shows(customer.locator('.summary'), 'Confirm Delivery')

  const advanced = await rig.api.call('POST', '/v1/advance', { who: 'admin', json: { by: 'P14D' } })
  expect(advanced.status).toBe(200)
  await reloaded(customer, id)
  await shows(customer.locator('.summary'), 'Completed')
  const confirmation = customer.locator('ol.timeline li.system', { hasText: 'Confirm Delivery: Confirm' })
  await shows(confirmation.locator('.badge.system'), 'performed by the system')
  // Only what the system did in the customer's place is marked, not the phases it entered.
  expect(await customer.locator('ol.timeline li.system').count()).toBe(1)
  await checkPage(customer, 'delivery-confirmed-by-system', { axe: false })
})

it('renders every page in Simplified Chinese without an English string of the catalogue, chosen by Accept-Language or by the switch', async () => {
  const submitting = await rig.start('basic', { orderId: 'ORD-6006' })
  const confirming = await rig.start('basic', { orderId: 'ORD-6007' })
  await rig.api.engine.instances.act(confirming, { action: 'submit', inputs: { contact: CONTACT, demands: '网站' } }, CUSTOMER)
  await rig.api.engine.instances.act(confirming, { action: 'finish' }, ISV)
  const zh = messages('zh')
  const inChinese = async (page: Page, name: string, shot = false): Promise<void> => {
    expect(await page.getAttribute('html', 'lang'), name).toBe('zh-CN')
    expect(await englishOnPage(page), name).toEqual([])
    if (shot) await screenshot(page, `zh-${name}`)
  }

  // An administrator: the sign-in page, the search with every filter, a delivery with the terminate form.
  const admin = await (await rig.context({ locale: 'zh-CN' })).newPage()
  await admin.goto('/console/sign-in')
  await inChinese(admin, 'sign-in')
  await admin.getByLabel(zh.signIn.token).fill(rig.api.tokens.admin)
  await admin.getByRole('button', { name: zh.signIn.submit }).click()
  await admin.waitForURL('**/console')
  await inChinese(admin, 'inbox-admin')
  await admin.goto('/console/deliveries?status=active')
  await inChinese(admin, 'search-admin', true)
  await admin.goto(`/console/deliveries/${submitting}`)
  await inChinese(admin, 'delivery-admin')

  // A customer: the link's page (its script held back, so it is not pressed at once), the inbox, a form refused, a deadline, "not found".
  const customer = await (await rig.context({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage()
  await customer.route('**/console/assets/console.js', (route) => route.abort())
  await customer.goto(await rig.link('customer'))
  await inChinese(customer, 'link')
  await customer.unroute('**/console/assets/console.js')
  await customer.getByRole('button', { name: zh.signIn.linkContinue }).click()
  await customer.waitForURL('**/console')
  await customer.reload()
  await inChinese(customer, 'inbox')
  await customer.goto(`/console/deliveries/${submitting}`)
  await customer.getByLabel('Email address').fill('不是邮箱')
  await customer.locator('form.action button[type=submit]').click()
  await customer.locator('.field-error[data-pointer="/inputs/contact/email"]').waitFor()
  await inChinese(customer, 'delivery-refused', true)
  await customer.goto(`/console/deliveries/${confirming}`)
  await shows(customer.locator('p.deadline .countdown'), '（14天后）')
  await inChinese(customer, 'delivery-deadline', true)
  await customer.goto('/console/deliveries/no-such-delivery')
  await inChinese(customer, 'not-found')

  // The switch: English for this browser from then on (a cookie), whatever it asks for; then back.
  await customer.getByRole('link', { name: 'English' }).click()
  await customer.goto('/console')
  expect(await customer.getAttribute('html', 'lang')).toBe('en')
  await shows(customer.locator('h1'), messages('en').inbox.title)
  // The check finds the English strings when they are there.
  expect(await englishOnPage(customer)).toEqual(expect.arrayContaining([messages('en').inbox.title, messages('en').nav.signOut, 'Signed in as']))
  await customer.getByRole('link', { name: '简体中文' }).click()
  await inChinese(customer, 'inbox-switched')
})
