import type { Kysely } from 'kysely'
import { EngineError } from '../errors.js'
import type { Event } from '../runtime/events.js'
import type { InstanceState } from '../runtime/state.js'
import type { CommitGroup } from './commit-group.js'
import { runThrough } from './commit-group.js'
import type { Database, EventTable } from './database.js'
import type { ClaimTraits } from './dialect.js'
import { listInstances } from './instance-listing.js'
import type { InstanceQuery } from './instance-listing.js'
import { prepared, slot } from './prepared.js'
import { attachmentStatements, columnsOf, orderIdOf, eventRow, eventStatements, updateStatement, waitingStatement } from './instance-writes.js'
import { receiptStatement } from './idempotency-repository.js'
import { runStatement, statementOf } from './write-plan.js'
import type { Receipt } from './idempotency-repository.js'

export type { InstanceQuery } from './instance-listing.js'

/** An instance as stored: its state and the sequence number of its last event. */
export interface StoredInstance {
  readonly state: InstanceState
  readonly lastSeq: number
}

/** A recorded event with its place in the instance's history. */
export interface EventRecord {
  readonly seq: number
  readonly event: Event
}

/** What to write with an accepted decision besides the events and the state. */
export interface WriteExtras {
  /** The party roles the current step now waits on (its actors). */
  readonly waitingRoles: readonly string[]
  /** Attachments referenced by the events, bound to the instance in the same transaction. */
  readonly attachmentIds: readonly string[]
  /** The answer of the idempotent request making this write, stored in the same transaction. */
  readonly receipt?: Receipt | undefined
}

/** What firing a claimed instance produced, to be written in the claim's transaction. */
export interface ClaimedOutcome {
  readonly state: InstanceState
  readonly events: readonly Event[]
  /** The party roles the current step now waits on. */
  readonly waitingRoles: readonly string[]
}

/** A place in the order due instances are claimed in: by deadline, then id. */
export interface DueCursor {
  readonly due: string
  readonly id: string
}

/** What {@link InstanceRepository.claimDue} claimed and wrote. */
export interface ClaimResult {
  /** The ids claimed, in order. */
  readonly claimed: string[]
  /** Those whose outcome was written (on SQLite, possibly some of the batch even when `failure` is set). */
  readonly written: ReadonlySet<string>
  /** Where the batch ended: the next claim of the round starts after it. */
  readonly end: DueCursor | undefined
  /** Why outcomes could not be written, other than a newer revision: the caller fires the rest of the batch one at a time. */
  readonly failure?: unknown
}

/** Reads and writes instances and their histories. The only code that knows their tables. */
export class InstanceRepository {
  readonly #db: Kysely<Database>
  readonly #commits: CommitGroup
  readonly #claims: ClaimTraits
  /** `claims`: how this database claims due instances (the dialect's). */
  constructor(db: Kysely<Database>, commits: CommitGroup, claims: ClaimTraits) {
    this.#db = db
    this.#commits = commits
    this.#claims = claims
  }

