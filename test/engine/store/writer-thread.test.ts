import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { Worker } from 'node:worker_threads'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { Engine, EngineError, ManualClock, Store } from '../../../engine/index.js'
import { CommitGroup } from '../../../engine/store/commit-group.js'
import { startThread, threadWriter } from '../../../engine/store/dialects/sqlite/writer.js'
import type { WriterSetup } from '../../../engine/store/dialects/sqlite/writer.js'
import { statementOf } from '../../../engine/store/write-plan.js'
import type { PlannedStatement } from '../../../engine/store/write-plan.js'
import { ADMIN, CUSTOMER, DEMAND } from '../../support/engine.js'

// The writer thread is SQLite's: these tests use a SQLite file whatever DATABASE_URL says.
let file: string
let store: Store
beforeEach(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'dc-writer-')), 'delivery.db')
  store = await Store.openSqlite(file, { writerThread: true })
})
afterEach(async () => { await store.close() })

const token = (hash: string): PlannedStatement => statementOf(store.db.insertInto('api_token')
  .values({ hash, role: 'admin', subject: hash, label: null, created_at: '2026-01-01T00:00:00Z', expires_at: null }))

function hashes(): string[] {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    return (db.prepare('select hash from api_token order by hash').all() as Array<{ hash: string }>).map((row) => row.hash)
  } finally {
    db.close()
  }
}

describe('the SQLite writer thread', () => {
  it('writes a group through its own connection: a refused unit alone is rolled back, with its code and message', async () => {
    const writer = threadWriter(file, {})
    const group = new CommitGroup(writer, true)
    const refused = statementOf(store.db.updateTable('api_token').set({ label: 'x' }).where('hash', '=', 'missing'), { rows: 1, code: 'conflict.stale', message: 'no such token' })
    const results = await Promise.allSettled([group.run([token('a')]), group.run([token('b'), refused]), group.run([token('c')])])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const reason = (results[1] as PromiseRejectedResult).reason as unknown
    expect(reason).toBeInstanceOf(EngineError)
    expect(reason).toMatchObject({ code: 'conflict.stale', message: 'no such token' })
    await group.close()
    expect(hashes()).toEqual(['a', 'c'])
  })

  it('refuses the groups a dying thread had not answered, and writes the next on a new thread', async () => {
    let started = 0
    // The first thread fails on the first group it is sent, before answering any: its 'error'
    // comes first, its 'exit' after.
    const start = (setup: WriterSetup): Worker => started++ === 0
      ? new Worker("require('node:worker_threads').parentPort.once('message', () => { throw new Error('boom') })", { eval: true })
      : startThread(setup)
    const writer = threadWriter(file, {}, start)
    const lost = [writer.write([[token('a')]]), writer.write([[token('b')]])]
    // Sent as soon as the first is refused, while the dying thread may not have exited yet.
    const next = (lost[0] as Promise<unknown>).catch(() => writer.write([[token('c')]]))
    expect((await Promise.allSettled(lost)).map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['boom', 'boom'])
    expect(await next).toEqual([{ ok: true }])
    await writer.close()
    expect(started).toBe(2)
    expect(hashes()).toEqual(['c'])
  })

  it('passes a database error on with its SQLite code, and the engine still names a duplicate start', async () => {
    const writer = threadWriter(file, {})
    const [outcome] = await writer.write([[token('a'), token('a')]])
    await writer.close()
    expect(outcome).toMatchObject({ ok: false, error: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' } })
    expect((outcome as { error: Error }).error.message).toMatch(/UNIQUE constraint failed: api_token.hash/)
    expect(hashes()).toEqual([])

    const engine = new Engine({ store, clock: new ManualClock('2026-01-01T00:00:00Z') })
    await engine.processes.registerBuiltIns()
    await engine.instances.start({ id: 'i-1', process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    await expect(engine.instances.start({ id: 'i-1', process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)).rejects.toMatchObject({ code: 'instance.exists' })
  })

  it('drives deliveries through the engine: acts arriving together share groups, and the one that lost a race is refused alone', async () => {
    const engine = new Engine({ store, clock: new ManualClock('2026-01-01T00:00:00Z') })
    await engine.processes.registerBuiltIns()
    const ids = await Promise.all(Array.from({ length: 20 }, async () => (await engine.instances.start({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)).id))
    const results = await Promise.allSettled([
      ...ids.map((id) => engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER)),
      engine.instances.act(ids[0] as string, { action: 'submit', inputs: { ...DEMAND, demands: 'second' } }, CUSTOMER),
    ])
    expect(results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as EngineError).code)).toEqual(['conflict.stale'])
    for (const id of ids) {
      expect((await engine.instances.get(id, ADMIN)).revision).toBe(2)
      expect((await engine.instances.history(id, ADMIN)).filter((r) => r.event.type === 'action-performed')).toHaveLength(1)
    }
  })

  it('on close, writes every unit queued before it, then stops', async () => {
    const group = new CommitGroup(threadWriter(file, {}), true)
    const writes = Array.from({ length: 50 }, (_, i) => group.run([token(`t-${String(i).padStart(2, '0')}`)]))
    await group.close()
    await Promise.all(writes)
    expect(hashes()).toHaveLength(50)
    await expect(group.run([token('late')])).rejects.toThrow('The store is closed.')
    expect(hashes()).toHaveLength(50)
  })

  it('does not hold a process open once its writes are answered', { timeout: 60_000 }, async () => {
    // A script that writes and never closes its store must still exit by itself: on the engine
    // as compiled once for the run (see test/support/built-cli.ts), as `npm start` runs it.
    const engineIndex = join(dirname(dirname(inject('builtCli'))), 'engine', 'index.js')
    const script = `
      const { Engine, ManualClock, Store } = await import(${JSON.stringify(pathToFileURL(engineIndex).href)})
      const engine = new Engine({ store: await Store.openSqlite(${JSON.stringify(file)}, { writerThread: true }), clock: new ManualClock('2026-01-01T00:00:00Z') })
      await engine.processes.registerBuiltIns()
      await engine.instances.start({ id: 'i-2', process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, { role: 'admin', subject: 'a-1' })
      process.stdout.write('written')`
    const scriptFile = join(dirname(file), 'write.mjs')
    writeFileSync(scriptFile, script)
    const { stdout } = await promisify(execFile)(process.execPath, [scriptFile], { timeout: 30_000 })
    expect(stdout).toBe('written')
    expect(await store.instances.find('i-2')).toMatchObject({ state: { id: 'i-2', revision: 1 } })
  })
})
