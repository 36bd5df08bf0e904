import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AttachmentStorage, RemovalJournal } from '../../engine/attachments/index.js'
import { Store } from '../../engine/index.js'
import { UploadSweeper } from '../../server/upload-sweeper.js'
import { registeredDatabase } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'
import { DEMAND } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api } from '../support/http.js'
import { startServer } from '../support/server-process.js'
import type { ServerProcess } from '../support/server-process.js'

const PDF = readFileSync(join(import.meta.dirname, '../fixtures/files/contract.pdf'))
const DAY_SECONDS = 24 * 3600
const silent = pino({ level: 'silent' })

/** The storage of `api`, with `remove` failing once when `failures` says so: a crash between deleting rows and files. */
class FlakyStorage extends AttachmentStorage {
  failures = 0
  override async remove(storageKey: string): Promise<void> {
    if (this.failures > 0) {
      this.failures--
      throw new Error('killed while deleting files')
    }
    await super.remove(storageKey)
  }
}

describe('uploads never attached expire', () => {
  let api: Api
  let storage: FlakyStorage
  let sweeper: UploadSweeper
  beforeEach(async () => {
    api = await openApi()
    storage = new FlakyStorage(api.attachmentsDir)
    sweeper = new UploadSweeper({ store: api.store, storage, clock: api.clock, ttlSeconds: DAY_SECONDS, logger: silent })
  })
  afterEach(async () => {
    await sweeper.stop()
    await api.close()
  })

  async function upload(who: 'customer' | 'isv' = 'customer'): Promise<{ id: string }> {
    const form = new FormData()
    form.append('file', new Blob([PDF]), 'demands.pdf')
    const response = await api.call('POST', '/v1/attachments', { who, body: form })
    expect(response.status).toBe(201)
    return response.json() as Promise<{ id: string }>
  }
  const start = async (): Promise<string> => ((await (await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } } })).json()) as { id: string }).id
  const submit = (id: string, attachment: string): Promise<Response> =>
    api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', json: { action: 'submit', inputs: DEMAND, attachments: { 'demand-documents': [attachment] } } })
  const files = (): string[] => readdirSync(api.attachmentsDir).filter((name) => !name.startsWith('.')).sort()
  const keyOf = async (id: string): Promise<string | undefined> => (await api.store.attachments.find(id))?.storage_key

  it('deletes the row and file of an upload unattached past the time to live; attached and younger ones stay; attaching it then is attachment.not-found', async () => {
    const attached = await upload()
    const instance = await start()
    expect((await submit(instance, attached.id)).status).toBe(200)
    const expiring = await upload()
    api.clock.advance('PT1H')
    const younger = await upload()
    const keys = { attached: await keyOf(attached.id), expiring: await keyOf(expiring.id), younger: await keyOf(younger.id) }

    api.clock.advance('PT23H')
    expect(await sweeper.sweep()).toEqual({ expired: 0, recovered: 0 }) // exactly a day old: kept
    api.clock.advance('PT1S')
    expect(await sweeper.sweep()).toEqual({ expired: 1, recovered: 0 })

    expect(await api.store.attachments.find(expiring.id)).toBeUndefined()
    expect(files()).toEqual([keys.attached, keys.younger].sort())
    expect((await api.call('GET', `/v1/attachments/${expiring.id}`, { who: 'customer' })).status).toBe(404)
    const other = await start()
    const refused = await submit(other, expiring.id)
    expect(refused.status).toBe(404)
    expect(await refused.json()).toMatchObject({ code: 'attachment.not-found', errors: [{ pointer: '/attachments/demand-documents/0' }] })
    expect((await submit(other, younger.id)).status).toBe(200)
    expect(keys.expiring).toBeDefined()
  })

  it('deletes rows before files: killed in between, it leaves a file without a row, never a row without its file, and a later sweep deletes that file', async () => {
    const expiring = await upload()
    const key = await keyOf(expiring.id)
    api.clock.advance('PT24H1S')
    storage.failures = 1

    await expect(sweeper.sweep()).rejects.toThrow('killed while deleting files')
    expect(await api.store.attachments.find(expiring.id)).toBeUndefined()
    expect(files()).toEqual([key])
    const journals = await new RemovalJournal(api.attachmentsDir).pending(Number.POSITIVE_INFINITY)
    expect(journals).toEqual([{ name: expect.any(String), removals: [{ id: expiring.id, storageKey: key }] }])

    // A sweep running as the journal is written (on this server or another) leaves it to its writer...
    expect(await sweeper.sweep()).toEqual({ expired: 0, recovered: 0 })
    expect(files()).toEqual([key])
    // ...which it no longer is ten minutes later.
    expect(await sweeper.sweep(Date.now() + 10 * 60_000 + 1000)).toEqual({ expired: 0, recovered: 1 })
    expect(files()).toEqual([])
    expect(await new RemovalJournal(api.attachmentsDir).pending(Number.POSITIVE_INFINITY)).toEqual([])
  })

  it('keeps the files of a journal whose rows were never deleted (killed before), and forgets the journal', async () => {
    const kept = await upload()
    const key = await keyOf(kept.id)
    if (key === undefined) throw new Error('no storage key')
    await new RemovalJournal(api.attachmentsDir).write([{ id: kept.id, storageKey: key }])

    expect(await sweeper.sweep(Date.now() + 10 * 60_000 + 1000)).toEqual({ expired: 0, recovered: 0 })
    expect(files()).toEqual([key])
    expect(await api.store.attachments.find(kept.id)).toBeDefined()
    expect(await new RemovalJournal(api.attachmentsDir).pending(Number.POSITIVE_INFINITY)).toEqual([])
  })

  it('at start deletes the .part files silent for ten minutes, never one that may still be arriving, then sweeps on its interval until stopped', async () => {
    const stored = await upload()
    const key = await keyOf(stored.id)
    const part = (name: string, ageMs: number) => {
      const path = join(api.attachmentsDir, `${name}.part`)
      writeFileSync(path, 'half an upload')
      const at = (Date.now() - ageMs) / 1000
      utimesSync(path, at, at)
      return path
    }
    const killed = part('00000000-0000-4000-8000-00000000000a', 3_600_000)
    const live = part('00000000-0000-4000-8000-00000000000b', -60_000)
    // Silent for a minute: it may be an upload another server sharing the directory still receives.
    const elsewhere = part('00000000-0000-4000-8000-00000000000d', 60_000)
    api.clock.advance('PT24H1S')
    sweeper = new UploadSweeper({ store: api.store, storage, clock: api.clock, ttlSeconds: DAY_SECONDS, logger: silent, intervalMs: 20 })

    await sweeper.start()
    expect(existsSync(killed)).toBe(false)
    expect(existsSync(live)).toBe(true)
    expect(existsSync(elsewhere)).toBe(true)
    await expect.poll(() => api.store.attachments.find(stored.id), { timeout: 10_000 }).toBeUndefined()
    // Its row goes first (the file is journaled), then its file, within the same sweep.
    await expect.poll(() => existsSync(join(api.attachmentsDir, key ?? '')), { timeout: 10_000 }).toBe(false)
    await sweeper.stop()
  })
})

