import type { Kysely } from 'kysely'
import type { Event } from '../runtime/events.js'
import type { InstanceState } from '../runtime/state.js'
import type { HeldValue } from '../runtime/unique.js'
import type { WaitingChange } from '../runtime/waiting.js'
import { nextDeadline } from '../runtime/transitions.js'
import type { PublicEvent, PublicEventRef } from '../runtime/public-events.js'
import type { Database, EventTable, InstancePartyTable, PublicEventTable, WaitingPartyTable } from './database.js'
import type { OutboxOrder } from './dialect.js'
import type { StoredInstance } from './instance-repository.js'
import { prepared, slot } from './prepared.js'
import { statementOf } from './write-plan.js'
import type { PlannedStatement } from './write-plan.js'

// The statements that write instances, their events and their party rows, shared by the single
// writes of commands and the batched writes of deadline claims.

/** Most rows in one multi-row INSERT, well under both databases' limits on bound parameters. */
const INSERT_CHUNK = 1000
/** Most events a command's prepared insert takes (a command appends one to a few). */
const PREPARED_EVENT_ROWS = 8
const EVENT_COLUMNS = ['instance_id', 'seq', 'type', 'at', 'fired_at', 'step', 'action', 'actor_role', 'actor_subject', 'payload'] as const satisfies ReadonlyArray<keyof EventTable>

/** One instance's new state, to be stored if it is still at the expected revision. */
export interface RevisionWrite {
  readonly expected: StoredInstance
  readonly state: InstanceState
  readonly eventCount: number
}

/** The instance's row, inserted with a prepared statement (every start writes one). */
export function insertStatement(db: Kysely<Database>, state: InstanceState, eventCount: number): PlannedStatement {
  const insert = prepared(db, 'insert instance', (db) => db.insertInto('instance').values({
    id: slot('id'), process_id: slot('process_id'), process_version: slot<number>('process_version'),
    status: slot('status'), step: slot('step'), outcome: slot('outcome'), next_deadline: slot('next_deadline'),
    revision: slot<number>('revision'), last_seq: slot<number>('last_seq'), state: slot('state'), updated_at: slot('updated_at'),
    order_id: slot('order_id'), created_at: slot('created_at'),
  }))
  return insert.bind({
    id: state.id, process_id: state.processId, process_version: state.processVersion, ...columnsOf(state, eventCount),
    order_id: orderIdOf(state.context), created_at: state.startedAt,
  })
}

/** The columns of a party row, in `instance_party` and `waiting_party` alike. */
const PARTY_COLUMNS = ['instance_id', 'role', 'subject', 'instance_created_at'] as const satisfies ReadonlyArray<keyof InstancePartyTable>

/** The instance's party rows, inserted with a prepared statement per number of parties (none: no statement). */
export function partyStatements(db: Kysely<Database>, state: InstanceState): PlannedStatement[] {
  const rows = Object.entries(state.parties).map(([role, subject]) => ({ instance_id: state.id, role, subject, instance_created_at: state.startedAt }))
  return rows.length === 0 ? [] : [multiRowInsert(db, 'instance_party', PARTY_COLUMNS, rows)]
}

/**
 * Stores `state` if the instance is still at `expected`'s revision, and resets its count of
 * failed attempts at firing a deadline; refused with `conflict.stale` when another writer got
 * there first.
 */
export function updateStatement(db: Kysely<Database>, expected: StoredInstance, state: InstanceState, eventCount: number): PlannedStatement {
  // Every column of columnsOf(), whose values fill the slots.
  const update = prepared(db, 'update instance', (db) => db.updateTable('instance')
    .set({
      status: slot('status'), step: slot('step'), outcome: slot('outcome'), next_deadline: slot('next_deadline'),
      revision: slot<number>('revision'), last_seq: slot<number>('last_seq'), state: slot('state'), updated_at: slot('updated_at'),
      // A write that stands ends any run of failed attempts at firing a deadline.
      fire_failures: 0,
    })
    .where('id', '=', slot('id')).where('revision', '=', slot<number>('expected')))
  return {
    ...update.bind({ ...columnsOf(state, expected.lastSeq + eventCount), id: state.id, expected: expected.state.revision }),
    expect: { rows: 1, code: 'conflict.stale', message: `Instance "${state.id}" changed after revision ${expected.state.revision}; reload it and retry.` },
  }
}

