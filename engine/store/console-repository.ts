import type { Kysely } from 'kysely'
import type { ConsoleLinkTable, ConsoleSessionTable, Database } from './database.js'

export type ConsoleLinkRow = ConsoleLinkTable
export type ConsoleSessionRow = ConsoleSessionTable

/**
 * People in the console: one-time sign-in links and the sessions they (or a pasted API token)
 * open, both stored by the SHA-256 hash of their secret. Instants are ISO 8601 UTC text, so they
 * compare as text.
 */
export class ConsoleRepository {
  readonly #db: Kysely<Database>
  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  async insertLink(row: ConsoleLinkRow): Promise<void> {
    await this.#db.insertInto('console_link').values(row).execute()
  }

  /** The link with this hash if it is unused and has not expired at `now`, without using it. */
  async findUsableLink(hash: string, now: string): Promise<ConsoleLinkRow | undefined> {
    return this.#db.selectFrom('console_link').selectAll()
      .where('hash', '=', hash).where('used_at', 'is', null).where('expires_at', '>', now)
      .executeTakeFirst()
  }

  /**
   * Uses the link with this hash at `now` if it is unused and has not expired, and returns it as
   * it now is; undefined otherwise (unknown, used or expired). One statement, so of two
   * redemptions at once exactly one gets the link, on either database.
   */
  async redeemLink(hash: string, now: string): Promise<ConsoleLinkRow | undefined> {
    return this.#db.updateTable('console_link').set({ used_at: now })
      .where('hash', '=', hash).where('used_at', 'is', null).where('expires_at', '>', now)
      .returningAll().executeTakeFirst()
  }

  async insertSession(row: ConsoleSessionRow): Promise<void> {
    await this.#db.insertInto('console_session').values(row).execute()
  }

  /** The session with this hash, whatever its state (expired, ended), or undefined. */
  async findSession(hash: string): Promise<ConsoleSessionRow | undefined> {
    return this.#db.selectFrom('console_session').selectAll().where('hash', '=', hash).executeTakeFirst()
  }

  /** Ends the session with this hash at `now`, unless it has already ended (its first end is kept). */
  async endSession(hash: string, now: string): Promise<void> {
    await this.#db.updateTable('console_session').set({ ended_at: now }).where('hash', '=', hash).where('ended_at', 'is', null).execute()
  }

  /** Deletes the links and sessions that expired before `before`; returns how many of each. */
  async sweep(before: string): Promise<{ links: number; sessions: number }> {
    const links = await this.#db.deleteFrom('console_link').where('expires_at', '<', before).executeTakeFirst()
    const sessions = await this.#db.deleteFrom('console_session').where('expires_at', '<', before).executeTakeFirst()
    return { links: Number(links.numDeletedRows), sessions: Number(sessions.numDeletedRows) }
  }

  /** Whether no link or session was ever made (or all have been swept). */
  async isEmpty(): Promise<boolean> {
    const link = await this.#db.selectFrom('console_link').select('hash').limit(1).executeTakeFirst()
    if (link) return false
    return (await this.#db.selectFrom('console_session').select('hash').limit(1).executeTakeFirst()) === undefined
  }
}