  /** The instance with this id, or undefined. */
  async find(id: string): Promise<StoredInstance | undefined> {
    const find = prepared(this.#db, 'find instance', (db) => db.selectFrom('instance').select(['state', 'last_seq']).where('id', '=', slot('id')))
    const row = (await find.execute(this.#db, { id })).rows[0]
    return row ? { state: JSON.parse(row.state) as InstanceState, lastSeq: row.last_seq } : undefined
  }

  /** Inserts a new instance with its first events, in one transaction. */
  async create(state: InstanceState, events: readonly Event[], extras: WriteExtras): Promise<void> {
    const db = this.#db
    await this.#commits.run([
      statementOf(db.insertInto('instance').values({
        id: state.id,
        process_id: state.processId,
        process_version: state.processVersion,
        ...columnsOf(state, events.length),
        order_id: orderIdOf(state.context),
        created_at: state.startedAt,
      })),
      statementOf(db.insertInto('instance_party').values(Object.entries(state.parties).map(([role, subject]) => ({
        instance_id: state.id, role, subject, waiting: extras.waitingRoles.includes(role) ? 1 : 0, instance_created_at: state.startedAt,
      })))),
      ...eventStatements(db, events.map((event, i) => eventRow(state.id, i + 1, event))),
      ...attachmentStatements(db, state.id, extras.attachmentIds),
      ...(extras.receipt ? [receiptStatement(db, extras.receipt)] : []),
    ])
  }

  /**
   * Appends `events` and stores `state` if the instance is still at `expected`'s revision, in one
   * transaction: either all of it is written or none.
   * @throws {EngineError} `conflict.stale` when another writer got there first.
   */
  async append(expected: StoredInstance, state: InstanceState, events: readonly Event[], extras: WriteExtras): Promise<void> {
    if (events.length === 0) return
    const db = this.#db
    await this.#commits.run([
      updateStatement(db, expected, state, events.length),
      ...eventStatements(db, events.map((event, i) => eventRow(state.id, expected.lastSeq + i + 1, event))),
      waitingStatement(db, [state.id], extras.waitingRoles),
      ...attachmentStatements(db, state.id, extras.attachmentIds),
      ...(extras.receipt ? [receiptStatement(db, extras.receipt)] : []),
    ])
  }

  /** The instance with how many attempts in a row at firing its due deadline have failed; undefined if there is none. */
  async findWithFireFailures(id: string): Promise<{ stored: StoredInstance; failures: number } | undefined> {
    const row = await this.#db.selectFrom('instance').select(['state', 'last_seq', 'fire_failures']).where('id', '=', id).executeTakeFirst()
    return row ? { stored: { state: JSON.parse(row.state) as InstanceState, lastSeq: row.last_seq }, failures: row.fire_failures } : undefined
  }

  /**
   * Counts one more failed attempt at firing the instance's due deadline, unless since `failures`
   * was read with `expected` the instance changed (the attempt is no longer the latest) or another
   * server counted its own attempt. A write of the instance resets the count (see `updateStatement`).
   * @returns whether it was counted.
   */
  async countFireFailure(expected: StoredInstance, failures: number): Promise<boolean> {
    const { id, revision } = expected.state
    const count = this.#db.updateTable('instance').set({ fire_failures: failures + 1 })
      .where('id', '=', id).where('revision', '=', revision).where('fire_failures', '=', failures)
    try {
      await this.#commits.run([statementOf(count, { rows: 1, code: 'conflict.stale', message: `Instance "${id}" changed after revision ${revision}.` })])
      return true
    } catch (error) {
      if (error instanceof EngineError && error.code === 'conflict.stale') return false
      throw error
    }
  }

  /** The process versions of the instances with a deadline due at `now`. */
  async dueVersions(now: string): Promise<Array<{ id: string; version: number }>> {
    const rows = await this.#db.selectFrom('instance').select(['process_id', 'process_version']).distinct()
      .where('next_deadline', '<=', now).execute()
    return rows.map((row) => ({ id: row.process_id, version: row.process_version }))
  }

  /**
   * Claims up to `limit` instances with a deadline due at `now`, the most overdue first and after
   * `after` (where the previous batch of the round ended), lets `fire` decide what each becomes,
   * and writes the outcomes: in the claim's transaction with row locks, else as one unit of work
   * each, grouped.
   * With row locks (PostgreSQL) the claimed rows stay locked from the read to the commit and other
   * claimers skip them; if the claimer dies, its transaction is rolled back and the deadlines are
   * due again for the next one. Without (SQLite, one writer at a time) an outcome is written only
   * if its instance is still at the revision that was read, so a deadline never fires twice.
   * @returns the ids claimed, in order, those whose outcome was written, where the batch ended,
   * and the error that kept outcomes from being written for another reason than a newer revision
   * (on SQLite the others may have been written).
   */
  async claimDue(now: string, limit: number, after: DueCursor | undefined, fire: (stored: StoredInstance) => Promise<ClaimedOutcome | undefined>): Promise<ClaimResult> {
    let rows: Array<{ id: string; next_deadline: string | null; state: string; last_seq: number }> = []
    const claim = async (db: Kysely<Database>): Promise<Pick<ClaimResult, 'written' | 'failure'>> => {
      let due = db.selectFrom('instance').select(['id', 'next_deadline', 'state', 'last_seq']).where('next_deadline', '<=', now)
      if (after) {
        const { due: deadline, id } = after
        due = due.where((eb) => eb(eb.refTuple('next_deadline', 'id'), '>', eb.tuple(deadline, id)))
      }
      rows = await due.orderBy('next_deadline').orderBy('id')
        .limit(limit)
        .$if(this.#claims.rowLocks, (q) => q.forUpdate().skipLocked())
        .execute()
      const outcomes: Array<{ stored: StoredInstance; outcome: ClaimedOutcome }> = []
      for (const row of rows) {
        const stored = { state: JSON.parse(row.state) as InstanceState, lastSeq: row.last_seq }
        const outcome = await fire(stored)
        if (outcome && outcome.events.length > 0) outcomes.push({ stored, outcome })
      }
      const written = new Set<string>()
      const claims = this.#claims
      if (claims.rowLocks) {
        // In the claim's own transaction, which holds the rows' locks: many instances per statement.
        const writes = outcomes.map(({ stored, outcome }) => ({ expected: stored, state: outcome.state, eventCount: outcome.events.length }))
        const updated = await claims.updateRevisions(db, writes)
        const events: EventTable[] = []
        const waiting = new Map<string, { roles: readonly string[]; ids: string[] }>()
        for (const { stored, outcome } of outcomes) {
          const id = stored.state.id
          if (!updated.has(id)) continue
          written.add(id)
          outcome.events.forEach((event, i) => events.push(eventRow(id, stored.lastSeq + i + 1, event)))
          const key = outcome.waitingRoles.join('\n')
          const group = waiting.get(key) ?? { roles: outcome.waitingRoles, ids: [] }
          waiting.set(key, group)
          group.ids.push(id)
        }
        // Built on the database (prepared queries are kept per database), run in the transaction.
        const statements = [...eventStatements(this.#db, events), ...[...waiting.values()].map(({ roles, ids }) => waitingStatement(this.#db, ids, roles))]
        const run = runThrough(db)
        for (const statement of statements) await runStatement({ run }, statement)
      } else {
        // One unit per instance, written only if its revision is unchanged (a stale one is left out).
        const results = await this.#commits.runEach(outcomes.map(({ stored, outcome }) => [
          updateStatement(db, stored, outcome.state, outcome.events.length),
          ...eventStatements(db, outcome.events.map((event, i) => eventRow(stored.state.id, stored.lastSeq + i + 1, event))),
          waitingStatement(db, [stored.state.id], outcome.waitingRoles),
        ]))
        results.forEach((result, index) => {
          if (result.ok) written.add((outcomes[index] as (typeof outcomes)[number]).stored.state.id)
        })
        const failure = results.find((r) => !r.ok && !(r.error instanceof EngineError && r.error.code === 'conflict.stale'))
        if (failure && !failure.ok) return { written, failure: failure.error }
      }
      return { written }
    }
    const claimed = (): Pick<ClaimResult, 'claimed' | 'end'> => {
      const last = rows.at(-1)
      return { claimed: rows.map((row) => row.id), end: last ? { due: last.next_deadline as string, id: last.id } : undefined }
    }
    try {
      const outcome = await (this.#claims.rowLocks ? this.#db.transaction().execute(claim) : claim(this.#db))
      return { ...claimed(), ...outcome }
    } catch (failure) {
      // Nothing claimed (the read itself failed): the round cannot go on. Otherwise nothing of
      // the batch was written (its transaction failed).
      if (rows.length === 0) throw failure
      return { ...claimed(), written: new Set(), failure }
    }
  }

  /** Instances matching `query`, in its order; see {@link listInstances}. */
  async list(query: InstanceQuery): Promise<Array<{ state: InstanceState; createdAt: string }>> {
    return listInstances(this.#db, query)
  }

  /** The instance's history, in order. */
  async history(id: string): Promise<EventRecord[]> {
    const rows = await this.#db.selectFrom('event').select(['seq', 'payload']).where('instance_id', '=', id).orderBy('seq').execute()
    return rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.payload) as Event }))
  }
}