/**
 * Counts one more failed attempt at firing the instance's due deadline, unless since `failures`
 * was read with `expected` the instance changed (the attempt is no longer the latest) or another
 * server counted its own attempt (`conflict.stale`). A write of the instance resets the count.
 */
export function countFailureStatement(db: Kysely<Database>, expected: StoredInstance, failures: number): PlannedStatement {
  const { id, revision } = expected.state
  const count = db.updateTable('instance').set({ fire_failures: failures + 1 })
    .where('id', '=', id).where('revision', '=', revision).where('fire_failures', '=', failures)
  return statementOf(count, { rows: 1, code: 'conflict.stale', message: `Instance "${id}" changed after revision ${revision}.` })
}

/** How an instance's parties waited on change with one write. */
export interface WaitingWrite {
  readonly state: InstanceState
  readonly change: WaitingChange
}

/**
 * Deletes the `waiting_party` rows of the parties that stopped being waited on and inserts those
 * of the parties that started: nothing when no one's waiting changed. An instance that waits on
 * none has all its rows deleted, and a row already there is left as it is, so rows that ever
 * disagreed with the instance are set right by its next change. Deletes are grouped by the roles
 * stopped (a batch of deadlines mostly ends deliveries, stopping all), inserts are many rows each.
 */
export function waitingStatements(db: Kysely<Database>, writes: readonly WaitingWrite[]): PlannedStatement[] {
  const stopped = new Map<string, { roles: readonly string[]; ids: string[] }>()
  const started: WaitingPartyTable[] = []
  for (const { state, change } of writes) {
    if (change.none || change.stopped.length > 0) {
      // Every role, for an instance that waits on none.
      const roles = change.none ? [] : change.stopped
      const key = roles.join('\n')
      const group = stopped.get(key) ?? { roles, ids: [] }
      stopped.set(key, group)
      group.ids.push(state.id)
    }
    for (const role of change.started) {
      const subject = state.parties[role]
      if (subject !== undefined) started.push({ instance_id: state.id, role, subject, instance_created_at: state.startedAt })
    }
  }
  const statements = [...stopped.values()].map(({ roles, ids }) => ids.length === 1
    // One instance (every command): a prepared statement per number of roles.
    ? prepared(db, `delete ${roles.length} waiting`, (db) => db.deleteFrom('waiting_party').where('instance_id', '=', slot('id'))
      .$if(roles.length > 0, (q) => q.where('role', 'in', roles.map((_, i) => slot(`role${i}`)))))
      .bind({ id: ids[0], ...Object.fromEntries(roles.map((role, i) => [`role${i}`, role])) })
    : statementOf(db.deleteFrom('waiting_party').where('instance_id', 'in', ids).$if(roles.length > 0, (q) => q.where('role', 'in', roles))))
  for (let i = 0; i < started.length; i += INSERT_CHUNK) statements.push(multiRowInsert(db, 'waiting_party', PARTY_COLUMNS, started.slice(i, i + INSERT_CHUNK), { orKeep: true }))
  return statements
}

/**
 * Inserts `rows` (at most {@link INSERT_CHUNK}) into `table` (with `orKeep`, leaving a row whose
 * key is there already as it is): with a statement prepared per number of rows for the few of
 * one command, else built for these rows.
 */
function multiRowInsert<T extends 'instance_party' | 'waiting_party'>(db: Kysely<Database>, table: T, columns: ReadonlyArray<keyof Database[T] & string>, rows: ReadonlyArray<Database[T]>, { orKeep = false } = {}): PlannedStatement {
  const insert = (db: Kysely<Database>, values: ReadonlyArray<Database[T]>) => db.insertInto(table).values(values as never)
    .$if(orKeep, (q) => q.onConflict((oc) => oc.columns(['instance_id', 'role']).doNothing()))
  if (rows.length > PREPARED_EVENT_ROWS) return statementOf(insert(db, rows))
  const names = (i: number) => columns.map((column) => `${i}.${column}`)
  const prepare = prepared(db, `insert ${rows.length} ${table}${orKeep ? ' or keep' : ''}`, (db) => insert(db,
    rows.map((_, i) => Object.fromEntries(names(i).map((name, j) => [columns[j], slot(name)])) as Database[T])))
  const values: unknown[] = []
  for (const row of rows) for (const column of columns) values.push(row[column])
  return prepare.bindInOrder(values, () => rows.flatMap((_, i) => names(i)))
}

