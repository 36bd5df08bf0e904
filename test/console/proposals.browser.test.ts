import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { checkPage, englishOnPage, openConsoleRig, shows } from '../support/console-pages.js'
import type { ConsoleRig } from '../support/console-pages.js'

// An ISV proposes a customised procedure in the studio's editor; an administrator returns it with
// a comment; the ISV amends it; the administrator approves it; the ISV's next delivery runs on
// it. Another ISV never sees the proposal.

let rig: ConsoleRig
beforeAll(async () => { rig = await openConsoleRig() })
afterAll(async () => { await rig?.close() })

const VARIANT = readFileSync(join(import.meta.dirname, '../fixtures/proposal-variant.yaml'), 'utf8')
const AMENDED = VARIANT.replace('title: ACME Backup delivery', 'title: ACME Backup delivery (databases and files)')

it('is proposed, returned with a comment, amended and approved; the ISV\'s next delivery uses it; another ISV cannot see it', async () => {
  // The ISV starts from a derived definition of the basic process and types its variant.
  const isv = await rig.signedIn('isv', { path: '/console/proposals' })
  await isv.getByRole('link', { name: 'Propose a customised procedure' }).click()
  await isv.getByLabel('Process to customise').selectOption('basic')
  await isv.getByRole('button', { name: 'Start' }).click()
  const editor = isv.locator('.cm-content')
  await editor.waitFor()
  expect(await isv.locator('textarea#source').inputValue()).toMatch(/^extends: basic@6$/m)
  await editor.click()
  await isv.keyboard.press('ControlOrMeta+a')
  await isv.keyboard.insertText(VARIANT)
  await shows(isv.locator('.check-status'), 'No problems.')
  await isv.locator('.preview svg').filter({ hasText: 'Describe the data to back up' }).waitFor({ timeout: 20_000 })
  await checkPage(isv, 'proposal-new')
  await isv.getByRole('button', { name: 'Submit for review' }).click()
  await isv.waitForURL(/\/console\/proposals\/[^/]+$/)
  const path = new URL(isv.url()).pathname
  await shows(isv.locator('.status'), 'Waiting for review')
  await isv.goto('/console/proposals')
  await shows(isv.locator('table.proposals td'), 'basic@6')
  await checkPage(isv, 'proposals-list')

  // Another ISV: not in its list, and no such page.
  const other = await rig.signedIn('strangerIsv', { path: '/console/proposals' })
  await shows(other.locator('main p'), 'No proposals.')
  expect((await other.goto(path))?.status()).toBe(404)

  // The administrator compares it with its base and returns it with a comment.
  const admin = await rig.signedIn('admin')
  await shows(admin.locator('#waiting-title ~ ul .card'), 'Proposed by v-1 (ISV): waiting for your review.')
  await admin.getByRole('link', { name: 'Proposal: ACME Backup delivery' }).click()
  await shows(admin.locator('#compare-title'), 'Changes from basic@6')
  await shows(admin.locator('.step-changes li.change-changed'), 'Describe the data to back up')
  await checkPage(admin, 'proposal-review')
  await admin.getByLabel('Comment').fill('Say what is backed up in the title.')
  await admin.getByRole('button', { name: 'Return with comment' }).click()
  await shows(admin.locator('.status'), 'Returned for changes')

  // The ISV finds it in its inbox, sees the comment, amends the text and submits it again.
  await isv.goto('/console')
  await shows(isv.locator('#waiting-title ~ ul .card'), 'Returned to you with comments')
  await isv.getByRole('link', { name: 'Proposal: ACME Backup delivery' }).click()
  await shows(isv.locator('[role=note] blockquote'), 'Say what is backed up in the title.')
  await isv.getByRole('link', { name: 'Amend' }).click()
  await isv.locator('.cm-content').waitFor()
  await isv.locator('.cm-content').click()
  await isv.keyboard.press('ControlOrMeta+a')
  await isv.keyboard.insertText(AMENDED)
  await shows(isv.locator('.check-status'), 'No problems.')
  await isv.getByLabel('What changed (for the reviewer)').fill('The title says what is backed up.')
  await checkPage(isv, 'proposal-amend', { axe: false })
  await isv.getByRole('button', { name: 'Submit the amended proposal' }).click()
  await isv.waitForURL((url) => url.pathname === path)
  await shows(isv.locator('dd'), 'Round 2')

  // The administrator sees what changed since the last round and approves it.
  await admin.goto(path)
  await shows(admin.locator('#round-title + pre ins'), 'ACME Backup delivery (databases and files)')
  await admin.getByRole('button', { name: 'Approve and register' }).click()
  await shows(admin.locator('.notice'), 'Registered as v-backup@1')

  // The ISV sees the outcome; its next delivery runs on the approved procedure.
  await isv.goto(path)
  await shows(isv.locator('.status'), 'Approved')
  const delivery = await rig.api.engine.instances.start({
    process: 'v-backup', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-77', specification: 'Standard', productId: 'p-1' },
  }, { role: 'admin', subject: 'a-1' })
  expect(delivery.process).toEqual({ id: 'v-backup', version: 1, title: 'ACME Backup delivery (databases and files)' })
  await isv.goto(`/console/deliveries/${delivery.id}`)
  await shows(isv.locator('main'), 'Describe the data to back up')
  expect((await other.goto(path))?.status()).toBe(404)
  expect((await rig.api.engine.proposals.list({ role: 'isv', subject: 'v-9' })).items).toEqual([])

  // The ISV's page in Chinese, at a phone's width: no console string left in English.
  await isv.setViewportSize({ width: 390, height: 800 })
  await isv.goto(`${path}?lang=zh`)
  await shows(isv.locator('.status'), '已批准')
  expect(await englishOnPage(isv)).toEqual([])
  await checkPage(isv, 'proposal-approved-zh-390')
}, 120_000)
