import type { ColumnDefinitionBuilder, Kysely, RawBuilder } from 'kysely'
import type { GroupWriter } from './commit-group.js'
import type { Database } from './database.js'
import type { DialectName } from './dialects/index.js'
import type { RevisionWrite } from './instance-writes.js'

// The seam between the portable store (repositories written once against Kysely) and the
// databases it runs on: everything that differs between SQLite and PostgreSQL is a member of
// StoreDialect, implemented under dialects/sqlite/ and dialects/postgres/. Code outside dialects/
// uses these members and never asks which database it is on.

export type { DialectName } from './dialects/index.js'

/**
 * How due instances are claimed. With `rowLocks` (PostgreSQL), claimed rows are locked with
 * `FOR UPDATE SKIP LOCKED`, so concurrent claimers take disjoint batches, and the batch's
 * outcomes are written in the claim's own transaction, many instances per statement. Without
 * (SQLite, one writer at a time), claimers take turns at the write lock and each outcome is
 * written through the commit group, only if its revision is unchanged.
 */
export type ClaimTraits =
  | { readonly rowLocks: false }
  | {
    readonly rowLocks: true
    /**
     * Stores each write whose instance is still at its expected revision, many per statement,
     * in `db` (the claim's transaction); resolves with the ids updated.
     */
    updateRevisions(db: Kysely<Database>, writes: readonly RevisionWrite[]): Promise<Set<string>>
  }

/**
 * How the outbox of public events is kept in an order readers can page through without missing a
 * row that commits later. Rows are read in `(tx, position)` order: `position` grows with every
 * insert, `tx` is the inserting transaction's id where transactions commit concurrently
 * (PostgreSQL), and a reader sees only rows of transactions older than every one still running
 * (`visibleBefore`), so no row can later appear before one already read. Where one writer
 * commits at a time (SQLite), `tx` is 0 and every committed row is visible. On PostgreSQL the
 * oldest running transaction is the cluster's: one left open (an idle session inside BEGIN)
 * holds the feed back until it ends.
 */
export interface OutboxOrder {
  /** The value of `tx` for a row inserted by the current transaction. */
  readonly transactionId: RawBuilder<number>
  /** The `tx` below which every row is committed and no new one can appear; undefined when all committed rows qualify. */
  readonly visibleBefore: RawBuilder<number> | undefined
  /** The column type of a growing integer key (64 bits where the database distinguishes). */
  readonly keyType: 'integer' | 'bigint'
  /** Makes `column` (of `keyType`) a primary key that grows with every insert, in a migration. */
  autoIncrement(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder
  /**
   * Lets `public_event` keep a delivery's event by reference (migration 0017): its `payload` may
   * be null, and its `id` is no longer unique (the index of a delivery's events finds it). Each
   * database its own way: PostgreSQL alters the table; SQLite, which can alter neither, copies it.
   */
  relaxPublicEvents(db: Kysely<unknown>): Promise<void>
}

/** An open database, with what the store does differently on it. */
export interface StoreDialect {
  /** Which database this is, for display only. */
  readonly name: DialectName
  /** The query builder on the database: every read, and the writes outside the commit group. */
  readonly db: Kysely<Database>
  /** Writes the commit group's groups of units of work, each group in one transaction. */
  readonly writer: GroupWriter
  /** Whether units of work arriving together share one commit, unless the store's options say otherwise. */
  readonly groupCommit: boolean
  /**
   * Whether the instances read at once (concurrent commands) are read with one query: where a
   * query is a round trip to a server (PostgreSQL), not where it is a call into the process (SQLite).
   */
  readonly batchReads: boolean
  /** How due instances are claimed. */
  readonly claims: ClaimTraits
  /** How the outbox of public events is ordered. */
  readonly outbox: OutboxOrder
  /**
   * Runs `work` so that no other call for the same `key` runs at the same time, in this process
   * or another sharing the database, and `work` is all or nothing. `work` must write with one
   * statement (on SQLite, where that statement holding the write lock is what serialises it).
   */
  serialised<T>(key: string, work: (db: Kysely<Database>) => Promise<T>): Promise<T>
  /** The schema Kysely's migrator keeps its bookkeeping tables in, or undefined for its default. */
  migrationSchema(): Promise<string | undefined>
}
