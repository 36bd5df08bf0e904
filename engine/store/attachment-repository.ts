import type { Kysely } from 'kysely'
import type { AttachmentTable, Database } from './database.js'

export type AttachmentRow = AttachmentTable

/** Metadata of uploaded files; the bytes themselves live in attachment storage. */
export class AttachmentRepository {
  readonly #db: Kysely<Database>
  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async insert(row: AttachmentRow): Promise<void> {
    await this.#db.insertInto('attachment').values(row).execute()
  }

  async find(id: string): Promise<AttachmentRow | undefined> {
    return this.#db.selectFrom('attachment').selectAll().where('id', '=', id).executeTakeFirst()
  }

  async findMany(ids: readonly string[]): Promise<AttachmentRow[]> {
    if (ids.length === 0) return []
    return this.#db.selectFrom('attachment').selectAll().where('id', 'in', ids).execute()
  }
}
