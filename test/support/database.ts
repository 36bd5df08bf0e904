import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import BetterSqlite3 from 'better-sqlite3'
import { Migrator } from 'kysely'
import type { Kysely } from 'kysely'
import { Engine, isPostgresUrl, realClock, Store } from '../../engine/index.js'
import type { Database, InstancePartyTable } from '../../engine/store/database.js'
import { openDialect } from '../../engine/store/dialects/index.js'
import { migrationProvider } from '../../engine/store/migrations.js'
import { inSchema, withPostgresClient } from '../../engine/store/dialects/postgres/connection.js'

/**
 * The database the suite runs on: PostgreSQL when `DATABASE_URL` names one (each test then gets
 * a schema of its own in it), else a fresh SQLite file per test.
 */
export const POSTGRES_URL = isPostgresUrl(process.env['DATABASE_URL'] ?? '') ? process.env['DATABASE_URL'] as string : undefined
export const DIALECT = POSTGRES_URL ? 'postgres' : 'sqlite'

export interface TestDatabase {
  /** What `Store.open` and `--db` take: a SQLite file, or a PostgreSQL URL whose search_path is the test's schema. */
  readonly location: string
  /** A fresh temp directory beside it, for attachments and other files. */
  readonly dir: string
  /** Deletes the test's schema on PostgreSQL (a SQLite file is left in the temp directory). */
  drop(): Promise<void>
}

/** A new, empty database for one test. */
export async function freshDatabase(prefix = 'dc-test-'): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  if (!POSTGRES_URL) return { location: join(dir, 'delivery.db'), dir, drop: () => Promise.resolve() }
  const schema = `t_${randomUUID().replaceAll('-', '')}`
  await withPostgresClient(POSTGRES_URL, (client) => client.query(`create schema ${schema}`))
  return {
    location: inSchema(POSTGRES_URL, schema), dir,
    drop: () => withPostgresClient(POSTGRES_URL, (client) => client.query(`drop schema if exists ${schema} cascade`)).then(() => undefined),
  }
}

/** A SQLite database migrated once per worker process, copied by {@link migratedDatabase}. */
let template: Promise<string> | undefined

/**
 * A new database for one test, migrated as `Store.open` leaves a new one: on SQLite a copy of one
 * migrated once per worker process (3 ms instead of the 35 ms of migrating each), on PostgreSQL a
 * fresh schema (`Store.open` migrates it).
 */
export async function migratedDatabase(prefix = 'dc-test-'): Promise<TestDatabase> {
  const database = await freshDatabase(prefix)
  if (POSTGRES_URL) return database
  template ??= (async () => {
    const { location } = await freshDatabase('dc-template-')
    await (await Store.open(location)).close()
    return location
  })()
  copyFileSync(await template, database.location)
  return database
}

/** A SQLite database with the built-in processes registered, once per worker process, copied by {@link registeredDatabase}. */
let registered: Promise<string> | undefined

/**
 * A new database for one test as a server that has run on it leaves it: migrated, with the
 * built-in processes registered. A server started on it finds them stored and compiles none (a
 * second of CPU less than on a new database); on SQLite a copy of one made once per worker
 * process, on PostgreSQL a fresh schema registered in this process. For tests of what a server
 * does after its first start; the first start itself runs on {@link freshDatabase}.
 */
export async function registeredDatabase(prefix = 'dc-test-'): Promise<TestDatabase> {
  const register = async (location: string): Promise<void> => {
    const store = await Store.open(location)
    try {
      await new Engine({ store, clock: realClock }).processes.registerBuiltIns()
    } finally {
      await store.close()
    }
  }
  const database = await freshDatabase(prefix)
  if (POSTGRES_URL) {
    await register(database.location)
    return database
  }
  registered ??= (async () => {
    const { location } = await freshDatabase('dc-registered-')
    await register(location)
    return location
  })()
  copyFileSync(await registered, database.location)
  return database
}

/**
 * The database at `location` migrated up to `migration` and no further, as an older server left
 * it: to fill with rows of the time and open with this code (which runs the later migrations).
 * Destroy the connection when done.
 */
export async function migratedUpTo(location: string, migration: string): Promise<Kysely<Database>> {
  const dialect = await openDialect(location)
  const { db } = dialect
  // As Store does: Kysely's bookkeeping lives where the dialect says (PostgreSQL: the connection's own schema).
  const schema = await dialect.migrationSchema()
  const { error } = await new Migrator({ db, provider: migrationProvider(dialect.outbox), ...(schema ? { migrationTableSchema: schema } : {}) }).migrateTo(migration)
  if (error) {
    await db.destroy()
    throw error
  }
  return db
}

/**
 * Fills `location` as migration `migration` left it, `fill` copying rows into it from `from` (a
 * store of this code), then closes both: the old database a migration test opens with this code.
 */
export async function filledAsOf(location: string, migration: string, from: Store, fill: (to: Kysely<Database>, from: Kysely<Database>) => Promise<void>): Promise<void> {
  const db = await migratedUpTo(location, migration)
  try {
    await fill(db, from.db)
  } finally {
    await db.destroy()
    await from.close()
  }
}

/** The party rows of `db` as written before migration 0019: each with a `waiting` flag, 1 where `waiting_party` holds it. */
export async function partiesWithFlags(db: Kysely<Database>): Promise<Array<InstancePartyTable & { waiting: number }>> {
  const waiting = new Set((await db.selectFrom('waiting_party').select(['instance_id', 'role']).execute()).map((row) => `${row.instance_id} ${row.role}`))
  return (await db.selectFrom('instance_party').selectAll().execute()).map((row) => ({ ...row, waiting: waiting.has(`${row.instance_id} ${row.role}`) ? 1 : 0 }))
}

/** Every row of every table, for asserting that a rejection changed nothing. */
export async function snapshot(location: string): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {}
  if (isPostgresUrl(location)) {
    await withPostgresClient(location, async (client) => {
      const names = await client.query<{ name: string }>('select table_name as name from information_schema.tables where table_schema = current_schema() order by 1')
      for (const { name } of names.rows) tables[name] = sorted((await client.query(`select * from "${name}"`)).rows)
    })
    return tables
  }
  const db = new BetterSqlite3(location, { readonly: true })
  try {
    const names = db.prepare("select name from sqlite_master where type = 'table' order by name").all() as Array<{ name: string }>
    for (const { name } of names) tables[name] = sorted(db.prepare(`select * from "${name}"`).all())
  } finally {
    db.close()
  }
  return tables
}

function sorted(rows: unknown[]): unknown[] {
  return rows.map((row) => JSON.stringify(row)).sort().map((row) => JSON.parse(row) as unknown)
}
