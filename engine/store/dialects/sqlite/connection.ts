import BetterSqlite3 from 'better-sqlite3'
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { Kysely, SqliteDialect } from 'kysely'
import type { SqliteStatement } from 'kysely'
import type { Database } from '../../database.js'
import type { GroupTransaction } from '../../write-plan.js'

/** How hard a commit waits for the disk; `full` (the default) survives power loss in WAL mode. */
export type Durability = 'full' | 'normal'

export interface SqliteOptions {
  readonly durability?: Durability
  /** How long a writer waits for another process's lock before failing, in milliseconds. */
  readonly busyTimeoutMs?: number
  /**
   * Whether instances are written on a thread of their own, through a second connection (opt-in:
   * more acts per second, about 20 MB more memory at rest and more under load; a `:memory:`
   * database, which one connection alone sees, is always written in place).
   */
  readonly writerThread?: boolean
}

/**
 * Opens (creating if needed) a SQLite database file in WAL mode, so readers never block the one
 * writer and several processes can share the file.
 */
export function openSqlite(file: string, options: SqliteOptions = {}): { db: Kysely<Database>; begin: () => Promise<GroupTransaction> } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const connection = connectSqlite(file, options)
  const prepare = statementCache(connection)
  // Kysely's writes out of a transaction (a token's last use, an idempotency key) wait for the
  // write lock on the clock too (see lockWait); a statement that starts a transaction is one.
  const waiting = lockWait(connection)
  const kyselyPrepare = (sql: string): SqliteStatement => {
    const statement = prepare(sql)
    return statement.reader ? statement : { reader: false, all: (p) => statement.all(p), iterate: (p) => statement.iterate(p), run: (p) => waiting(() => statement.run(p)) }
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: { close: () => connection.close(), prepare: kyselyPrepare } }) })
  return { db, begin: transactions(connection, prepare) }
}

/**
 * Runs `write` (a statement out of any transaction, or one that starts one) on `connection`
 * until it no longer fails for another process's lock (SQLITE_BUSY) or the busy timeout has
 * passed on the clock. SQLite counts the busy timeout in the sleeps it asks for, not in the time
 * that passes: a signal cuts each sleep short (a profiler's, dozens a second), and its wait then
 * ends in a fraction of the timeout. Inside a transaction, a refused statement is the caller's to
 * handle (the transaction may have to be rolled back).
 */
function lockWait(connection: BetterSqlite3.Database): <T>(write: () => T) => T {
  const waitMs = Number(connection.pragma('busy_timeout', { simple: true }))
  return (write) => {
    const started = performance.now()
    for (;;) {
      try {
        return write()
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || connection.inTransaction || performance.now() - started >= waitMs) throw error
      }
    }
  }
}

/**
 * Group transactions run straight on a connection (no query builder or driver between): `begin
 * immediate` takes the write lock at once, waiting for another writer up to the busy timeout (on
 * the clock: see lockWait), so a group never fails half way for want of it. The caller must have
 * the connection to itself.
 */
export function transactions(connection: BetterSqlite3.Database, prepare: (sql: string) => BetterSqlite3.Statement): () => Promise<GroupTransaction> {
  const run = (sql: string, parameters: readonly unknown[]): number => prepare(sql).run(parameters).changes
  const waiting = lockWait(connection)
  const begin = (): void => void waiting(() => run('begin immediate', []))
  const transaction: GroupTransaction = {
    run: (sql, parameters) => Promise.resolve(run(sql, parameters)),
    commit: () => Promise.resolve(void run('commit', [])),
    // SQLite rolls a transaction back by itself on some errors (a full disk, say): nothing left to do then.
    rollback: () => Promise.resolve(connection.inTransaction ? void run('rollback', []) : undefined),
  }
  // Run at once (synchronously, as the lock is waited for); a failure is the promise's.
  return async () => {
    begin()
    return transaction
  }
}

/** A connection to the SQLite file, in WAL mode with the durability and lock wait of `options`. */
export function connectSqlite(file: string, options: SqliteOptions = {}): BetterSqlite3.Database {
  const created = file !== ':memory:' && !existsSync(file)
  const connection = new BetterSqlite3(file)
  // A new database holds people's data: readable by the server's own user only (SQLite gives its
  // -wal and -shm files the database's permissions). An existing file keeps those it was given.
  if (created) chmodSync(file, 0o600)
  connection.pragma('journal_mode = WAL')
  connection.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`)
  connection.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`)
  connection.pragma('foreign_keys = ON')
  return connection
}

/** Distinct SQL texts whose prepared statements are kept; queries with `in (...)` lists vary in length. */
const STATEMENT_CACHE_SIZE = 2048

/**
 * `connection.prepare`, keeping the statements of the last {@link STATEMENT_CACHE_SIZE} SQL texts
 * for reuse: Kysely prepares every query anew, and preparing costs as much as running a small
 * statement (better-sqlite3 runs them synchronously, so one statement is never used by two queries
 * at once). The oldest text is dropped when the cache is full.
 */
export function statementCache(connection: BetterSqlite3.Database): (sql: string) => BetterSqlite3.Statement {
  const statements = new Map<string, BetterSqlite3.Statement>()
  return (sql) => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = connection.prepare(sql)
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string)
      statements.set(sql, statement)
    }
    return statement
  }
}
