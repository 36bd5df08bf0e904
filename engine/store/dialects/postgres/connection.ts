import type pg from 'pg'
import { Kysely, PostgresDialect } from 'kysely'
import type { Database } from '../../database.js'

export interface PostgresOptions {
  /** Connections kept per server process (default 10): concurrent acts each hold one for their transaction. */
  readonly poolSize?: number
}

const INT8_OID = 20
const CONNECTION_TIMEOUT_MS = 30_000

/**
 * 64-bit integers (counts, and every `integer` on CockroachDB) come back as strings by default;
 * every one the store keeps is far below 2^53, so they are read as numbers.
 */
function typeParsers(types: typeof pg.types): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === INT8_OID) return (value: string) => Number(value)
      return format === 'binary' ? types.getTypeParser(oid, 'binary') : types.getTypeParser(oid, 'text')
    }) as pg.CustomTypesConfig['getTypeParser'],
  }
}

/**
 * The PostgreSQL driver, loaded when a PostgreSQL database is first opened: a process on SQLite
 * never loads it (it and what it loads of Node.js cost about 70 ms of a command's start).
 */
export async function postgresDriver(): Promise<typeof pg> {
  return (await import('pg')).default
}

/** True when `location` is a PostgreSQL connection URL rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location)
}

/**
 * Connects to PostgreSQL through a pool: Kysely on it, and the pool itself for the writer's batches. The URL may carry libpq parameters, e.g.
 * `?options=-c%20search_path%3Dtenant_a` to use another schema. Commits are durable as the
 * server's `synchronous_commit` says (on by default); concurrent commits already share their
 * WAL flushes, so no grouping is needed on this side.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<{ db: Kysely<Database>; pool: pg.Pool }> {
  const pg = await postgresDriver()
  const pool = new pg.Pool({
    connectionString: url, max: options.poolSize ?? 10, types: typeParsers(pg.types),
    // A request that cannot get a connection fails (and is retried) rather than waiting for ever.
    connectionTimeoutMillis: CONNECTION_TIMEOUT_MS,
  })
  // An idle connection's error (a server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined)
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), pool }
}

/** One connection outside the pool, for administrative SQL (creating schemas, seeding, checks), closed after `work`. */
export async function withPostgresClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new (await postgresDriver()).Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** `url` with its connections' search_path set to `schema`, so the store keeps its tables there. */
export function inSchema(url: string, schema: string): string {
  const scoped = new URL(url)
  scoped.searchParams.set('options', `-c search_path=${schema}`)
  return scoped.toString()
}
