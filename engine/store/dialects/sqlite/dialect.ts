import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { GroupWriter } from '../../commit-group.js'
import type { Database } from '../../database.js'
import type { StoreDialect } from '../../dialect.js'
import type { GroupTransaction } from '../../write-plan.js'
import { writeGroup } from '../../write-plan.js'
import type { SqliteOptions } from './connection.js'
import { openSqlite } from './connection.js'
import { threadWriter } from './writer.js'
import { relaxPublicEvents } from './migrations.js'

/**
 * Writes groups straight on the SQLite connection behind `db` (`begin` from `openSqlite`), on the
 * event loop: Kysely's hold on its one connection keeps every other query out until the group is
 * committed, and the statements skip the driver's per-query work.
 */
export function connectionWriter(db: Kysely<Database>, begin: () => Promise<GroupTransaction>): GroupWriter {
  return { write: (units) => db.connection().execute(() => writeGroup(begin, units)), depth: 1, close: () => Promise.resolve() }
}

/**
 * Opens (creating if needed) a SQLite file as the store's database. Groups are written on the
 * event loop's connection, or on a writer thread with `writerThread` (but for `:memory:`, which
 * one connection alone sees), and commits are grouped by default (each fsync is costly). One
 * writer at a time: claims take no row locks, and a single statement is serialised by the write
 * lock it holds.
 */
export function sqliteDialect(file: string, options: SqliteOptions = {}): StoreDialect {
  const { db, begin } = openSqlite(file, options)
  const threaded = file !== ':memory:' && options.writerThread === true
  return {
    name: 'sqlite',
    db,
    writer: threaded ? threadWriter(file, options) : connectionWriter(db, begin),
    groupCommit: true,
    batchReads: false,
    claims: { rowLocks: false },
    outbox: { transactionId: sql<number>`0`, visibleBefore: undefined, keyType: 'integer', autoIncrement: (column) => column.primaryKey().autoIncrement(), relaxPublicEvents },
    serialised: (_key, work) => work(db),
    migrationSchema: () => Promise.resolve(undefined),
  }
}
