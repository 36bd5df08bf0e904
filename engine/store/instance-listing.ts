import type { Kysely, SelectQueryBuilder } from 'kysely'
import type { ListOrder } from '../list-filters.js'
import type { InstanceState } from '../runtime/state.js'
import type { Database, WaitingPartyTable } from './database.js'

/** Filters of {@link listInstances}; all optional, combined with AND. */
export interface InstanceQuery {
  readonly processId?: string
  readonly status?: string
  readonly step?: string
  /** Only instances where this role is held by this subject. */
  readonly party?: { readonly role: string; readonly subject: string }
  /** With `party`: only instances whose current step waits on that party. */
  readonly waiting?: boolean
  /** Only instances with exactly this order ID (the `order_id` column). */
  readonly orderId?: string
  /** Only instances created at or after this instant (stored form, see `iso`). */
  readonly startedFrom?: string
  /** Only instances created before this instant (stored form). */
  readonly startedTo?: string
  /** By creation then id: `oldest` first or `newest` first. */
  readonly order: ListOrder
  /** Continue after this instance (a previous page's last item), in `order`. */
  readonly after?: { readonly createdAt: string; readonly id: string }
  readonly limit: number
}

/** The party rows a list reads: every party's (`instance_party`), or those waited on (`waiting_party`), as `party`. */
type PartyRows = Database & { party: WaitingPartyTable }

/** A listing query: from `instance` alone, or from party rows joined to their instances. */
type Listing = SelectQueryBuilder<PartyRows, 'instance' | 'party', object>

/**
 * Instances matching `query`, in its order. A party's instances are read from its party rows (or,
 * waiting on it only, its rows in `waiting_party`), which carry the instance's creation instant: in
 * order from the index on (subject, role, instance_created_at, instance_id), so a page costs the
 * same for a party with ten instances or ten thousand. Other lists read `instance` in order from
 * (created_at, id); a search by order ID from (order_id, created_at, id), keeping those the party
 * holds.
 */
export async function listInstances(db: Kysely<Database>, query: InstanceQuery): Promise<Array<{ state: InstanceState; createdAt: string }>> {
  const partyRows = query.waiting === true ? 'waiting_party as party' : 'instance_party as party'
  // An order ID names one or a few instances: found by its index, then checked for the party.
  const party = query.orderId === undefined ? query.party : undefined
  // Without `party` no column of the party rows is named below: the cast only lets both shapes
  // share the filters.
  const partyDb = db as unknown as Kysely<PartyRows>
  let q: Listing = party
    ? (partyDb.selectFrom(partyRows) as unknown as SelectQueryBuilder<PartyRows, 'party', object>).innerJoin('instance', 'instance.id', 'party.instance_id')
      .where('party.subject', '=', party.subject).where('party.role', '=', party.role)
    : partyDb.selectFrom('instance') as unknown as Listing
  if (query.party && !party) {
    const { role, subject } = query.party
    // By the party rows' primary key (instance_id, role), one look-up per instance found.
    q = q.where((eb) => eb.exists((eb.selectFrom(partyRows) as unknown as SelectQueryBuilder<PartyRows, 'instance' | 'party', object>)
      .select('party.instance_id')
      .whereRef('party.instance_id', '=', 'instance.id').where('party.role', '=', role).where('party.subject', '=', subject)))
  }
  // The order's columns: the party row's copies when listing from the party rows.
  const createdAt = party ? 'party.instance_created_at' : 'instance.created_at'
  const id = party ? 'party.instance_id' : 'instance.id'
  if (query.processId !== undefined) q = q.where('instance.process_id', '=', query.processId)
  if (query.status !== undefined) q = q.where('instance.status', '=', query.status)
  if (query.step !== undefined) q = q.where('instance.step', '=', query.step)
  if (query.orderId !== undefined) q = q.where('instance.order_id', '=', query.orderId)
  if (query.startedFrom !== undefined) q = q.where(createdAt, '>=', query.startedFrom)
  if (query.startedTo !== undefined) q = q.where(createdAt, '<', query.startedTo)
  const direction = query.order === 'newest' ? 'desc' : 'asc'
  if (query.after) {
    const after = query.after
    const beyond = direction === 'asc' ? '>' : '<'
    q = q.where((eb) => eb.or([
      eb(createdAt, beyond, after.createdAt),
      eb.and([eb(createdAt, '=', after.createdAt), eb(id, beyond, after.id)]),
    ]))
  }
  const rows = await q.select(['instance.state', 'instance.created_at'])
    .orderBy(createdAt, direction).orderBy(id, direction).limit(query.limit).execute()
  return rows.map((row) => ({ state: JSON.parse(row.state) as InstanceState, createdAt: row.created_at }))
}