describe('delivery-center serve', () => {
  let database: TestDatabase
  let server: ServerProcess | undefined
  beforeEach(async () => { database = await registeredDatabase('dc-sweep-') })
  afterEach(async () => {
    if (server) {
      server.child.kill('SIGKILL')
      await server.exited
    }
    server = undefined
    await database.drop()
  })

  it('deletes .part files of uploads killed before it started and, with --upload-ttl, uploads left unattached longer', async () => {
    const dir = join(database.dir, 'attachments')
    mkdirSync(dir)
    const store = await Store.open(database.location)
    const storage = new AttachmentStorage(dir)
    const old = await storage.save(Readable.from([new Uint8Array([1, 2, 3])]), 100)
    const recent = await storage.save(Readable.from([new Uint8Array([4, 5, 6])]), 100)
    const row = (id: string, storageKey: string, createdAt: string) => ({
      id, uploaded_by_role: 'customer', uploaded_by_subject: 'c-1', instance_id: null, file_name: null, size: 3, sha256: '0'.repeat(64),
      type: null, media_type: 'application/octet-stream', storage_key: storageKey, created_at: createdAt, image: null,
    })
    const hoursAgo = (hours: number): string => new Date(Date.now() - hours * 3_600_000).toISOString()
    await store.attachments.insert(row('00000000-0000-4000-8000-000000000001', old.storageKey, hoursAgo(3)))
    await store.attachments.insert(row('00000000-0000-4000-8000-000000000002', recent.storageKey, hoursAgo(1)))
    await store.close()
    const killed = join(dir, '00000000-0000-4000-8000-00000000000c.part')
    writeFileSync(killed, 'half an upload')
    utimesSync(killed, (Date.now() - 20 * 60_000) / 1000, (Date.now() - 20 * 60_000) / 1000)

    server = await startServer(database, '--upload-ttl', '2')
    expect(existsSync(killed)).toBe(false) // swept before the server listened
    await expect.poll(() => existsSync(join(dir, old.storageKey)), { timeout: 20_000 }).toBe(false)
    expect(readdirSync(dir).filter((name) => !name.startsWith('.'))).toEqual([recent.storageKey])
    const after = await Store.open(database.location)
    try {
      expect(await after.attachments.find('00000000-0000-4000-8000-000000000001')).toBeUndefined()
      expect(await after.attachments.find('00000000-0000-4000-8000-000000000002')).toBeDefined()
    } finally {
      await after.close()
    }
  })
})
