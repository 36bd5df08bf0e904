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
}
