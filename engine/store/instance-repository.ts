import type { Kysely } from 'kysely'
import type { Event } from '../runtime/events.js'
import type { InstanceState } from '../runtime/state.js'
import type { HeldValue } from '../runtime/unique.js'
import type { WaitingChange } from '../runtime/waiting.js'
import type { CommitGroup } from './commit-group.js'
import type { Database } from './database.js'
import { listInstances } from './instance-listing.js'
import type { InstanceQuery } from './instance-listing.js'
import { prepared, slot } from './prepared.js'
import { attachmentStatements, eventRow, eventStatements, insertStatement, outboxRows, outboxStatements, partyStatements, uniqueStatements, updateStatement, waitingStatements } from './instance-writes.js'
import type { OutboxWrite } from './instance-writes.js'
import type { OutboxOrder } from './dialect.js'
import { receiptStatement } from './idempotency-repository.js'
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
  /** The parties the instance starts and stops waiting on (see `waitingChange`). */
  readonly waiting: WaitingChange
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
  /** The reads of {@link find} waiting for the next turn of the event loop, when reads are batched. */
  readonly #reads: InstanceReads | undefined
  /** `outbox`: how this database orders the outbox (the dialect's); `batchReads`: whether concurrent finds share a query. */
  constructor(db: Kysely<Database>, commits: CommitGroup, outbox: OutboxOrder, batchReads = false) {
    this.#db = db
    this.#commits = commits
    this.#outbox = outbox
    this.#reads = batchReads ? new InstanceReads(db) : undefined
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

  /**
   * How many instances of a process `party` has been a party of since `since` (their start,
   * excluded), and the earliest of those starts: read from the index on (subject, role,
   * instance_created_at), each row's process from the instance.
   */
  async startsWithParty(party: { readonly role: string; readonly subject: string }, processId: string, since: string): Promise<{ count: number; earliest: string | null }> {
    const row = await this.#db.selectFrom('instance_party')
      .innerJoin('instance', 'instance.id', 'instance_party.instance_id')
      .select((eb) => [eb.fn.countAll<number | string>().as('count'), eb.fn.min('instance_party.instance_created_at').as('earliest')])
      .where('instance_party.subject', '=', party.subject).where('instance_party.role', '=', party.role)
      .where('instance_party.instance_created_at', '>', since).where('instance.process_id', '=', processId)
      .executeTakeFirstOrThrow()
    // PostgreSQL counts are bigint, read as strings.
    return { count: Number(row.count), earliest: row.earliest ?? null }
  }

  /** The instance with this id, or undefined. */
  async find(id: string): Promise<StoredInstance | undefined> {
    if (this.#reads) return this.#reads.find(id)
    const find = prepared(this.#db, 'find instance', (db) => db.selectFrom('instance').select(['state', 'last_seq']).where('id', '=', slot('id')))
    const row = (await find.execute(this.#db, { id })).rows[0]
    return row ? { state: JSON.parse(row.state) as InstanceState, lastSeq: row.last_seq } : undefined
  }

  /** Inserts a new instance with its first events, in one transaction. */
  async create(state: InstanceState, events: readonly Event[], extras: WriteExtras): Promise<void> {
    const db = this.#db
    await this.#commits.run([
      insertStatement(db, state, events.length),
      ...partyStatements(db, state),
      ...waitingStatements(db, [{ state, change: extras.waiting }]),
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
      ...waitingStatements(db, [{ state, change: extras.waiting }]),
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

  /**
   * Parts of instances' histories, each in order: for each instance its events after number
   * `after` up to at least `through` (and the few after, up to the end of that decision's events
   * at most), with the bytes of JSON they were read from. An instance with none of them, or no
   * instance, is absent.
   */
  async histories(ranges: ReadonlyMap<string, HistoryRange>): Promise<Map<string, { events: Event[]; bytes: number }>> {
    const out = new Map<string, { events: Event[]; bytes: number }>()
    const ids = [...ranges.keys()]
    for (let i = 0; i < ids.length; i += READ_CHUNK) {
      const chunk = ids.slice(i, i + READ_CHUNK)
      const upTo = (id: string): number => (ranges.get(id) as HistoryRange).through + HISTORY_LOOKAHEAD
      // Those read from their start with one list (PostgreSQL plans it in a fraction of the
      // time it takes for as many ranges), the others each from its own place.
      const fromStart = chunk.filter((id) => (ranges.get(id) as HistoryRange).after === 0)
      const fromPlace = chunk.filter((id) => (ranges.get(id) as HistoryRange).after > 0)
      const select = this.#db.selectFrom('event').select(['instance_id', 'seq', 'payload']).orderBy('instance_id').orderBy('seq')
      const rows = [
        ...fromStart.length === 0 ? [] : await select.where('instance_id', 'in', fromStart).where('seq', '<=', Math.max(...fromStart.map(upTo))).execute(),
        ...fromPlace.length === 0 ? [] : await select.where((eb) => eb.or(fromPlace.map((id) => eb.and([
          eb('instance_id', '=', id), eb('seq', '>', (ranges.get(id) as HistoryRange).after), eb('seq', '<=', upTo(id)),
        ])))).execute(),
      ]
      for (const row of rows) {
        if (row.seq > upTo(row.instance_id)) continue
        const history = out.get(row.instance_id) ?? { events: [], bytes: 0 }
        out.set(row.instance_id, history)
        history.events.push(JSON.parse(row.payload) as Event)
        history.bytes += row.payload.length
      }
    }
    return out
  }

  /** The instance's history, in order. */
  async history(id: string): Promise<EventRecord[]> {
    const rows = await this.#db.selectFrom('event').select(['seq', 'payload']).where('instance_id', '=', id).orderBy('seq').execute()
    return rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.payload) as Event }))
  }
}

/** Which events of an instance's history to read: those numbered from `after + 1` to `through`. */
export interface HistoryRange {
  readonly after: number
  readonly through: number
}

/**
 * Events read past the last one a rebuilt public event needs: those an action records values
 * with follow it in the same decision (one `values-recorded` per action).
 */
const HISTORY_LOOKAHEAD = 2

/** Most instances read by one query of {@link InstanceReads}. */
const READ_CHUNK = 500

/**
 * Reads of instances by id gathered over one turn of the event loop and made with one query
 * (`where id in (...)`), as group commit gathers writes: each read sees the instance as committed
 * when the query runs, as it would alone a moment later.
 */
class InstanceReads {
  readonly #db: Kysely<Database>
  #waiting = new Map<string, Array<{ resolve: (found: StoredInstance | undefined) => void; reject: (error: unknown) => void }>>()
  #scheduled = false

  constructor(db: Kysely<Database>) {
    this.#db = db
  }

  find(id: string): Promise<StoredInstance | undefined> {
    return new Promise((resolve, reject) => {
      const readers = this.#waiting.get(id)
      if (readers) readers.push({ resolve, reject })
      else this.#waiting.set(id, [{ resolve, reject }])
      if (this.#scheduled) return
      this.#scheduled = true
      setImmediate(() => {
        this.#scheduled = false
        const waiting = this.#waiting
        this.#waiting = new Map()
        const ids = [...waiting.keys()]
        for (let i = 0; i < ids.length; i += READ_CHUNK) void this.#read(ids.slice(i, i + READ_CHUNK), waiting)
      })
    })
  }

  async #read(ids: readonly string[], waiting: ReadonlyMap<string, Array<{ resolve: (found: StoredInstance | undefined) => void; reject: (error: unknown) => void }>>): Promise<void> {
    try {
      const rows = ids.length === 1
        ? (await prepared(this.#db, 'find instance by id', (db) => db.selectFrom('instance').select(['id', 'state', 'last_seq']).where('id', '=', slot('id'))).execute(this.#db, { id: ids[0] })).rows
        : await this.#db.selectFrom('instance').select(['id', 'state', 'last_seq']).where('id', 'in', ids).execute()
      const found = new Map(rows.map((row) => [row.id, row]))
      for (const id of ids) {
        const row = found.get(id)
        for (const reader of waiting.get(id) ?? []) reader.resolve(row ? { state: JSON.parse(row.state) as InstanceState, lastSeq: row.last_seq } : undefined)
      }
    } catch (error) {
      for (const id of ids) for (const reader of waiting.get(id) ?? []) reader.reject(error)
    }
  }
}
