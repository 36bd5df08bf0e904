import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { Store } from '../../engine/index.js'
import { hashToken } from '../../server/auth.js'
import { ROOT, runCli } from '../support/cli.js'
import { DIALECT, freshDatabase, snapshot } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'

// Each test runs the command line several times, each a process opening and migrating a database:
// seconds alone, and more than the suite's 30 s on a loaded machine running PostgreSQL.
vi.setConfig({ testTimeout: 90_000 })

/** A fresh database, created and migrated as `serve` or `migrate` leave it. */
async function migratedDatabase(): Promise<TestDatabase> {
  const database = await freshDatabase('dc-cli-tokens-')
  onTestFinished(() => database.drop())
  await (await Store.open(database.location)).close()
  return database
}

describe('commands other than serve and migrate refuse a database that does not exist', () => {
  it('token create, token list, token revoke and register name the path they looked at, and create nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-cli-nodb-'))
    const mistyped = join(dir, 'delivery-centre.db')
    const definition = join(dir, 'p.yaml')
    writeFileSync(definition, readFileSync(join(ROOT, 'processes/basic.yaml'), 'utf8'))
    // The four commands side by side: each a process of its own.
    const commands = [['token', 'create', '--role', 'admin', '--subject', 'a-1'], ['token', 'list'], ['token', 'revoke', '0123456789abcdef'], ['register', definition]]
    const results = await Promise.all(commands.map((args) => runCli([...args, '--db', mistyped])))
    for (const [i, { code, stdout, stderr }] of results.entries()) {
      const args = commands[i]
      expect({ args, code, stdout }).toEqual({ args, code: 1, stdout: '' })
      expect(stderr).toBe(`delivery-center: There is no database at ${mistyped} (given with --db). Give the --db (or DATABASE_URL) that serve uses, or create it first with \`npx delivery-center migrate --db ${mistyped}\`.\n`)
    }
    expect(existsSync(mistyped)).toBe(false)
  })

  it('run from another folder without --db, the default path is named with the working directory', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'dc-cli-elsewhere-'))
    const { code, stderr } = await runCli(['token', 'create', '--role', 'admin', '--subject', 'a-1'], { cwd: elsewhere, env: { DATABASE_URL: undefined } })
    expect(code).toBe(1)
    expect(stderr).toContain(`There is no database at ${join(elsewhere, 'data', 'delivery-center.db')} (the default data/delivery-center.db in the working directory ${elsewhere}).`)
    expect(existsSync(join(elsewhere, 'data'))).toBe(false)
  })

  it('a database that was never migrated (an empty SQLite file, or a PostgreSQL schema without tables) is refused in words', async () => {
    const database = await freshDatabase('dc-cli-empty-')
    onTestFinished(() => database.drop())
    if (DIALECT === 'sqlite') writeFileSync(database.location, '')
    const { code, stderr } = await runCli(['token', 'create', '--role', 'admin', '--subject', 'a-1', '--db', database.location])
    expect(code).toBe(1)
    expect(stderr).toMatch(/^delivery-center: The database .* \(given with --db\) has no delivery-center tables: it has never been migrated\. .*`npx delivery-center migrate --db /)
    expect(await snapshot(database.location)).toEqual({})
  })

  it('migrate creates it, and then token create works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-cli-migrate-'))
    const db = join(dir, 'new.db')
    expect(await runCli(['migrate', '--db', db])).toMatchObject({ code: 0, stderr: `migrated ${db}\n` })
    expect((await runCli(['token', 'create', '--role', 'admin', '--subject', 'a-1', '--db', db])).stdout).toMatch(/^dc_[A-Za-z0-9_-]{43}\n$/)
  })
})

describe('token create checks the role', () => {
  it('refuses a misspelt role with "Did you mean", naming the accepted ones, and accepts a role a registered process declares', async () => {
    const { location, dir } = await migratedDatabase()
    const before = await snapshot(location)
    const [misspelt, auditor] = await Promise.all([
      runCli(['token', 'create', '--role', 'admn', '--subject', 'a-1', '--db', location]),
      runCli(['token', 'create', '--role', 'auditor', '--subject', 'x-1', '--db', location]),
    ])
    expect(misspelt.code).toBe(1)
    expect(misspelt.stderr).toMatch(/^delivery-center: Role "admn" is not accepted in .*\. Did you mean "admin"\? Accepted roles: admin, system, customer, isv \(/)
    expect(auditor.code).toBe(1)
    expect(auditor.stderr).toContain('Role "auditor" is not accepted')
    expect(await snapshot(location)).toEqual(before)

    const definition = join(dir, 'audit.yaml')
    writeFileSync(definition, 'id: audit\nversion: 1\ntitle: Audit\nroles: [auditor]\nsteps:\n  - id: check\n    title: Check\n    actor: auditor\n    actions: { done: { end: completed } }\n')
    expect((await runCli(['register', definition, '--db', location])).code).toBe(0)
    const accepted = await runCli(['token', 'create', '--role', 'auditor', '--subject', 'x-1', '--db', location])
    expect(accepted).toMatchObject({ code: 0, stdout: expect.stringMatching(/^dc_/) })
  })
})

describe('option errors', () => {
  it('name the option, the value and the accepted form, before touching the database', async () => {
    const { location } = await migratedDatabase()
    const before = await snapshot(location)
    // Side by side: each a process of its own, none touching the database.
    const [expires, start, port, upload] = await Promise.all([
      runCli(['token', 'create', '--role', 'admin', '--subject', 'a-1', '--expires', 'tomorrow', '--db', location]),
      runCli(['serve', '--sandbox', '--sandbox-start', 'monday', '--db', location]),
      runCli(['serve', '--port', 'http', '--db', location]),
      runCli(['serve', '--max-upload-mb', 'lots', '--db', location]),
    ])
    expect(expires.code).toBe(1)
    expect(expires.stderr).toMatch(/^delivery-center: option '--expires <instant>' argument 'tomorrow' is invalid\. Expected an RFC 3339 instant with its offset, e\.g\. 2026-12-31T23:59:59Z/)
    expect(expires.stderr).toContain('delivery-center token create --help')
    expect(await snapshot(location)).toEqual(before)
    expect(start.code).toBe(1)
    expect(start.stderr).toMatch(/option '--sandbox-start <instant>' argument 'monday' is invalid\. Expected an RFC 3339 instant/)
    expect(port.code).not.toBe(0)
    expect(port.stderr).toMatch(/--port.*65535/)
    expect(upload.code).not.toBe(0)
    expect(upload.stderr).toMatch(/--max-upload-mb.*1024/)
  })
})

describe('--version', () => {
  it('prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` })
  })
})

