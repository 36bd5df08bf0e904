import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { runCli } from '../support/cli.js'

// `delivery-center test` and `validate` on files written to loop or to overflow: each ends soon,
// with a located problem and exit 1.

let dir: string
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'dc-scenario-bounds-')) })
afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

/** Two steps whose timeouts send the delivery back and forth every minute, for ever (shared with test/server/check-bounds.test.ts). */
const PING_PONG = readFileSync(join(import.meta.dirname, '../fixtures/ping-pong.yaml'), 'utf8')

it('test: scenarios that fire timeouts without end stop at their file\'s budget; a regular expression that backtracks on a long input answers at once', async () => {
  writeFileSync(join(dir, 'ping-pong.yaml'), PING_PONG)
  const scenario = (name: string): string => `  - name: ${name}\n    start: { parties: { customer: c-1 } }\n    then:\n${'      - wait: PT9990M\n'.repeat(200)}`
  writeFileSync(join(dir, 'ping-pong.scenarios.yaml'), `process: ping-pong.yaml\nscenarios:\n${scenario('first')}${scenario('second')}`)
  const slow = String.raw`\d*\d*\d*\d*\d*\d*\d*\d*x`
  writeFileSync(join(dir, 'p.yaml'), `id: p\nversion: 1\ntitle: P\nroles: [customer]\nsteps:\n  - id: a\n    title: A\n    actor: customer\n    actions:\n      go:\n        title: Go\n        end: done\n        inputs: { type: object, properties: { x: { type: string } } }\n        record: { found: '$contains(inputs.x, /${slow}/)' }\n`)
  writeFileSync(join(dir, 'p.scenarios.yaml'), `process: p.yaml\nscenarios:\n  - name: digits\n    start: { parties: { customer: c-1 } }\n    then:\n      - act: go\n        by: customer\n        inputs: { x: "${'1'.repeat(100)}" }\n        expect: { status: completed, values: { found: false } }\n`)
  // Without the budget, or on the backtracking engine, the command would run past the test's 30 s timeout.
  const { code, stdout } = await runCli(['test', join(dir, 'ping-pong.scenarios.yaml'), join(dir, 'p.scenarios.yaml')])
  expect(code).toBe(1)
  expect(stdout).toMatch(/ping-pong\.scenarios\.yaml:\d+:\d+ scenario\.refused .*25,000 decisions/)
  expect(stdout).toMatch(/ping-pong\.scenarios\.yaml:\d+:\d+ scenario\.refused Not run/)
  expect(stdout).toContain('ok: digits')
})

it('validate: a timeout of a million years is definition.duration at its value', async () => {
  const file = join(dir, 'long.yaml')
  writeFileSync(file, PING_PONG.replace('after: PT1M, action: go }\n    actions:\n      go: { title: Go, goto: pong }', 'after: P999999Y, action: go }\n    actions:\n      go: { title: Go, goto: pong }'))
  const { code, stdout, stderr } = await runCli(['validate', file])
  expect(code).toBe(1)
  expect(`${stdout}${stderr}`).toContain(`${file}:9:23 definition.duration "P999999Y" is too long`)
})
