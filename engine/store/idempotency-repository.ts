import type { Kysely } from 'kysely'
import type { Database, IdempotencyKeyTable } from './database.js'

export type IdempotencyRow = IdempotencyKeyTable

/** The answer an idempotency key replays: the response body and its media type. */
export interface StoredResponse {
  readonly body: string
  readonly type: string
}

/**
 * The answer to a request that claimed an idempotency key, written in the same transaction as
 * the change it answers: a server dying between the two can then never leave a key that acted
 * but cannot replay.
 */
export interface Receipt {
  readonly principal: string
  readonly key: string
  readonly status: number
  readonly response: StoredResponse
}

/** Stores `receipt`'s answer on its key, through `db` (the caller's transaction, or the database). */
export async function storeReceipt(db: Kysely<Database>, { principal, key, status, response }: Receipt): Promise<void> {
  await db.updateTable('idempotency_key').set({ status, response: JSON.stringify(response) })
    .where('principal', '=', principal).where('key', '=', key).execute()
}

/** The answer stored on a completed key's row. */
export function storedResponse(row: IdempotencyRow): StoredResponse | undefined {
  return row.response === null ? undefined : JSON.parse(row.response) as StoredResponse
}

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

  /** Stores the answer of the request that claimed the key. */
  async complete(receipt: Receipt): Promise<void> {
    await storeReceipt(this.#db, receipt)
  }

  /**
   * Takes over a key whose first request has held it unanswered since `claimedAt` (its server
   * died before it committed anything: an answered write stores its receipt in its own
   * transaction); returns false when another request got there first.
   */
  async takeOver(row: IdempotencyRow, claimedAt: string): Promise<boolean> {
    const { numUpdatedRows } = await this.#db.updateTable('idempotency_key')
      .set({ request_hash: row.request_hash, created_at: row.created_at, expires_at: row.expires_at })
      .where('principal', '=', row.principal).where('key', '=', row.key)
      .where('status', 'is', null).where('created_at', '=', claimedAt)
      .executeTakeFirstOrThrow()
    return numUpdatedRows > 0n
  }

  /** Gives an unanswered key back (its request failed on the server's side), so a retry runs anew. */
  async release(principal: string, key: string): Promise<void> {
    await this.#db.deleteFrom('idempotency_key').where('principal', '=', principal).where('key', '=', key).where('status', 'is', null).execute()
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