/** The instance row's columns that follow from its state. */
export function columnsOf(state: InstanceState, lastSeq: number) {
  return {
    status: state.status,
    step: state.step ?? null,
    outcome: state.outcome ?? null,
    // Only an active instance's deadlines are claimable: a failed one keeps them in its state for a retry.
    next_deadline: state.status === 'active' ? nextDeadline(state) ?? null : null,
    revision: state.revision,
    last_seq: lastSeq,
    state: JSON.stringify(state),
    updated_at: state.updatedAt,
  }
}

/** Longest order ID stored for the order ID filter: as long as a list filter's value may be. */
export const ORDER_ID_MAX_LENGTH = 256

/**
 * The `order_id` column of an instance: its context's `orderId` when that is a string of 1 to
 * {@link ORDER_ID_MAX_LENGTH} characters, kept exactly (case and spaces included), else null.
 * Written once, when the instance is inserted (its context never changes after), and by
 * migration 0008 for the instances inserted before.
 */
export function orderIdOf(context: Readonly<Record<string, unknown>>): string | null {
  const orderId = context['orderId']
  return typeof orderId === 'string' && orderId.length > 0 && orderId.length <= ORDER_ID_MAX_LENGTH ? orderId : null
}

/** The `event` row of the instance's `seq`-th event. */
export function eventRow(instanceId: string, seq: number, event: Event): EventTable {
  return {
    instance_id: instanceId,
    seq,
    type: event.type,
    at: event.at,
    fired_at: 'firedAt' in event ? event.firedAt ?? null : null,
    step: 'step' in event ? event.step : null,
    action: 'action' in event ? event.action : null,
    actor_role: 'by' in event ? event.by.role : null,
    actor_subject: 'by' in event ? event.by.subject : null,
    payload: JSON.stringify(event),
  }
}

/** Inserts event rows, many per statement; the few of one command, and full chunks of a batch, with a prepared statement. */
export function eventStatements(db: Kysely<Database>, rows: readonly EventTable[]): PlannedStatement[] {
  const statements: PlannedStatement[] = []
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK)
    if (!isPreparedSize(chunk.length)) {
      statements.push(statementOf(db.insertInto('event').values(chunk)))
      continue
    }
    const insert = prepared(db, `insert ${chunk.length} events`, (db) => db.insertInto('event')
      .values(chunk.map((_, i) => Object.fromEntries(EVENT_COLUMNS.map((c) => [c, slot(`${i}.${c}`)])) as unknown as EventTable)))
    const values: unknown[] = []
    for (const row of chunk) for (const column of EVENT_COLUMNS) values.push(row[column])
    statements.push(insert.bindInOrder(values, () => chunk.flatMap((_, i) => EVENT_COLUMNS.map((c) => `${i}.${c}`))))
  }
  return statements
}

/**
 * Whether a multi-row insert of `rows` rows is compiled once and kept: the few rows of a command,
 * and a full chunk of a batch (deadline claims write theirs by the thousand, and building and
 * compiling such a query costs more than binding its values).
 */
function isPreparedSize(rows: number): boolean {
  return (rows > 0 && rows <= PREPARED_EVENT_ROWS) || rows === INSERT_CHUNK
}

const OUTBOX_COLUMNS = ['id', 'type', 'instance_id', 'process_id', 'at', 'recorded_at', 'seq', 'revision', 'payload'] as const satisfies ReadonlyArray<keyof PublicEventTable>
type OutboxRow = Pick<PublicEventTable, (typeof OUTBOX_COLUMNS)[number]>

/** The public events of a write, decided at `recordedAt`: written with it, in its transaction. */
export interface OutboxWrite {
  readonly events: readonly PublicEventRef[]
  readonly recordedAt: string
}