describe('token list and token revoke', () => {
  it('list every token with its id, never its secret; revoke marks one revoked, once', async () => {
    const { location } = await migratedDatabase()
    const [admin, customer] = (await Promise.all([
      runCli(['token', 'create', '--role', 'admin', '--subject', 'ops-1', '--label', 'night shift', '--db', location]),
      runCli(['token', 'create', '--role', 'customer', '--subject', 'c-1', '--expires', '2030-01-01T00:00:00Z', '--db', location]),
    ])).map((created) => created.stdout.trim()) as [string, string]
    const [adminId, customerId] = [hashToken(admin).slice(0, 16), hashToken(customer).slice(0, 16)]

    const listed = await runCli(['token', 'list', '--json', '--db', location])
    expect(listed.code).toBe(0)
    const tokens = JSON.parse(listed.stdout) as Array<Record<string, unknown>>
    expect(tokens.sort((a, b) => String(a['role']).localeCompare(String(b['role'])))).toEqual([
      { id: adminId, role: 'admin', subject: 'ops-1', label: 'night shift', createdAt: expect.any(String), expiresAt: null, lastUsedAt: null, revokedAt: null },
      { id: customerId, role: 'customer', subject: 'c-1', label: null, createdAt: expect.any(String), expiresAt: '2030-01-01T00:00:00.000Z', lastUsedAt: null, revokedAt: null },
    ])
    for (const secret of [admin, customer]) expect(listed.stdout).not.toContain(secret)

    const [revoked, unknown] = await Promise.all([
      runCli(['token', 'revoke', customerId, '--db', location]),
      runCli(['token', 'revoke', 'ffffffffffffffff', '--db', location]),
    ])
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('There is no token "ffffffffffffffff"') })
    expect(revoked).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^revoked ${customerId} \\(customer c-1\\) at \\d{4}-`)) })
    const again = await runCli(['token', 'revoke', customerId, '--db', location])
    expect(again.stdout).toMatch(new RegExp(`^already revoked ${customerId} `))

    const table = await runCli(['token', 'list', '--db', location])
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID +ROLE +SUBJECT +LABEL +CREATED +EXPIRES +LAST USED +REVOKED$/)
    expect(lines.find((line) => line.startsWith(adminId))).toMatch(/^\S+ +admin +ops-1 +night shift +\S+ +- +- +-$/)
    expect(lines.find((line) => line.startsWith(customerId))).toMatch(/^\S+ +customer +c-1 +- +\S+ +2030-01-01T00:00:00\.000Z +- +\d{4}-\S+$/)
    for (const secret of [admin, customer]) expect(table.stdout).not.toContain(secret)
  })
})
