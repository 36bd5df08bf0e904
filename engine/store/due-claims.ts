import type { ControlledTransaction, Kysely, SelectQueryBuilder } from 'kysely'
import { EngineError } from '../errors.js'
import type { Event } from '../runtime/events.js'
import type { InstanceState } from '../runtime/state.js'
import type { WaitingChange } from '../runtime/waiting.js'
import type { CommitGroup } from './commit-group.js'
import { runThrough } from './commit-group.js'
import type { Database, EventTable } from './database.js'
import type { ClaimTraits, OutboxOrder } from './dialect.js'
import type { StoredInstance } from './instance-repository.js'
import { countFailureStatement, releaseUniqueStatement, eventRow, eventStatements, outboxRows, outboxStatements, updateStatement, waitingStatements } from './instance-writes.js'
import type { OutboxWrite, WaitingWrite } from './instance-writes.js'
import { runStatement } from './write-plan.js'
import type { WritePlan } from './write-plan.js'

/** An instance claimed for firing its due deadlines, with how many attempts in a row at that have failed. */
export interface ClaimedInstance extends StoredInstance {
  readonly fireFailures: number
}

/** A place in the order due instances are claimed in: by deadline, then id. */
export interface DueCursor {
  readonly due: string
  readonly id: string
}

/**
 * What to write for a claimed instance: its new state and events (`append`), or one more failed
 * attempt at firing it (`count-failure`).
 */
export type ClaimWrite =
  | {
    readonly kind: 'append'; readonly claimed: ClaimedInstance; readonly state: InstanceState; readonly events: readonly Event[]
    readonly waiting: WaitingChange; readonly outbox: OutboxWrite
    /** The instance ended, freeing the values it held (a process's `unique`). */
    readonly releaseHeld?: boolean
  }
  | { readonly kind: 'count-failure'; readonly claimed: ClaimedInstance }

/**
 * How a claimed instance's write went: `written`; `stale`, changed by another writer since it was
 * claimed (nothing of it written); `unwritten` for another reason (the database's), with the error.
 */
export type ClaimWriteOutcome =
  | { readonly kind: 'written' }
  | { readonly kind: 'stale' }
  | { readonly kind: 'unwritten'; readonly error: unknown }

/**
 * Instances claimed for firing. The caller decides what each becomes, then `settle`s the claim
 * with the writes, or `release`s it; a claim is ended exactly once.
 */
export interface DueClaim {
  /** The instances claimed, in claim order. */
  readonly instances: readonly ClaimedInstance[]
  /** Where the claim ended: the next claim of a round starts after it. */
  readonly end: DueCursor | undefined
  /** Writes each only if its instance is still at the revision claimed, and ends the claim. Never rejects: the outcome of each write, by instance id. */
  settle(writes: readonly ClaimWrite[]): Promise<Map<string, ClaimWriteOutcome>>
  /** Ends the claim without writing. */
  release(): Promise<void>
}

type DueQuery = SelectQueryBuilder<Database, 'instance', { id: string; next_deadline: string | null; state: string; last_seq: number; fire_failures: number }>

/**
 * Claims instances to fire their deadlines. With row locks (PostgreSQL) a claim is a transaction
 * holding its rows locked from the read to the commit: other claimers skip them, and if the
 * claimer dies its transaction is rolled back and the deadlines are due again for the next. The
 * batch's writes are made in that transaction, many instances per statement. Without (SQLite,
 * one writer at a time), a claim is a plain read, and each write is its own unit of work
 * through the commit group, written only if its instance is still at the revision read; a
 * deadline never fires twice either way.
 */
export class DueClaims {
  readonly #db: Kysely<Database>
  readonly #commits: CommitGroup
  readonly #traits: ClaimTraits
  readonly #outbox: OutboxOrder

  /** `traits`: how this database claims, `outbox` how it orders the outbox (the dialect's). */
  constructor(db: Kysely<Database>, commits: CommitGroup, traits: ClaimTraits, outbox: OutboxOrder) {
    this.#db = db
    this.#commits = commits
    this.#traits = traits
    this.#outbox = outbox
  }

  /**
   * Whether the next batch may be claimed while the last is still being settled: where claims
   * lock their rows, each holding a connection of its own (PostgreSQL). Not where a claim is a
   * plain read, whose writes take turns with every other writer's (SQLite).
   */
  get pipelined(): boolean {
    return this.#traits.rowLocks
  }

  /** The process versions of the instances with a deadline due at `now`. */
  async dueVersions(now: string): Promise<Array<{ id: string; version: number }>> {
    const rows = await this.#db.selectFrom('instance').select(['process_id', 'process_version']).distinct()
      .where('next_deadline', '<=', now).execute()
    return rows.map((row) => ({ id: row.process_id, version: row.process_version }))
  }

  /** The process version of the instance `id`, or undefined if there is no such instance. */
  async processOf(id: string): Promise<{ id: string; version: number } | undefined> {
    const row = await this.#db.selectFrom('instance').select(['process_id', 'process_version']).where('id', '=', id).executeTakeFirst()
    return row && { id: row.process_id, version: row.process_version }
  }

