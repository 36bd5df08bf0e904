import type { Kysely } from 'kysely'
import type { Database, ProcessDefinitionTable } from './database.js'
import { prepared, slot } from './prepared.js'

export type ProcessRow = ProcessDefinitionTable

/** What identifies a registered version and who may use it, without its text. */
export type ProcessHead = Pick<ProcessRow, 'id' | 'version' | 'owner'>

/** A registered version as listed: without its text. */
export type ProcessListing = Pick<ProcessRow, 'id' | 'version' | 'title' | 'owner' | 'registered_at'>

const LISTING = ['id', 'version', 'title', 'owner', 'registered_at'] as const

/** Reads and writes registered process definitions (every version of each). */
export class ProcessRepository {
  readonly #db: Kysely<Database>
  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** The definition with this id and version, or undefined. */
  async find(id: string, version: number): Promise<ProcessRow | undefined> {
    return this.#db.selectFrom('process_definition').selectAll().where('id', '=', id).where('version', '=', version).executeTakeFirst()
  }

  /** The id, version and owner of the highest version of the process (a small indexed read: no text), or undefined. */
  async latestHead(id: string): Promise<ProcessHead | undefined> {
    const latest = prepared(this.#db, 'latest process head', (db) => db.selectFrom('process_definition').select(['id', 'version', 'owner'])
      .where('id', '=', slot('id')).orderBy('version', 'desc').limit(1))
    return (await latest.execute(this.#db, { id })).rows[0]
  }

  /** The highest version of the process, or undefined when it is not registered. */
  async latest(id: string): Promise<ProcessRow | undefined> {
    return this.#db.selectFrom('process_definition').selectAll().where('id', '=', id).orderBy('version', 'desc').limit(1).executeTakeFirst()
  }

  /** Inserts a new definition version; returns false when that id and version already exist. */
  async insert(row: ProcessRow): Promise<boolean> {
    const result = await this.#db.insertInto('process_definition').values(row)
      .onConflict((oc) => oc.columns(['id', 'version']).doNothing())
      .executeTakeFirst()
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n
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
