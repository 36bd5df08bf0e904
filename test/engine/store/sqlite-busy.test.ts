import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSqlite } from '../../../engine/store/dialects/sqlite/connection.js'

// A group transaction waits for another process's write lock for the whole busy timeout, on the
// clock, even while signals cut SQLite's sleeps short (a profiler sends dozens a second; here a
// child process sends SIGUSR2, which this process handles, every few milliseconds).

const HOLD_MS = 700
let dir: string
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'dc-sqlite-busy-')) })
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** The database `file`, with a table (an empty file is not in WAL mode yet), opened to wait `busyTimeoutMs` for a lock. */
async function opened(file: string, busyTimeoutMs: number): Promise<ReturnType<typeof openSqlite>> {
  const sqlite = openSqlite(file, { busyTimeoutMs })
  const transaction = await sqlite.begin()
  await transaction.run('create table t (x integer)', [])
  await transaction.commit()
  return sqlite
}

/** Another process holding the write lock of `file` for {@link HOLD_MS}, then committing; resolves once it holds it. */
async function holder(file: string): Promise<{ exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    import Database from 'better-sqlite3'
    const db = new Database(process.argv[1])
    db.exec('begin immediate')
    process.stdout.write('held\\n')
    setTimeout(() => { db.exec('commit'); db.close() }, ${HOLD_MS})
  `, file], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  await new Promise((resolve) => child.stdout.once('data', resolve))
  return { exited }
}

/** Runs `work` while a child process sends this one SIGUSR2 (handled, so each cuts a sleep short) every 2 ms. */
async function underSignals(work: () => Promise<void>): Promise<void> {
  const onSignal = (): void => undefined
  process.on('SIGUSR2', onSignal)
  const signals = spawn('sh', ['-c', `while kill -USR2 ${process.pid} 2>/dev/null; do sleep 0.002; done`], { stdio: 'ignore' })
  try {
    await work()
  } finally {
    signals.kill()
    process.off('SIGUSR2', onSignal)
  }
}

describe('a SQLite write', () => {
  it('of a group takes the write lock once another process lets it go, though signals cut the waits short', async () => {
    const file = join(dir, 'busy.db')
    const { db, begin } = await opened(file, 5_000)
    try {
      await underSignals(async () => {
        const { exited } = await holder(file)
        const started = performance.now()
        const transaction = await begin()
        expect(performance.now() - started).toBeGreaterThan(HOLD_MS / 2) // it did wait for the holder
        await transaction.run('insert into t (x) values (1)', [])
        await transaction.commit()
        await exited
      })
    } finally {
      await db.destroy()
    }
  })

  it('through the query builder, out of a transaction, waits the same', async () => {
    const file = join(dir, 'busy.db')
    const { db } = await opened(file, 5_000)
    try {
      await underSignals(async () => {
        const { exited } = await holder(file)
        const started = performance.now()
        await sql`insert into t (x) values (2)`.execute(db)
        expect(performance.now() - started).toBeGreaterThan(HOLD_MS / 2)
        await exited
      })
      expect((await sql<{ x: number }>`select x from t`.execute(db)).rows).toEqual([{ x: 2 }])
    } finally {
      await db.destroy()
    }
  })

  it('fails once the busy timeout has passed on the clock', async () => {
    const file = join(dir, 'busy.db')
    const { db, begin } = await opened(file, 200)
    try {
      const { exited } = await holder(file)
      await expect(begin()).rejects.toMatchObject({ code: 'SQLITE_BUSY' })
      await exited
    } finally {
      await db.destroy()
    }
  })
})
