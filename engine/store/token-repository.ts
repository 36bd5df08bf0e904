import type { Kysely } from 'kysely'
import type { ApiTokenTable, Database } from './database.js'
import { prepared, slot } from './prepared.js'

export type TokenRow = ApiTokenTable

/** API tokens, stored by the hash of their secret. */
export class TokenRepository {
  readonly #db: Kysely<Database>
  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async insert(row: TokenRow): Promise<void> {
    await this.#db.insertInto('api_token').values(row).execute()
  }

  /** The token with this hash, or undefined. */
  async find(hash: string): Promise<TokenRow | undefined> {
    // Every API request looks its token up: compiled once.
    const find = prepared(this.#db, 'find token', (db) => db.selectFrom('api_token').selectAll().where('hash', '=', slot('hash')))
    return (await find.execute(this.#db, { hash })).rows[0]
  }

  /** Whether the store holds no token at all (revoked and expired ones count). */
  async isEmpty(): Promise<boolean> {
    return (await this.#db.selectFrom('api_token').select('hash').limit(1).executeTakeFirst()) === undefined
  }

  /** Every token, oldest first (ties by hash). */
  async list(): Promise<TokenRow[]> {
    return this.#db.selectFrom('api_token').selectAll().orderBy('created_at').orderBy('hash').execute()
  }

  /**
   * Marks every token whose hash starts with `prefix` (its public id) as revoked at `at`, unless
   * it already is (the first revocation's time is kept), and returns those tokens as they now
   * are: none when no hash starts with it. Hashes are lower-case hex, so any other prefix (or
   * an empty one, which would match them all) matches none.
   */
  async revoke(prefix: string, at: string): Promise<TokenRow[]> {
    if (!/^[0-9a-f]{1,64}$/.test(prefix)) return []
    const pattern = `${prefix}%`
    await this.#db.updateTable('api_token').set({ revoked_at: at }).where('hash', 'like', pattern).where('revoked_at', 'is', null).execute()
    return this.#db.selectFrom('api_token').selectAll().where('hash', 'like', pattern).orderBy('hash').execute()
  }

  /** Records that the token with this hash authenticated a request at `at`. */
  async touch(hash: string, at: string): Promise<void> {
    await this.#db.updateTable('api_token').set({ last_used_at: at }).where('hash', '=', hash).execute()
  }
}
