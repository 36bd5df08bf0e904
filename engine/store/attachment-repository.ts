import type { Kysely } from 'kysely'
import type { AttachmentTable, Database } from './database.js'

export type AttachmentRow = AttachmentTable

/** What one uploader stored after a given instant: for the upload quota. */
export interface UploadUsage {
  /** How many files. */
  readonly files: number
  /** Their total size in bytes. */
  readonly bytes: number
  /** When the earliest of them was stored (ISO-8601), null when there is none. */
  readonly earliest: string | null
}

/** An upload that may be deleted: its id and the file that holds its bytes. */
export interface UnattachedUpload {
  readonly id: string
  readonly storageKey: string
}

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

  /**
   * The files `uploader` stored after `since` (ISO-8601), counted from the table itself (the
   * index `attachment_uploader`), so the count holds across restarts and every server on the database.
   */
  async usageSince(uploader: { readonly role: string; readonly subject: string }, since: string): Promise<UploadUsage> {
    const row = await this.#db.selectFrom('attachment')
      .select((eb) => [eb.fn.countAll().as('files'), eb.fn.sum('size').as('bytes'), eb.fn.min('created_at').as('earliest')])
      .where('uploaded_by_role', '=', uploader.role).where('uploaded_by_subject', '=', uploader.subject).where('created_at', '>', since)
      .executeTakeFirstOrThrow()
    // PostgreSQL returns count and sum as strings (bigint, numeric); both fit a double here.
    return { files: Number(row.files), bytes: Number(row.bytes ?? 0), earliest: row.earliest ?? null }
  }

  /** Up to `limit` uploads stored before `before` (ISO-8601) and never attached to an instance, oldest first. */
  async unattachedBefore(before: string, limit: number): Promise<UnattachedUpload[]> {
    const rows = await this.#db.selectFrom('attachment').select(['id', 'storage_key'])
      .where('instance_id', 'is', null).where('created_at', '<', before)
      .orderBy('created_at').limit(limit)
      .execute()
    return rows.map((row) => ({ id: row.id, storageKey: row.storage_key }))
  }

  /**
   * Deletes the uploads among `ids` that are still not attached (one attached meanwhile stays),
   * all or nothing; returns the storage keys of those it deleted, whose files may then go.
   */
  async deleteUnattached(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return []
    const rows = await this.#db.deleteFrom('attachment')
      .where('id', 'in', ids).where('instance_id', 'is', null)
      .returning('storage_key')
      .execute()
    return rows.map((row) => row.storage_key)
  }
}
