import type { StoreDialect } from '../dialect.js'
import type { PostgresOptions } from './postgres/connection.js'
import { isPostgresUrl } from './postgres/connection.js'
import { postgresDialect } from './postgres/dialect.js'
import type { SqliteOptions } from './sqlite/connection.js'
import { sqliteDialect } from './sqlite/dialect.js'

/** The database engines the store runs on: for display (logs, benchmarks), never branched on. */
export type DialectName = 'sqlite' | 'postgres'

/** Options of {@link openDialect}: those of whichever database the location names. */
export type DialectOptions = SqliteOptions & PostgresOptions

/** Opens the database `location` names: a `postgres://` URL, or a SQLite file path (created if missing). */
export async function openDialect(location: string, options: DialectOptions = {}): Promise<StoreDialect> {
  return isPostgresUrl(location) ? postgresDialect(location, options) : sqliteDialect(location, options)
}
