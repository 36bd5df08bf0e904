import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it, onTestFinished } from 'vitest'
import { Store } from '../../engine/index.js'
import { ROOT, runCli } from '../support/cli.js'
import type { CliResult } from '../support/cli.js'
import { freshDatabase } from '../support/database.js'

const run = promisify(execFile)
/** The command as `npx delivery-center` runs it: the TypeScript sources through tsx. */
const NPX_CLI = join(import.meta.dirname, '../../bin/delivery-center.js')

/** The compiled command (see test/support/built-cli.ts), with its exit code and output. */
const delivery = (...args: string[]): Promise<CliResult> => runCli(args)

describe('delivery-center validate', () => {
  it('exits 0 on the built-in processes, also as `npx delivery-center` runs it (through tsx)', async () => {
    const { code, stdout } = await delivery('validate', 'processes/basic.yaml', 'processes/contract.yaml', 'processes/double-check.yaml', 'processes/step-by-step.yaml')
    expect(code).toBe(0)
    const npx = await run(process.execPath, [NPX_CLI, 'validate', 'processes/basic.yaml', 'processes/contract.yaml', 'processes/double-check.yaml', 'processes/step-by-step.yaml'], { cwd: ROOT })
    expect(npx.stdout).toBe(stdout)
    expect(stdout.trim().split('\n')).toHaveLength(4)
    expect(stdout).not.toMatch(/definition\./)
  })

  it('prints FILE:LINE:COL code message for each problem and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-cli-'))
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'id: bad\nversion: 1\ntitle: Bad\nroles: [isv]\nsteps:\n  - id: a\n    title: A\n    actor: isv\n    actions:\n      go: { goto: b }\n')
    const { code, stdout } = await delivery('validate', 'processes/basic.yaml', file)
    expect(code).toBe(1)
    expect(stdout).toContain(`${file}:10:19 definition.unknown-step There is no step "b".`)
  })

  it('reports a file it cannot read', async () => {
    const { code, stdout } = await delivery('validate', 'no-such-file.yaml')
    expect(code).toBe(1)
    expect(stdout).toMatch(/^no-such-file\.yaml:1:1 definition\.unreadable .*ENOENT/)
  })
})

describe('delivery-center graph', () => {
  it('prints a Mermaid flowchart', async () => {
    const { code, stdout } = await delivery('graph', 'processes/step-by-step.yaml')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^flowchart TD\n/)
    expect(stdout).toContain('n_confirm_ued -->|"reject"| n_ued')
  })
})

describe('docs/processes.md', () => {
  it('shows the diagram `graph` prints for step-by-step', async () => {
    const { stdout } = await delivery('graph', 'processes/step-by-step.yaml')
    const readme = readFileSync(join(import.meta.dirname, '../../docs/processes.md'), 'utf8')
    expect(readme).toContain('```mermaid\n' + stdout + '```')
  })
})

describe('delivery-center register', () => {
  it('registers a new version in the database, and reports a broken file with its locations', async () => {
    const { location: db, dir, drop } = await freshDatabase('dc-register-')
    onTestFinished(drop)
    await (await Store.open(db)).close() // register needs an existing database
    const v2 = join(dir, 'basic-v2.yaml')
    writeFileSync(v2, readFileSync(join(import.meta.dirname, '../../processes/basic.yaml'), 'utf8').replace(/^version: \d+$/m, 'version: 2'))
    expect(await delivery('register', v2, '--db', db, '--owner', 'v-7')).toMatchObject({ code: 1, stdout: '--owner must be ROLE:SUBJECT, e.g. isv:v-1 (got "v-7").\n' })
    const ok = await delivery('register', v2, '--db', db, '--owner', 'isv:v-7')
    expect(ok).toMatchObject({ code: 0, stdout: `${v2}: registered basic v2 (private to isv "v-7")\n` })
    const again = await delivery('register', v2, '--db', db, '--owner', 'isv:v-7')
    expect(again.stdout).toBe(`${v2}: already registered basic v2 (private to isv "v-7")\n`)
    const broken = join(dir, 'broken.yaml')
    writeFileSync(broken, 'id: broken\nversion: 1\ntitle: Broken\nroles: [isv]\nsteps:\n  - id: a\n    title: A\n    actor: vendor\n    actions: { done: { end: completed } }\n')
    const refused = await delivery('register', broken, '--db', db)
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain(`${broken}:8:12 definition.unknown-role`)
  })
})
