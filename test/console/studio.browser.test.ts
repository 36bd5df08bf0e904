import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR } from '../../engine/index.js'
import { checkPage, englishOnPage, openConsoleRig, shows } from '../support/console-pages.js'
import type { ConsoleRig } from '../support/console-pages.js'

// The process studio's pages for administrators: the catalog with the deliveries running on each
// version, a version's steps, diagram and source, and what changed between two versions.

let rig: ConsoleRig
beforeAll(async () => { rig = await openConsoleRig() })
afterAll(async () => { await rig?.close() })

/** The built-in basic process as a new version: the project step renamed, a kick-off step added. */
function nextBasic(): { text: string; version: number } {
  const text = readFileSync(join(BUILT_IN_PROCESS_DIR, 'basic.yaml'), 'utf8')
  const version = Number(/^version: (\d+)$/m.exec(text)?.[1]) + 1
  const changed = text.replace(/^version: \d+$/m, `version: ${version}`)
    .replace('title: Project Delivery', 'title: Project Delivery and Hand-over')
    .replace('  - id: project-delivery', '  - id: kick-off\n    title: Kick-off Call\n    actor: isv\n    actions:\n      held: { title: Kick-off held }\n  - id: project-delivery')
  return { text: changed, version }
}

it('shows the catalog with the deliveries running on each version, and the changes between two versions', async () => {
  const before = await rig.start('basic')
  const { text, version } = nextBasic()
  await rig.api.engine.processes.register(text, 'basic.yaml')
  const after = await rig.start('basic')
  expect((await rig.api.engine.instances.get(before, { role: 'admin', subject: 'a-1' })).process.version).toBe(version - 1)
  expect((await rig.api.engine.instances.get(after, { role: 'admin', subject: 'a-1' })).process.version).toBe(version)

  const admin = await rig.signedIn('admin', { path: '/console/processes' })
  const row = admin.locator('table.processes tbody tr').filter({ hasText: 'Basic Delivery Process' })
  await shows(row, `v${version - 1}: 1 · v${version}: 1`)
  await checkPage(admin, 'studio-catalog')

  await row.getByRole('link', { name: 'Basic Delivery Process' }).click()
  await admin.waitForURL(/\/console\/processes\/basic$/)
  await shows(admin.locator('nav.versions [aria-current]'), `v${version}`)
  await shows(admin.locator('table tbody td'), 'Kick-off Call')
  expect(await admin.locator('pre.source .line').count()).toBe(text.replace(/\n$/, '').split('\n').length)

  await admin.locator('nav.versions').getByRole('link', { name: `v${version - 1}` }).last().click()
  await admin.waitForURL(new RegExp(`compare=${version - 1}`))
  const changes = admin.locator('.step-changes li')
  expect(await changes.allTextContents()).toEqual([
    'added Kick-off Call kick-off',
    'changed Project Delivery and Hand-over project-delivery (title)',
  ])
  expect(await admin.locator('pre.diff .line.added').allTextContents()).toContain('    title: Project Delivery and Hand-over')
  expect(await admin.locator('pre.diff .line.removed').allTextContents()).toContain('    title: Project Delivery')
  await admin.locator('details.diagram summary').click()
  await admin.locator('.diagram-body svg').waitFor({ timeout: 20_000 })
  expect(await admin.locator('.diagram-body svg').textContent()).toContain('Kick-off Call')
  await checkPage(admin, 'studio-compare')

  // In Chinese, at a phone's width: no console string left in English.
  await admin.setViewportSize({ width: 390, height: 800 })
  await admin.goto(`/console/processes/basic?compare=${version - 1}&lang=zh`)
  await shows(admin.locator('h2'), `版本 ${version - 1} 到版本 ${version} 的变化`)
  expect(await englishOnPage(admin)).toEqual([])
  await checkPage(admin, 'studio-compare-zh-390', { axe: false })
}, 90_000)

it('is for administrators: a party is refused, and an unknown process is not found', async () => {
  const isv = await rig.signedIn('isv')
  const refused = await isv.goto('/console/processes')
  expect(refused?.status()).toBe(403)
  const admin = await rig.signedIn('admin')
  expect((await admin.goto('/console/processes/nothing-here'))?.status()).toBe(404)
  expect(await admin.locator('nav a[href="/console/processes"]').count()).toBe(1)
  expect(await isv.locator('nav a[href="/console/processes"]').count()).toBe(0)
}, 60_000)
