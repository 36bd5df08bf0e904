import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { basename } from 'node:path'
import { BUILT_IN_PROCESS_DIR, Engine, Store } from '../../engine/index.js'
import { freshDatabase } from '../support/database.js'
import { ADMIN, CUSTOMER, DEMAND, ISV, OTHER_ISV, openHarness } from '../support/engine.js'
import type { Harness } from '../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

const basicNow = readFileSync(`${BUILT_IN_PROCESS_DIR}/basic.yaml`, 'utf8')
/** The built-in basic process's version, the one the harness registers. */
const NOW = Number(/^version: (\d+)$/m.exec(basicNow)?.[1])
const withVersion = (text: string, version: number): string => text.replace(`version: ${NOW}`, `version: ${version}`)
// The next version adds a customer acceptance review between delivery and confirmation.
const basicNext = withVersion(basicNow, NOW + 1).replace('  - id: confirm-delivery', `  - id: acceptance-review
    title: Acceptance Review
    actor: customer
    actions:
      accept: { title: Accept }
  - id: confirm-delivery`)

describe('process versions', () => {
  it('keeps an in-flight instance on its version while new ones start on the next', async () => {
    const old = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await h.engine.instances.act(old.id, { action: 'submit', inputs: DEMAND }, CUSTOMER)

    const { created } = await h.engine.processes.register(basicNext, 'basic-next.yaml')
    expect(created).toBe(true)

    const fresh = await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    expect(fresh.process).toMatchObject({ id: 'basic', version: NOW + 1 })
    await h.engine.instances.act(fresh.id, { action: 'submit', inputs: DEMAND }, CUSTOMER)
    expect((await h.engine.instances.act(fresh.id, { action: 'finish' }, ISV)).step?.id).toBe('acceptance-review')

    const finished = await h.engine.instances.act(old.id, { action: 'finish' }, ISV)
    expect(finished).toMatchObject({ process: { version: NOW }, step: { id: 'confirm-delivery' } })
    expect(await h.engine.instances.act(old.id, { action: 'confirm' }, CUSTOMER)).toMatchObject({ status: 'completed', process: { version: NOW } })
  })

  it('can still start an older version on request', async () => {
    await h.engine.processes.register(basicNext, 'basic-next.yaml')
    expect((await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, version: NOW, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)).process.version).toBe(NOW)
  })

  it('treats re-registering identical text as a no-op and refuses changed text under the same version', async () => {
    expect((await h.engine.processes.register(basicNow, 'basic.yaml')).created).toBe(false)
    const changed = basicNow.replace('Basic Delivery Process', 'Basic Delivery')
    await expect(h.engine.processes.register(changed, 'basic.yaml')).rejects.toMatchObject({ code: 'process.version-conflict' })
  })

  it('refuses an invalid definition with every located problem', async () => {
    const broken = basicNext.replace('actor: isv', 'actor: vendor')
    await expect(h.engine.processes.register(broken, 'broken.yaml')).rejects.toMatchObject({
      code: 'definition.invalid', problems: [expect.objectContaining({ code: 'definition.unknown-role' })],
    })
  })

  it('keeps a private process private to its ISV for an engine that did not register it', async () => {
    const custom = basicNow.replace('id: basic', 'id: custom-basic')
    await h.engine.processes.register(custom, 'custom-basic.yaml', { owner: ISV })
    // Other servers on the same database learn the owner from the store: by starting, or by registering the same text again.
    const other = new Engine({ store: h.store, clock: h.clock })
    await expect(other.instances.start({ process: 'custom-basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: OTHER_ISV.subject } }, ADMIN))
      .rejects.toMatchObject({ code: 'input.invalid', fields: [expect.objectContaining({ pointer: '/parties/isv' })] })
    const reregistered = new Engine({ store: h.store, clock: h.clock })
    expect((await reregistered.processes.register(custom, 'custom-basic.yaml', { owner: ISV })).created).toBe(false)
    await expect(reregistered.instances.start({ process: 'custom-basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, version: NOW, parties: { customer: 'c-1', isv: OTHER_ISV.subject } }, ADMIN))
      .rejects.toMatchObject({ code: 'input.invalid' })
    expect((await other.instances.start({ process: 'custom-basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: ISV.subject } }, ADMIN)).status).toBe('active')
  })
})

describe('process owners', () => {
  it('keeps one owner per process across its versions', async () => {
    const custom = basicNow.replace('id: basic', 'id: custom-basic')
    await h.engine.processes.register(custom, 'custom-basic.yaml', { owner: ISV })
    const v2 = withVersion(custom, NOW + 1)
    const versions = async (): Promise<number> => (await h.store.db.selectFrom('process_definition').select('version').execute()).length
    const before = await versions()
    await expect(h.engine.processes.register(v2, 'custom-basic.yaml')).rejects.toMatchObject({ code: 'process.owner-conflict', message: expect.stringMatching(/private to isv "v-1"/) })
    await expect(h.engine.processes.register(v2, 'custom-basic.yaml', { owner: OTHER_ISV })).rejects.toMatchObject({ code: 'process.owner-conflict' })
    await expect(h.engine.processes.register(basicNext, 'basic-next.yaml', { owner: ISV })).rejects.toMatchObject({ code: 'process.owner-conflict', message: expect.stringMatching(/public/) })
    expect(await versions()).toBe(before)
    expect((await h.engine.processes.register(v2, 'custom-basic.yaml', { owner: ISV })).created).toBe(true)
    // Registering an existing version again is a no-op for its owner, and refused for anyone else
    // (it would register nothing of theirs: an approval or a publication would claim what it did not do).
    expect((await h.engine.processes.register(custom, 'custom-basic.yaml', { owner: ISV })).created).toBe(false)
    await expect(h.engine.processes.register(custom, 'custom-basic.yaml')).rejects.toMatchObject({ code: 'process.owner-conflict' })
    await expect(h.engine.processes.register(custom, 'custom-basic.yaml', { owner: OTHER_ISV })).rejects.toMatchObject({ code: 'process.owner-conflict' })
  })
})

describe('built-in processes whose id an ISV holds', () => {
  it('are skipped and reported when the caller asks, so a server still starts', async () => {
    const database = await freshDatabase('dc-builtins-')
    const store = await Store.open(database.location)
    try {
      const engine = new Engine({ store, clock: h.clock })
      // Before this release's built-ins: an ISV's own "contract", at a version after the built-in's
      // (derived from the built-in basic, registered first).
      await engine.processes.register(readFileSync(`${BUILT_IN_PROCESS_DIR}/basic.yaml`, 'utf8'), 'basic.yaml')
      const builtIn = readFileSync(`${BUILT_IN_PROCESS_DIR}/contract.yaml`, 'utf8')
      const contract = builtIn.replace(/^version: (\d+)$/m, (_line, version: string) => `version: ${Number(version) + 1}`)
      await engine.processes.register(contract, 'contract.yaml', { owner: ISV })
      await expect(engine.processes.registerBuiltIns()).rejects.toMatchObject({ code: 'process.owner-conflict' })
      const skipped: string[] = []
      const registered = await engine.processes.registerBuiltIns((file) => skipped.push(file))
      expect(skipped.map((file) => basename(file))).toEqual(['contract.yaml'])
      expect(registered.map((p) => p.id)).toContain('basic')
      expect(registered.map((p) => p.id)).not.toContain('contract')
      expect((await engine.processes.resolve('contract')).owner).toEqual(ISV)
    } finally {
      await store.close()
      await database.drop()
    }
  })
})

describe('built-in processes already registered', () => {
  it('are not compiled again by an engine starting on the database, but when first used; a stored text that differs is still refused', async () => {
    // The harness registered the built-ins; a second server on the same database starts.
    const restarted = new Engine({ store: h.store, clock: h.clock })
    const registered = await restarted.processes.registerBuiltIns()
    expect(registered).toContainEqual({ id: 'basic', version: NOW })
    expect(registered).toHaveLength(readdirSync(BUILT_IN_PROCESS_DIR).filter((name) => name.endsWith('.yaml')).length)
    expect(restarted.processes.cached('basic', NOW)).toBeUndefined()
    const started = await restarted.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    expect(started.process).toMatchObject({ id: 'basic', version: NOW })
    expect(restarted.processes.cached('basic', NOW)?.title).toBe('Basic Delivery Process')

    // The stored version's text is not the built-in's: registering the built-ins is refused, as registering it is.
    const changed = basicNow.replace('Basic Delivery Process', 'Basic Delivery')
    await h.store.db.updateTable('process_definition').set({ source: changed, hash: createHash('sha256').update(changed).digest('hex') })
      .where('id', '=', 'basic').where('version', '=', NOW).execute()
    await expect(new Engine({ store: h.store, clock: h.clock }).processes.registerBuiltIns()).rejects.toMatchObject({ code: 'process.version-conflict' })
  })
})

describe('process owners, registered at once', () => {
  it('lets one owner win when versions of a new process are registered for two owners at the same time', async () => {
    for (let i = 0; i < 10; i++) {
      const v1 = basicNow.replace('id: basic', `id: race-${i}`)
      const v2 = withVersion(v1, NOW + 1)
      const results = await Promise.allSettled([
        h.engine.processes.register(v1, 'a.yaml', { owner: ISV }),
        h.engine.processes.register(v2, 'b.yaml', { owner: OTHER_ISV }),
      ])
      const owners = await h.store.db.selectFrom('process_definition').select('owner').where('id', '=', `race-${i}`).execute()
      expect(new Set(owners.map((row) => row.owner)).size).toBe(1)
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      expect(results.flatMap((r) => r.status === 'rejected' ? [(r.reason as { code: string }).code] : [])).toEqual(['process.owner-conflict'])
    }
  })
})

describe('instance ids', () => {
  it('gives new instances time-ordered UUIDs (version 7), so each lands at the end of the indexes', async () => {
    const ids: string[] = []
    for (let i = 0; i < 20; i++) ids.push((await h.engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)).id)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