  /** Claims up to `limit` instances with a deadline due at `now`, the most overdue first, after `after`. */
  async due(now: string, limit: number, after: DueCursor | undefined): Promise<DueClaim> {
    return this.#claim((db) => {
      let due = this.#query(db).where('next_deadline', '<=', now)
      if (after) due = due.where((eb) => eb(eb.refTuple('next_deadline', 'id'), '>', eb.tuple(after.due, after.id)))
      const ordered = due.orderBy('next_deadline').orderBy('id').limit(limit)
      return this.#traits.rowLocks ? ordered.forUpdate().skipLocked() : ordered
    })
  }

  /** Claims the instance `id` (none if there is no such instance), waiting for another claimer holding it. */
  async one(id: string): Promise<DueClaim> {
    return this.#claim((db) => {
      const one = this.#query(db).where('id', '=', id)
      return this.#traits.rowLocks ? one.forUpdate() : one
    })
  }

  #query(db: Kysely<Database>): DueQuery {
    return db.selectFrom('instance').select(['id', 'next_deadline', 'state', 'last_seq', 'fire_failures'])
  }

  async #claim(query: (db: Kysely<Database>) => DueQuery): Promise<DueClaim> {
    const trx = this.#traits.rowLocks ? await this.#db.startTransaction().execute() : undefined
    let rows: Awaited<ReturnType<DueQuery['execute']>>
    try {
      rows = await query(trx ?? this.#db).execute()
    } catch (error) {
      await trx?.rollback().execute().catch(() => undefined)
      throw error
    }
    const instances = rows.map((row) => ({ state: JSON.parse(row.state) as InstanceState, lastSeq: row.last_seq, fireFailures: row.fire_failures }))
    const last = rows.at(-1)
    const end = last ? { due: last.next_deadline ?? '', id: last.id } : undefined
    let ended = false
    const once = (): void => {
      if (ended) throw new Error('This claim has already been settled or released.')
      ended = true
    }
    return {
      instances, end,
      settle: async (writes) => {
        once()
        return trx ? this.#settleLocked(trx, writes) : this.#settleEach(writes)
      },
      release: async () => {
        once()
        await trx?.rollback().execute()
      },
    }
  }

  /** Writes in the claim's transaction, which holds the rows' locks: many instances per statement. */
  async #settleLocked(trx: ControlledTransaction<Database>, writes: readonly ClaimWrite[]): Promise<Map<string, ClaimWriteOutcome>> {
    const traits = this.#traits
    const outcomes = new Map<string, ClaimWriteOutcome>()
    try {
      if (!traits.rowLocks) throw new Error('A locked claim on a database without row locks.')
      const appends = writes.filter((w) => w.kind === 'append')
      const updated = await traits.updateRevisions(trx, appends.map(({ claimed, state, events }) => ({ expected: claimed, state, eventCount: events.length })))
      const events: EventTable[] = []
      const outbox: ReturnType<typeof outboxRows> = []
      const waiting: WaitingWrite[] = []
      for (const { claimed, state, events: appended, waiting: change, outbox: published } of appends) {
        const id = claimed.state.id
        if (!updated.has(id)) continue
        appended.forEach((event, i) => events.push(eventRow(id, claimed.lastSeq + i + 1, event)))
        outbox.push(...outboxRows(published))
        waiting.push({ state, change })
      }
      // Built on the database (prepared queries are kept per database), run in the transaction.
      const run = runThrough(trx)
      const statements = [
        ...eventStatements(this.#db, events),
        ...outboxStatements(this.#db, this.#outbox, outbox),
        ...waitingStatements(this.#db, waiting),
        ...writes.flatMap((w) => (w.kind === 'count-failure' ? [countFailureStatement(this.#db, w.claimed, w.claimed.fireFailures)] : [])),
      ]
      const released = appends.filter((w) => w.releaseHeld === true && updated.has(w.claimed.state.id)).map((w) => w.claimed.state.id)
      if (released.length > 0) statements.push(releaseUniqueStatement(this.#db, released))
      for (const statement of statements) await runStatement({ run }, statement)
      await trx.commit().execute()
      for (const write of writes) {
        const id = write.claimed.state.id
        outcomes.set(id, write.kind === 'append' && !updated.has(id) ? { kind: 'stale' } : { kind: 'written' })
      }
    } catch (error) {
      // Nothing of the claim was written.
      await trx.rollback().execute().catch(() => undefined)
      for (const write of writes) outcomes.set(write.claimed.state.id, { kind: 'unwritten', error })
    }
    return outcomes
  }

  /** Writes each as its own unit of work, through the commit group (grouped into few commits). */
  async #settleEach(writes: readonly ClaimWrite[]): Promise<Map<string, ClaimWriteOutcome>> {
    const db = this.#db
    const plans = writes.map((write): WritePlan => {
      const { claimed } = write
      if (write.kind === 'count-failure') return [countFailureStatement(db, claimed, claimed.fireFailures)]
      return [
        updateStatement(db, claimed, write.state, write.events.length),
        ...eventStatements(db, write.events.map((event, i) => eventRow(claimed.state.id, claimed.lastSeq + i + 1, event))),
        ...waitingStatements(db, [{ state: write.state, change: write.waiting }]),
        ...(write.releaseHeld === true ? [releaseUniqueStatement(db, [claimed.state.id])] : []),
        ...outboxStatements(db, this.#outbox, outboxRows(write.outbox)),
      ]
    })
    let results: Awaited<ReturnType<CommitGroup['runEach']>>
    try {
      results = await this.#commits.runEach(plans)
    } catch (error) {
      // The transaction itself failed: nothing was written.
      return new Map(writes.map((write) => [write.claimed.state.id, { kind: 'unwritten', error }]))
    }
    return new Map(writes.map((write, i) => {
      const result = results[i]
      const outcome: ClaimWriteOutcome = result?.ok ? { kind: 'written' }
        : result && result.error instanceof EngineError && result.error.code === 'conflict.stale' ? { kind: 'stale' }
          : { kind: 'unwritten', error: result?.error }
      return [write.claimed.state.id, outcome]
    }))
  }
}
