import type { Kysely } from 'kysely'
import type { Database, IdempotencyKeyTable } from './database.js'

export type IdempotencyRow = IdempotencyKeyTable

/** Idempotency keys and the responses they replay; shared by every server process on the database. */
export class IdempotencyRepository {
  readonly #db: Kysely<Database>
  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  /** Claims a key for a first request; returns false when the principal already used it. */
  async claim(row: IdempotencyRow): Promise<boolean> {
    const result = await this.#db.insertInto('idempotency_key').values(row)
      .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
      .executeTakeFirst()
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n
  }

  async find(principal: string, key: string): Promise<IdempotencyRow | undefined> {
    return this.#db.selectFrom('idempotency_key').selectAll().where('principal', '=', principal).where('key', '=', key).executeTakeFirst()
  }

  /** Stores the response of the request that claimed the key. */
  async complete(principal: string, key: string, status: number, response: string): Promise<void> {
    await this.#db.updateTable('idempotency_key').set({ status, response }).where('principal', '=', principal).where('key', '=', key).execute()
  }

  /** Gives a key back (its request failed on the server's side), so a retry runs anew. */
  async release(principal: string, key: string): Promise<void> {
    await this.#db.deleteFrom('idempotency_key').where('principal', '=', principal).where('key', '=', key).execute()
  }

  /** Deletes the key if it has expired at `now` (and only then: a fresh claim by another request stays). */
  async removeExpired(principal: string, key: string, now: string): Promise<void> {
    await this.#db.deleteFrom('idempotency_key').where('principal', '=', principal).where('key', '=', key).where('expires_at', '<=', now).execute()
  }

  /** Deletes keys that expired at or before `now`. */
  async purge(now: string): Promise<void> {
    await this.#db.deleteFrom('idempotency_key').where('expires_at', '<=', now).execute()
  }
}