/** The outbox rows of deliveries' public events decided at `recordedAt`: references into their histories. */
export function outboxRows({ events, recordedAt }: OutboxWrite): OutboxRow[] {
  return events.map((ref) => ({
    id: ref.id, type: ref.type, instance_id: ref.instanceId, process_id: ref.processId, at: ref.timestamp, recorded_at: recordedAt,
    seq: ref.seq, revision: ref.revision, payload: null,
  }))
}

/** The outbox rows of public events of no delivery (those of webhook endpoints), decided at `recordedAt`: kept whole. */
export function standaloneRows(events: readonly PublicEvent[], recordedAt: string): OutboxRow[] {
  return events.map((event) => ({
    id: event.id, type: event.type, instance_id: null, process_id: null, at: event.timestamp, recorded_at: recordedAt,
    seq: null, revision: null, payload: JSON.stringify(event),
  }))
}

/**
 * Inserts public events into the outbox, in order, each with the inserting transaction's id as
 * `order` gives it; the few of one command, and full chunks of a batch, with a prepared statement.
 */
export function outboxStatements(db: Kysely<Database>, order: OutboxOrder, rows: readonly OutboxRow[]): PlannedStatement[] {
  const insert = (values: readonly OutboxRow[]) => db.insertInto('public_event').values(values.map((row) => ({ ...row, tx: order.transactionId })))
  const statements: PlannedStatement[] = []
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK)
    if (!isPreparedSize(chunk.length)) {
      statements.push(statementOf(insert(chunk)))
      continue
    }
    const statement = prepared(db, `insert ${chunk.length} public events`, () => insert(chunk.map((_, i) => Object.fromEntries(OUTBOX_COLUMNS.map((c) => [c, slot(`${i}.${c}`)])) as unknown as OutboxRow)))
    const values: unknown[] = []
    for (const row of chunk) for (const column of OUTBOX_COLUMNS) values.push(row[column])
    statements.push(statement.bindInOrder(values, () => chunk.flatMap((_, i) => OUTBOX_COLUMNS.map((c) => `${i}.${c}`))))
  }
  return statements
}

/** Binds attachments to the instance, unless another instance took one of them meanwhile (`conflict.stale`). */
export function attachmentStatements(db: Kysely<Database>, instanceId: string, ids: readonly string[]): PlannedStatement[] {
  if (ids.length === 0) return []
  const bind = db.updateTable('attachment').set({ instance_id: instanceId })
    .where('id', 'in', ids)
    .where((eb) => eb.or([eb('instance_id', 'is', null), eb('instance_id', '=', instanceId)]))
  return [statementOf(bind, {
    rows: new Set(ids).size, code: 'conflict.stale', message: 'An attachment was attached to another delivery meanwhile; upload the file again for this one.',
  })]
}

/**
 * Makes `held` the values the instance holds (a process's `unique`): its rows deleted, then one
 * inserted per value, each refused (`unique.taken`) when another instance of the process holds
 * it. The primary key decides, so of two writes racing for one value exactly one stands, on
 * SQLite and PostgreSQL alike (the second waits for the first's commit, then inserts nothing).
 */
export function uniqueStatements(db: Kysely<Database>, processId: string, instanceId: string, held: readonly HeldValue[]): PlannedStatement[] {
  return [
    statementOf(db.deleteFrom('unique_value').where('instance_id', '=', instanceId)),
    ...held.map(({ name, value, title }) => statementOf(
      db.insertInto('unique_value').values({ process_id: processId, name, value, instance_id: instanceId }).onConflict((oc) => oc.doNothing()),
      { rows: 1, code: 'unique.taken', message: `${title} ${value} is already held by another delivery of process "${processId}" (in progress, or ended keeping it); a value may be held by one delivery at a time.` },
    )),
  ]
}

/** Frees every value the instances hold (they ended without keeping them). */
export function releaseUniqueStatement(db: Kysely<Database>, instanceIds: readonly string[]): PlannedStatement {
  return statementOf(db.deleteFrom('unique_value').where('instance_id', 'in', instanceIds))
}
