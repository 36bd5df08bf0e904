import { existsSync } from 'node:fs'
import BetterSqlite3 from 'better-sqlite3'
import { isPostgresUrl, postgresDriver } from './postgres/connection.js'

/** Whether a database exists and holds the store's tables. */
export type DatabaseState = 'missing' | 'not-migrated' | 'migrated'

/** The table Kysely's migrator keeps its bookkeeping in: present once the store has been migrated. */
const MIGRATION_TABLE = 'kysely_migration'
/** How long to wait for PostgreSQL to accept the connection (an unreachable host must not hang a command). */
const CONNECT_TIMEOUT_MS = 30_000

/**
 * Looks at the database `location` names without creating or changing anything: a SQLite file
 * that does not exist is `missing`; a file, or a PostgreSQL schema (the connection's current
 * one), without the migrations' table is `not-migrated`.
 * @throws the driver's error when the file is not a SQLite database or PostgreSQL cannot be reached.
 */
export async function databaseState(location: string): Promise<DatabaseState> {
  if (isPostgresUrl(location)) {
    const client = new (await postgresDriver()).Client({ connectionString: location, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
    try {
      await client.connect()
      const { rows } = await client.query('select 1 from information_schema.tables where table_schema = current_schema() and table_name = $1', [MIGRATION_TABLE])
      return rows.length > 0 ? 'migrated' : 'not-migrated'
    } finally {
      await client.end()
    }
  }
  if (!existsSync(location)) return 'missing'
  const db = new BetterSqlite3(location, { fileMustExist: true })
  try {
    return db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(MIGRATION_TABLE) ? 'migrated' : 'not-migrated'
  } finally {
    db.close()
  }
}
