import type { Kysely } from 'kysely'
import type { Event } from '../runtime/events.js'
import type { InstanceState } from '../runtime/state.js'
import type { HeldValue } from '../runtime/unique.js'
import type { CommitGroup } from './commit-group.js'
import type { Database } from './database.js'
import { listInstances } from './instance-listing.js'
import type { InstanceQuery } from './instance-listing.js'
import { prepared, slot } from './prepared.js'
import { attachmentStatements, columnsOf, orderIdOf, eventRow, eventStatements, outboxRows, outboxStatements, uniqueStatements, updateStatement, waitingStatement } from './instance-writes.js'
import type { OutboxWrite } from './instance-writes.js'
import type { OutboxOrder } from './dialect.js'
import { receiptStatement } from './idempotency-repository.js'
import { statementOf } from './write-plan.js'
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
  /** The public events of this write, stored in the same transaction (the outbox). */
  readonly outbox: OutboxWrite
  /** When the values the instance holds (a process's `unique`) change: those it holds now. */
  readonly held?: readonly HeldValue[] | undefined
}

/** Reads and writes instances and their histories. The only code that knows their tables. */
export class InstanceRepository {
  readonly #db: Kysely<Database>
  readonly #commits: CommitGroup
  readonly #outbox: OutboxOrder
  /** `outbox`: how this database orders the outbox (the dialect's). */
  constructor(db: Kysely<Database>, commits: CommitGroup, outbox: OutboxOrder) {
    this.#db = db
    this.#commits = commits
    this.#outbox = outbox
  }

  /**
   * How many instances of a process are active, per version (versions with none left out):
   * searched through the `(process_id, status, step)` index, reading only the active rows.
   */
  async activeByVersion(processId: string): Promise<Map<number, number>> {
    const rows = await this.#db.selectFrom('instance')
      .select((eb) => ['process_version', eb.fn.countAll<number | string>().as('count')])
      .where('process_id', '=', processId).where('status', '=', 'active')
      .groupBy('process_version')
      .execute()
    // PostgreSQL counts are bigint, read as strings.
    return new Map(rows.map((row) => [Number(row.process_version), Number(row.count)]))
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
      ...(extras.held ? uniqueStatements(db, state.processId, state.id, extras.held) : []),
      ...outboxStatements(db, this.#outbox, outboxRows(extras.outbox)),
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
      ...(extras.held ? uniqueStatements(db, state.processId, state.id, extras.held) : []),
      ...outboxStatements(db, this.#outbox, outboxRows(extras.outbox)),
      ...(extras.receipt ? [receiptStatement(db, extras.receipt)] : []),
    ])
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
