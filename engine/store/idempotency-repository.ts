import type { Kysely } from 'kysely'
import type { Database, IdempotencyKeyTable } from './database.js'
import { statementOf } from './write-plan.js'
import type { PlannedStatement } from './write-plan.js'

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
  /** The `claim_token` of the request: only the request holding the key may answer it. */
  readonly token: string
  readonly status: number
  readonly response: StoredResponse
}

/**
 * The update storing `receipt`'s answer on its key, if its request still holds the key (not yet
 * answered); with `requestHash`, the request's fingerprint becomes that (an upload's, once its bytes are hashed).
 */
function answerKey(db: Kysely<Database>, { principal, key, token, status, response }: Receipt, requestHash?: string) {
  return db.updateTable('idempotency_key').set({ status, response: JSON.stringify(response), ...(requestHash === undefined ? {} : { request_hash: requestHash }) })
    .where('principal', '=', principal).where('key', '=', key).where('claim_token', '=', token).where('status', 'is', null)
}

/**
 * The statement storing `receipt`'s answer in a write's own transaction: a request whose key was
 * taken over by a retry must not write, so its whole unit is refused (`idempotency.in-progress`).
 */
export function receiptStatement(db: Kysely<Database>, receipt: Receipt): PlannedStatement {
  return statementOf(answerKey(db, receipt), {
    rows: 1, code: 'idempotency.in-progress', message: `A retry with Idempotency-Key "${receipt.key}" took over this request; its answer is the retry's.`,
  })
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

  /**
   * Stores the answer of the request that claimed the key, unless a retry took the key over; with
   * `requestHash`, replaces the fingerprint a retry must match (an upload's includes its file's hash).
   */
  async complete(receipt: Receipt, requestHash?: string): Promise<void> {
    await answerKey(this.#db, receipt, requestHash).execute()
  }

  /**
   * Takes over a key that `existing`'s request has held unanswered too long, for `row`'s request
   * (with its new token); returns false when another request got there first.
   */
  async takeOver(row: IdempotencyRow, existing: IdempotencyRow): Promise<boolean> {
    const { numUpdatedRows } = await this.#db.updateTable('idempotency_key')
      .set({ request_hash: row.request_hash, created_at: row.created_at, expires_at: row.expires_at, claim_token: row.claim_token })
      .where('principal', '=', row.principal).where('key', '=', row.key).where('status', 'is', null)
      .where('claim_token', existing.claim_token === null ? 'is' : '=', existing.claim_token)
      .executeTakeFirstOrThrow()
    return numUpdatedRows > 0n
  }

  /** Gives an unanswered key back (its request failed on the server's side), if `token`'s request still holds it, so a retry runs anew. */
  async release(principal: string, key: string, token: string): Promise<void> {
    await this.#db.deleteFrom('idempotency_key')
      .where('principal', '=', principal).where('key', '=', key).where('claim_token', '=', token).where('status', 'is', null)
      .execute()
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
