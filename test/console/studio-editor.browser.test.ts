import { afterAll, beforeAll, expect, it } from 'vitest'
import { checkPage, openConsoleRig, shows } from '../support/console-pages.js'
import type { ConsoleRig } from '../support/console-pages.js'

// The studio's editor: problems as the text is typed, at their line; the diagram redrawn from the
// text; scenarios run on it; publishing a new version that new deliveries use while running ones
// keep theirs.

let rig: ConsoleRig
beforeAll(async () => { rig = await openConsoleRig() })
afterAll(async () => { await rig?.close() })

const ADMIN = { role: 'admin', subject: 'a-1' }
const V1 = `id: svc
version: 1
title: Service Review
roles: [isv]
steps:
  - id: draft
    title: Draft
    actor: isv
    actions:
      send: { title: Send, goto: review }
  - id: review
    title: Review
    actor: admin
    actions:
      accept: { title: Accept, end: accepted }
`
const V2 = V1.replace('version: 1', 'version: 2').replace('      accept: { title: Accept, end: accepted }\n', `      accept: { title: Accept, goto: sign-off }
  - id: sign-off
    title: Sign-off by the ISV
    actor: isv
    actions:
      sign: { title: Sign, end: accepted }
`)
const SCENARIOS = `process: svc
scenarios:
  - name: signed off after review
    start: { parties: { isv: v-1 } }
    then:
      - { act: send, by: isv, expect: { phase: review } }
      - { act: accept, by: admin, expect: { phase: sign-off, executor: [isv] } }
      - { act: sign, by: isv, expect: { status: completed, outcome: accepted } }
`

it('shows a misspelt step at its line as it is typed, redraws the diagram, runs scenarios and publishes version 2', async () => {
  await rig.api.engine.processes.register(V1, 'svc.yaml')
  const before = (await rig.api.engine.instances.start({ process: 'svc', parties: { isv: 'v-1' } }, ADMIN)).id
  const admin = await rig.signedIn('admin', { path: '/console/processes/svc/edit' })
  const editor = admin.locator('.cm-content')
  await editor.waitFor()
  expect(await admin.locator('textarea#source').isHidden()).toBe(true)

  // The whole text replaced by version 2 with the new step's name misspelt in the goto.
  await editor.click()
  await admin.keyboard.press('ControlOrMeta+a')
  await admin.keyboard.insertText(V2.replace('goto: sign-off', 'goto: sign-of'))
  // Shown as it is typed, with no button pressed: well within a second on an idle machine, and
  // the wait allows for a loaded CI machine.
  const problem = admin.locator('.problems li[data-line="15"]')
  await problem.waitFor({ timeout: 5_000 })
  expect(await problem.textContent()).toMatch(/^15:\d+ definition\.unknown-step There is no step "sign-of"\..*"sign-off"/)
  await admin.locator('.cm-lint-marker-error').first().waitFor({ state: 'attached' })
  await checkPage(admin, 'studio-editor-problem', { axe: false })

  // Fixed: no problem, and the preview shows the new step.
  await editor.click()
  await admin.keyboard.press('ControlOrMeta+a')
  await admin.keyboard.insertText(V2)
  await shows(admin.locator('.check-status'), 'No problems.')
  expect(await admin.locator('.problems li').count()).toBe(0)
  await admin.locator('.preview svg').filter({ hasText: 'Sign-off by the ISV' }).waitFor({ timeout: 20_000 })

  await admin.locator('textarea#scenarios').fill(SCENARIOS)
  await admin.getByRole('button', { name: 'Run scenarios' }).click()
  await shows(admin.locator('.scenario-results li.passed'), '✓ signed off after review')
  await checkPage(admin, 'studio-editor')

  await admin.getByRole('button', { name: 'Publish' }).click()
  await admin.waitForURL(/\/console\/processes\/svc\?version=2$/)
  await shows(admin.locator('table tbody td'), 'Sign-off by the ISV')
  expect((await rig.api.engine.instances.get(before, ADMIN)).process.version).toBe(1)
  const after = await rig.api.engine.instances.start({ process: 'svc', parties: { isv: 'v-1' } }, ADMIN)
  expect(after.process.version).toBe(2)
}, 120_000)

it('completes keys from the language\'s schema, and refuses to publish a definition with problems, keeping the text', async () => {
  await rig.api.engine.processes.register(V1.replace(/svc/g, 'svc2'), 'svc2.yaml')
  const admin = await rig.signedIn('admin', { path: '/console/processes/svc2/edit' })
  const editor = admin.locator('.cm-content')
  await editor.waitFor()
  // A new key in the first step's mapping, after `actor: isv` (line 8).
  await admin.locator('.cm-line', { hasText: 'actor: isv' }).first().click()
  await admin.keyboard.press('End')
  await admin.keyboard.press('Enter')
  await admin.keyboard.type('desc')
  await admin.keyboard.press('Control+Space')
  const option = admin.locator('.cm-tooltip-autocomplete li').filter({ hasText: 'description' })
  await option.waitFor()
  expect(await admin.locator('.cm-tooltip-autocomplete li').allTextContents()).not.toContain('title')

  // Published without raising the version: refused with the problem, the text kept.
  await admin.getByRole('button', { name: 'Publish' }).click()
  await admin.waitForLoadState()
  await shows(admin.locator('.alert'), 'Not published')
  await shows(admin.locator('.problems li'), /process\.version-conflict|definition\./)
  expect(await admin.locator('textarea#source').inputValue()).toContain('desc')
}, 120_000)

it('writes a new process from a valid start and publishes it as version 1; an id already registered is refused', async () => {
  const admin = await rig.signedIn('admin', { path: '/console/processes' })
  await admin.getByRole('link', { name: 'New process' }).click()
  const editor = admin.locator('.cm-content')
  await editor.waitFor()
  await shows(admin.locator('.check-status'), 'No problems.')
  await admin.locator('.preview svg').filter({ hasText: 'Confirm' }).waitFor({ timeout: 20_000 })
  const template = await admin.locator('textarea#source').inputValue()
  await editor.click()
  await admin.keyboard.press('ControlOrMeta+a')
  await admin.keyboard.insertText(template.replace('id: new-process', 'id: site-survey').replace('title: New process', 'title: Site survey'))
  await shows(admin.locator('.check-status'), 'No problems.')
  await admin.getByRole('button', { name: 'Publish' }).click()
  await admin.waitForURL(/\/console\/processes\/site-survey\?version=1$/)
  expect((await rig.api.engine.processes.describe('site-survey', { role: 'admin', subject: 'a-1' })).owner).toBeNull()

  // The basic process's id: edited on its own page, not written anew.
  await admin.goto('/console/processes/new')
  await admin.locator('.cm-content').waitFor()
  await admin.locator('.cm-content').click()
  await admin.keyboard.press('ControlOrMeta+a')
  await admin.keyboard.insertText(template.replace('id: new-process', 'id: basic').replace('version: 1', 'version: 99'))
  await admin.getByRole('button', { name: 'Publish' }).click()
  await shows(admin.locator('.alert'), 'Not published')
  await shows(admin.locator('.problems li'), 'There is a process "basic" already')
  expect((await rig.api.engine.processes.list({ role: 'admin', subject: 'a-1' })).find((p) => p.id === 'basic')?.versions).not.toContain(99)
}, 120_000)
