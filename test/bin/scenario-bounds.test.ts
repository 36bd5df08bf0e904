import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { runCli } from '../support/cli.js'

// `delivery-center test` and `validate` on files written to loop or to overflow: each ends soon,
// with a located problem and exit 1.

let dir: string
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'dc-scenario-bounds-')) })
afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

const PING_PONG = `id: ping-pong
version: 1
title: Ping pong
roles: [customer]
steps:
  - id: ping
    title: Ping
    actor: customer
    timeout: { after: PT1M, action: go }
    actions:
      go: { title: Go, goto: pong }
  - id: pong
    title: Pong
    actor: customer
    timeout: { after: PT1M, action: go }
    actions:
      go: { title: Go, goto: ping }
      stop: { title: Stop, end: done }
`

it('test: scenarios whose moves each fire nearly 10,000 timeouts stop at the file\'s budget, the rest reported not run', async () => {
  writeFileSync(join(dir, 'ping-pong.yaml'), PING_PONG)
  const scenario = (name: string): string => `  - name: ${name}\n    start: { parties: { customer: c-1 } }\n    then:\n${'      - wait: PT9990M\n'.repeat(200)}`
  writeFileSync(join(dir, 'ping-pong.scenarios.yaml'), `process: ping-pong.yaml\nscenarios:\n${scenario('first')}${scenario('second')}`)
  const started = Date.now()
  const { code, stdout } = await runCli(['test', join(dir, 'ping-pong.scenarios.yaml')])
  expect(Date.now() - started).toBeLessThan(20_000)
  expect(code).toBe(1)
  expect(stdout).toMatch(/ping-pong\.scenarios\.yaml:\d+:\d+ scenario\.refused .*25,000 decisions/)
  expect(stdout).toMatch(/ping-pong\.scenarios\.yaml:\d+:\d+ scenario\.refused Not run/)
})

it('validate: a timeout of a million years is definition.duration at its value', async () => {
  const file = join(dir, 'long.yaml')
  writeFileSync(file, PING_PONG.replace('after: PT1M, action: go }\n    actions:\n      go: { title: Go, goto: pong }', 'after: P999999Y, action: go }\n    actions:\n      go: { title: Go, goto: pong }'))
  const { code, stdout, stderr } = await runCli(['validate', file])
  expect(code).toBe(1)
  expect(`${stdout}${stderr}`).toContain(`${file}:9:23 definition.duration "P999999Y" is too long`)
})
