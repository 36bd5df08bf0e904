import { describe, expect, it, onTestFinished } from 'vitest'
import { realClock, Store } from '../../engine/index.js'
import { ConsoleSessions } from '../../console/sessions.js'
import { resolveConfig } from '../../server/config.js'
import { runCli } from '../support/cli.js'
import { freshDatabase, snapshot } from '../support/database.js'

/** A fresh database, created and migrated as `serve` or `migrate` leave it. */
async function migratedDatabase(): Promise<string> {
  const database = await freshDatabase('dc-cli-console-link-')
  onTestFinished(() => database.drop())
  await (await Store.open(database.location)).close()
  return database.location
}

describe('delivery-center console-link', () => {
  it('prints a one-time sign-in link alone on stdout, under --public-url, landing on --return', async () => {
    const location = await migratedDatabase()
    const { code, stdout } = await runCli(['console-link', '--role', 'customer', '--subject', 'c-1', '--return', '/console/deliveries/d-1', '--public-url', 'https://dc.example.com/', '--db', location])
    expect(code).toBe(0)
    const secret = /^https:\/\/dc\.example\.com\/console\/link\/(dcl_[A-Za-z0-9_-]{43})\n$/.exec(stdout)?.[1]
    expect(secret, stdout).toBeDefined()
    const store = await Store.open(location)
    try {
      const sessions = new ConsoleSessions(store, realClock)
      expect(await sessions.redeem(secret ?? '')).toMatchObject({ principal: { role: 'customer', subject: 'c-1' }, returnPath: '/console/deliveries/d-1' })
    } finally {
      await store.close()
    }
  })

  it('refuses the system role and a return path outside the console, naming the flags, and stores nothing', async () => {
    const location = await migratedDatabase()
    const before = await snapshot(location)
    const refused = await runCli(['console-link', '--role', 'system', '--subject', 'erp', '--return', '//evil.example', '--db', location])
    expect(refused).toMatchObject({ code: 1, stdout: '' })
    expect(refused.stderr).toMatch(/^delivery-center: --role must be a role a person holds: .* --return must be a path in the console: /)
    expect(await snapshot(location)).toEqual(before)
  })
})

describe('--public-url / DC_PUBLIC_URL', () => {
  it('is an http or https URL without query, fragment or credentials; a trailing slash is dropped', () => {
    expect(resolveConfig({}, {}).publicUrl).toBeUndefined()
    expect(resolveConfig({}, { DC_PUBLIC_URL: 'https://dc.example.com/' }).publicUrl).toBe('https://dc.example.com')
    expect(resolveConfig({ publicUrl: 'http://10.0.0.5:8080' }, { DC_PUBLIC_URL: 'https://dc.example.com' }).publicUrl).toBe('http://10.0.0.5:8080')
    for (const bad of ['dc.example.com', 'ftp://dc.example.com', 'https://dc.example.com/?x=1', 'https://user:pw@dc.example.com']) {
      expect(() => resolveConfig({ publicUrl: bad }, {}), bad).toThrow(/^--public-url \/ DC_PUBLIC_URL must be an http or https URL/)
    }
  })
})
