import type { Kysely, Transaction } from 'kysely'
import { EngineError } from '../errors.js'
import type { Event } from '../runtime/events.js'
import type { InstanceState } from '../runtime/state.js'
import { nextDeadline } from '../runtime/transitions.js'
import type { CommitGroup } from './commit-group.js'
import type { Database } from './database.js'

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
}

/** Filters of {@link InstanceRepository.list}; all optional, combined with AND. */
export interface InstanceQuery {
  readonly processId?: string
  readonly status?: string
  readonly step?: string
  /** Only instances where this role is held by this subject. */
  readonly party?: { readonly role: string; readonly subject: string }
  /** With `party`: only instances whose current step waits on that party. */
  readonly waiting?: boolean
  /** Continue after this instance id (from a previous page's last item). */
  readonly after?: { readonly createdAt: string; readonly id: string }
  readonly limit: number
}

/** Reads and writes instances and their histories. The only code that knows their tables. */
export class InstanceRepository {
  readonly #db: Kysely<Database>
  readonly #commits: CommitGroup
  constructor(db: Kysely<Database>, commits: CommitGroup) {
    this.#db = db
    this.#commits = commits
  }

  /** The instance with this id, or undefined. */
  async find(id: string): Promise<StoredInstance | undefined> {
    const row = await this.#db.selectFrom('instance').select(['state', 'last_seq']).where('id', '=', id).executeTakeFirst()
    return row ? { state: JSON.parse(row.state) as InstanceState, lastSeq: row.last_seq } : undefined
  }

  /** Inserts a new instance with its first events, in one transaction. */
  async create(state: InstanceState, events: readonly Event[], extras: WriteExtras): Promise<void> {
    await this.#commits.run(async (trx) => {
      await trx.insertInto('instance').values({
        id: state.id,
        process_id: state.processId,
        process_version: state.processVersion,
        ...columnsOf(state, events.length),
        created_at: state.startedAt,
      }).execute()
      await trx.insertInto('instance_party').values(Object.entries(state.parties).map(([role, subject]) => ({
        instance_id: state.id, role, subject, waiting: extras.waitingRoles.includes(role) ? 1 : 0,
      }))).execute()
      await insertEvents(trx, state.id, 0, events)
      await bindAttachments(trx, state.id, extras.attachmentIds)
    })
  }

  /**
   * Appends `events` and stores `state` if the instance is still at `expected`'s revision, in one
   * transaction: either all of it is written or none.
   * @throws {EngineError} `conflict.stale` when another writer got there first.
   */
  async append(expected: StoredInstance, state: InstanceState, events: readonly Event[], extras: WriteExtras): Promise<void> {
    if (events.length === 0) return
    await this.#commits.run(async (trx) => {
      const { numUpdatedRows } = await trx.updateTable('instance')
        .set(columnsOf(state, expected.lastSeq + events.length))
        .where('id', '=', state.id).where('revision', '=', expected.state.revision)
        .executeTakeFirstOrThrow()
      if (numUpdatedRows === 0n) {
        throw new EngineError('conflict.stale',
          `Instance "${state.id}" changed after revision ${expected.state.revision}; reload it and retry.`)
      }
      await insertEvents(trx, state.id, expected.lastSeq, events)
      await trx.updateTable('instance_party')
        .set((eb) => ({
          waiting: extras.waitingRoles.length === 0 ? 0
            : eb.case().when('role', 'in', extras.waitingRoles).then(1).else(0).end(),
        }))
        .where('instance_id', '=', state.id)
        .execute()
      await bindAttachments(trx, state.id, extras.attachmentIds)
    })
  }

  /** Ids of instances with a deadline due at or before `now`, the most overdue first. */
  async due(now: string, limit: number): Promise<string[]> {
    const rows = await this.#db.selectFrom('instance').select('id')
      .where('next_deadline', '<=', now)
      .orderBy('next_deadline').orderBy('id')
      .limit(limit)
      .execute()
    return rows.map((row) => row.id)
  }

  /** Instances matching `query`, oldest first. */
  async list(query: InstanceQuery): Promise<Array<{ state: InstanceState; createdAt: string }>> {
    let q = this.#db.selectFrom('instance').select(['instance.state', 'instance.created_at', 'instance.id'])
    if (query.party) {
      const { role, subject } = query.party
      const waiting = query.waiting === true
      q = q.where('instance.id', 'in', (eb) => {
        const parties = eb.selectFrom('instance_party').select('instance_id')
          .where('subject', '=', subject).where('role', '=', role)
        return waiting ? parties.where('waiting', '=', 1) : parties
      })
    }
    if (query.processId !== undefined) q = q.where('instance.process_id', '=', query.processId)
    if (query.status !== undefined) q = q.where('instance.status', '=', query.status)
    if (query.step !== undefined) q = q.where('instance.step', '=', query.step)
    if (query.after) {
      const { createdAt, id } = query.after
      q = q.where((eb) => eb.or([
        eb('instance.created_at', '>', createdAt),
        eb.and([eb('instance.created_at', '=', createdAt), eb('instance.id', '>', id)]),
      ]))
    }
    const rows = await q.orderBy('instance.created_at').orderBy('instance.id').limit(query.limit).execute()
    return rows.map((row) => ({ state: JSON.parse(row.state) as InstanceState, createdAt: row.created_at }))
  }

  /** The instance's history, in order. */
  async history(id: string): Promise<EventRecord[]> {
    const rows = await this.#db.selectFrom('event').select(['seq', 'payload']).where('instance_id', '=', id).orderBy('seq').execute()
    return rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.payload) as Event }))
  }
}

function columnsOf(state: InstanceState, lastSeq: number) {
  return {
    status: state.status,
    step: state.step ?? null,
    outcome: state.outcome ?? null,
    next_deadline: nextDeadline(state) ?? null,
    revision: state.revision,
    last_seq: lastSeq,
    state: JSON.stringify(state),
    updated_at: state.updatedAt,
  }
}

async function insertEvents(trx: Transaction<Database>, instanceId: string, afterSeq: number, events: readonly Event[]): Promise<void> {
  if (events.length === 0) return
  await trx.insertInto('event').values(events.map((event, i) => ({
    instance_id: instanceId,
    seq: afterSeq + i + 1,
    type: event.type,
    at: event.at,
    fired_at: 'firedAt' in event ? event.firedAt ?? null : null,
    step: 'step' in event ? event.step : null,
    action: 'action' in event ? event.action : null,
    actor_role: 'by' in event ? event.by.role : null,
    actor_subject: 'by' in event ? event.by.subject : null,
    payload: JSON.stringify(event),
  }))).execute()
}

/** Binds attachments to the instance, unless another instance took one of them meanwhile (`conflict.stale`). */
async function bindAttachments(trx: Transaction<Database>, instanceId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return
  const { numUpdatedRows } = await trx.updateTable('attachment').set({ instance_id: instanceId })
    .where('id', 'in', ids)
    .where((eb) => eb.or([eb('instance_id', 'is', null), eb('instance_id', '=', instanceId)]))
    .executeTakeFirstOrThrow()
  if (numUpdatedRows !== BigInt(new Set(ids).size)) {
    throw new EngineError('conflict.stale', 'An attachment was attached to another delivery meanwhile; upload the file again for this one.')
  }
}
