import BetterSqlite3 from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { Kysely, SqliteDialect } from 'kysely'
import type { SqliteDatabase } from 'kysely'
import type { Database } from '../database.js'

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
export function openSqlite(file: string, options: SqliteOptions = {}): Kysely<Database> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(connectSqlite(file, options)) }) })
}

/** A connection to the SQLite file, in WAL mode with the durability and lock wait of `options`. */
export function connectSqlite(file: string, options: SqliteOptions = {}): BetterSqlite3.Database {
  const connection = new BetterSqlite3(file)
  connection.pragma('journal_mode = WAL')
  connection.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`)
  connection.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`)
  connection.pragma('foreign_keys = ON')
  return connection
}

/** Distinct SQL texts whose prepared statements are kept; queries with `in (...)` lists vary in length. */
const STATEMENT_CACHE_SIZE = 2048

/**
 * Kysely prepares every query anew; preparing costs as much as running a small statement. The
 * statements are reused by their SQL text instead (better-sqlite3 runs them synchronously, so one
 * statement is never used by two queries at once). The oldest text is dropped when the cache is full.
 */
function withStatementCache(connection: BetterSqlite3.Database): SqliteDatabase {
  return { close: () => connection.close(), prepare: statementCache(connection) }
}

/** `connection.prepare`, keeping the statements of the last {@link STATEMENT_CACHE_SIZE} SQL texts for reuse. */
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
