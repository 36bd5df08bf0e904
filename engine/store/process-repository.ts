import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { Database, ProcessDefinitionTable } from './database.js'
import type { StoreDialect } from './dialect.js'
import { prepared, slot } from './prepared.js'

export type ProcessRow = ProcessDefinitionTable

/** What identifies a registered version and who may use it, without its text. */
export type ProcessHead = Pick<ProcessRow, 'id' | 'version' | 'owner' | 'owner_role'>

/** A registered version as listed: without its text. */
export type ProcessListing = Pick<ProcessRow, 'id' | 'version' | 'title' | 'owner' | 'owner_role' | 'registered_at'>

const LISTING = ['id', 'version', 'title', 'owner', 'owner_role', 'registered_at'] as const

/** Reads and writes registered process definitions (every version of each). */
export class ProcessRepository {
  readonly #db: Kysely<Database>
  readonly #serialised: StoreDialect['serialised']
  /** `serialised` (the dialect's): runs a registration so that no other one of the same process runs meanwhile. */
  constructor(db: Kysely<Database>, serialised: StoreDialect['serialised']) {
    this.#db = db
    this.#serialised = serialised
  }

  /** The definition with this id and version, or undefined. */
  async find(id: string, version: number): Promise<ProcessRow | undefined> {
    return this.#db.selectFrom('process_definition').selectAll().where('id', '=', id).where('version', '=', version).executeTakeFirst()
  }

  /** The id, version and hash of the public versions stored with one of `hashes` (the hashes of their texts). */
  async publicWithHashes(hashes: readonly string[]): Promise<Array<Pick<ProcessRow, 'id' | 'version' | 'hash'>>> {
    if (hashes.length === 0) return []
    return this.#db.selectFrom('process_definition').select(['id', 'version', 'hash']).where('hash', 'in', hashes).where('owner', 'is', null).execute()
  }

  /** The id, version and owner of the highest version of the process (a small indexed read: no text), or undefined. */
  async latestHead(id: string): Promise<ProcessHead | undefined> {
    const latest = prepared(this.#db, 'latest process head', (db) => db.selectFrom('process_definition').select(['id', 'version', 'owner', 'owner_role'])
      .where('id', '=', slot('id')).orderBy('version', 'desc').limit(1))
    return (await latest.execute(this.#db, { id })).rows[0]
  }

  /** The highest version of the process, or undefined when it is not registered. */
  async latest(id: string): Promise<ProcessRow | undefined> {
    return this.#db.selectFrom('process_definition').selectAll().where('id', '=', id).orderBy('version', 'desc').limit(1).executeTakeFirst()
  }

  /**
   * Inserts a new definition version, unless that id and version exist already or the process's
   * other versions belong to another owner; returns whether it was inserted. Atomic: one
   * statement, serialised with the other registrations of the process by the dialect, so two
   * servers registering versions of one process for different owners at once cannot both succeed.
   */
  async insert(row: ProcessRow): Promise<boolean> {
    return this.#serialised(`process_definition:${row.id}`, async (db) => {
      const result = await sql`insert into process_definition (id, version, title, source, hash, owner, owner_role, registered_at, base)
        select ${row.id}, cast(${row.version} as integer), ${row.title}, ${row.source}, ${row.hash}, ${row.owner}, ${row.owner_role}, ${row.registered_at}, ${row.base}
        where not exists (select 1 from process_definition where id = ${row.id} and (owner is distinct from ${row.owner} or owner_role is distinct from ${row.owner_role}))
        on conflict (id, version) do nothing`.execute(db)
      return (result.numAffectedRows ?? 0n) > 0n
    })
  }

  /** Every registered version, by id then version, without the texts. */
  async list(): Promise<ProcessListing[]> {
    return this.#db.selectFrom('process_definition').select(LISTING).orderBy('id').orderBy('version').execute()
  }

  /** The registered versions of one process, oldest first, without the texts. */
  async versions(id: string): Promise<ProcessListing[]> {
    return this.#db.selectFrom('process_definition').select(LISTING).where('id', '=', id).orderBy('version').execute()
  }
}
