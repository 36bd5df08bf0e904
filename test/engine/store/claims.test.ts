import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR, Engine, isPostgresUrl, ManualClock, Store } from '../../../engine/index.js'
import { DIALECT } from '../../support/database.js'
import { ADMIN, awaitingConfirmation, openHarness, T0 } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

const DUE = '2026-01-15T00:00:00.000Z'
const SQLITE_HOLD_MS = 1000

/**
 * Another claimer, on its own connection, in the middle of its transaction: it holds `ids`
 * (PostgreSQL: their rows, locked as a claim locks them; SQLite: the write lock) and dies
 * without committing when `crash` is called.
 */
async function claimerHolding(ids: readonly string[]): Promise<{ crash(): Promise<void> }> {
  if (isPostgresUrl(h.database)) {
    const client = new pg.Client({ connectionString: h.database })
    client.on('error', () => undefined)
    await client.connect()
    await client.query('begin')
    await client.query('select id from instance where id = any($1) for update', [ids])
    return {
      crash: async () => {
        // The connection drops as when its process is killed; the server rolls the claim back.
        ;(client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy()
        await new Promise((resolve) => setTimeout(resolve, 200))
      },
    }
  }
  // better-sqlite3 waits for a lock synchronously, so the holder must be another OS process:
  // it takes the write lock, writes, and kills itself mid-transaction after `SQLITE_HOLD_MS`.
  const holder = spawn(process.execPath, ['--input-type=module', '-e', `
    import Database from 'better-sqlite3'
    const db = new Database(process.argv[1])
    db.exec('begin immediate')
    const ids = JSON.parse(process.argv[2])
    db.prepare(\`update instance set updated_at = updated_at where id in (\${ids.map(() => '?').join(',')})\`).run(...ids)
    process.stdout.write('held\\n')
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), ${SQLITE_HOLD_MS})
  `, h.database, JSON.stringify(ids)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise((resolve) => holder.on('exit', resolve))
  await new Promise((resolve) => holder.stdout.once('data', resolve))
  return { crash: async () => { await exited } }
}

function timeoutsOf(history: Array<{ event: { type: string; trigger?: string } }>): number {
  return history.filter((r) => r.event.type === 'action-performed' && r.event.trigger === 'timeout').length
}

describe(`claiming due deadlines on ${DIALECT}`, () => {
  it('leaves instances another claimer holds, and fires them once that claimer dies', { timeout: 60_000 }, async () => {
    const ids = await awaitingConfirmation(h.engine, 30)
    const held = ids.slice(0, 10)
    const claimer = await claimerHolding(held)
    h.clock.set(DUE)
    if (DIALECT === 'postgres') {
      // SKIP LOCKED: the other 20 fire at once, without waiting for the held rows.
      expect(await h.engine.deadlines.advance()).toEqual({ fired: 20, instances: 20, failed: [] })
      for (const id of held) expect((await h.engine.instances.get(id, ADMIN)).status).toBe('active')
      await claimer.crash()
      expect(await h.engine.deadlines.advance()).toEqual({ fired: 10, instances: 10, failed: [] })
    } else {
      // One writer at a time: the claim waits for the write lock, which the crash gives back.
      const started = performance.now()
      expect(await h.engine.deadlines.advance()).toEqual({ fired: 30, instances: 30, failed: [] })
      expect(performance.now() - started).toBeGreaterThanOrEqual(SQLITE_HOLD_MS / 2) // it did wait for the holder
      await claimer.crash()
    }
    for (const id of ids) {
      expect(timeoutsOf(await h.engine.instances.history(id, ADMIN))).toBe(1)
      expect((await h.engine.instances.get(id, ADMIN)).status).toBe('completed')
    }
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 0, instances: 0, failed: [] })
  })

  it('fires in batches, more than a round writes at once, with the fewest connections a server may have', { timeout: 120_000 }, async () => {
    // Four batches of 500: on PostgreSQL the fourth is claimed while three are being written.
    const ids = await awaitingConfirmation(h.engine, 1_600)
    const store = await Store.open(h.database, { poolSize: 2 })
    try {
      const engine = new Engine({ store, clock: new ManualClock(DUE) })
      expect(await engine.deadlines.advance()).toEqual({ fired: 1_600, instances: 1_600, failed: [] })
    } finally {
      await store.close()
    }
    for (const id of [ids[0], ids[499], ids[500], ids[1_599]] as string[]) expect(timeoutsOf(await h.engine.instances.history(id, ADMIN))).toBe(1)
  })

  it('fires with a cold process catalog and a single connection: a claim never waits for a second one', async () => {
    await awaitingConfirmation(h.engine, 5)
    const store = await Store.open(h.database, { poolSize: 1 })
    try {
      const cold = new Engine({ store, clock: new ManualClock(DUE) }) // has compiled no definition yet
      expect(await cold.deadlines.advance()).toEqual({ fired: 5, instances: 5, failed: [] })
    } finally {
      await store.close()
    }
  })

  it('fires the others when one process version can no longer be compiled, and reports its instances as failed', async () => {
    const ok = await awaitingConfirmation(h.engine, 3)
    const broken = await awaitingBroken(2)
    const cold = new Engine({ store: h.store, clock: new ManualClock(DUE) })
    const report = await cold.deadlines.advance()
    expect(report).toMatchObject({ fired: 3, instances: 3 })
    expect([...report.failed].sort()).toEqual([...broken].sort())
    for (const id of ok) expect((await h.engine.instances.get(id, ADMIN)).status).toBe('completed')
  })

  it('fires the rest of a batch one at a time when its write fails, and reports the instance that cannot be written', async () => {
    const ids = await awaitingConfirmation(h.engine, 6)
    const bad = ids[2] as string
    // A stray event in the place the fired deadline's event would take: that write must fail.
    const { last_seq: lastSeq } = await h.store.db.selectFrom('instance').select('last_seq').where('id', '=', bad).executeTakeFirstOrThrow()
    await h.store.db.insertInto('event').values({
      instance_id: bad, seq: lastSeq + 1, type: 'stray', at: T0, fired_at: null, step: null, action: null, actor_role: null, actor_subject: null, payload: '{}',
    }).execute()
    h.clock.set(DUE)
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 5, instances: 5, failed: [bad] })
    for (const id of ids) {
      expect(timeoutsOf(await h.engine.instances.history(id, ADMIN))).toBe(id === bad ? 0 : 1)
      expect((await h.engine.instances.get(id, ADMIN)).status).toBe(id === bad ? 'active' : 'completed')
    }
  })

  it('fires the instances due after more failing ones than a round once gave up on', { timeout: 120_000 }, async () => {
    // More overdue than the others, so every claim of the round meets them first.
    const broken = await awaitingBroken(2_050)
    h.clock.advance('PT1S')
    const ok = await awaitingConfirmation(h.engine, 3, BASIC_VERSION)
    const report = await new Engine({ store: h.store, clock: new ManualClock('2026-01-16T00:00:00Z') }).deadlines.advance()
    expect(report).toMatchObject({ fired: 3, instances: 3 })
    expect(new Set(report.failed)).toEqual(new Set(broken))
    for (const id of ok) expect((await h.engine.instances.get(id, ADMIN)).status).toBe('completed')
  })
})

const BASIC = readFileSync(join(BUILT_IN_PROCESS_DIR, 'basic.yaml'), 'utf8')
/** The built-in basic process's version, the one the harness registers. */
const BASIC_VERSION = Number(/^version: (\d+)$/m.exec(BASIC)?.[1])

/** `count` deliveries awaiting confirmation on the next version of basic, whose stored source is then broken so it no longer compiles. */
async function awaitingBroken(count: number): Promise<string[]> {
  const next = BASIC_VERSION + 1
  await h.engine.processes.register(BASIC.replace(`version: ${BASIC_VERSION}`, `version: ${next}`), 'basic-next.yaml')
  const ids = await awaitingConfirmation(h.engine, count, next)
  await h.store.db.updateTable('process_definition').set({ source: `id: basic\nversion: ${next}\n` }).where('id', '=', 'basic').where('version', '=', next).execute()
  return ids
}
