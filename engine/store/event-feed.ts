import type { Kysely, SelectQueryBuilder } from 'kysely'
import type { PublicEvent } from '../runtime/public-events.js'
import type { Database } from './database.js'
import type { OutboxOrder } from './dialect.js'
import { outboxStatements, standaloneRows } from './instance-writes.js'
import { runThrough } from './commit-group.js'
import { runStatement } from './write-plan.js'

/** A place in the feed: the (tx, position) of an outbox row (see OutboxOrder). */
export interface FeedPosition {
  readonly tx: number
  readonly position: number
}

const FEED_COLUMNS = ['tx', 'position', 'id', 'type', 'instance_id', 'process_id', 'seq', 'revision', 'payload'] as const
type FeedColumns = Pick<Database['public_event'], (typeof FEED_COLUMNS)[number]>
type FeedSelect = SelectQueryBuilder<Database, 'public_event', Omit<FeedColumns, 'position'> & { position: number }>

/** What to read of the feed. */
export interface FeedQuery {
  /** Where the previous page ended; the feed's start if absent. */
  readonly after?: FeedPosition | undefined
  readonly limit: number
  /** Only events of these types. */
  readonly types?: readonly string[] | undefined
  readonly processId?: string | undefined
  /** With `processId`: events of no delivery (an endpoint's) too. */
  readonly orNoProcess?: boolean | undefined
  readonly instanceId?: string | undefined
  /** Only events of deliveries where this role is held by this subject. */
  readonly party?: { readonly role: string; readonly subject: string } | undefined
  /** Only events decided at or after this instant. */
  readonly recordedFrom?: string | undefined
}

/** An event of the feed, with its place: stored whole, or by reference into its delivery's history. */
export interface FeedRow {
  readonly position: FeedPosition
  readonly id: string
  readonly type: string
  readonly instanceId: string | null
  readonly processId: string | null
  /**
   * The event whole (events of no delivery, and deliveries' events stored before migration 0017),
   * or where its delivery's history has it: rebuilt by the engine (`Events.render`).
   */
  readonly source: { readonly event: PublicEvent } | { readonly seq: number; readonly revision: number }
}

/**
 * Reads the outbox of public events as a feed, in the order of OutboxOrder: a page that ends at a
 * position is never followed by a row that commits before it later.
 */
export class EventFeedRepository {
  readonly #db: Kysely<Database>
  readonly #order: OutboxOrder

  constructor(db: Kysely<Database>, order: OutboxOrder) {
    this.#db = db
    this.#order = order
  }

  /**
   * Up to `limit` events after `after`, matching the query, in feed order. Read in two index
   * ranges, the rest of `after`'s transaction and then the later ones: SQLite seeks a range on
   * the leading column of `(tx, position) > (a, b)` only, and would scan every event before a
   * page from the first (a page at the end of a million events took 100 ms instead of 0.4).
   */
  async page(query: FeedQuery): Promise<FeedRow[]> {
    const { after } = query
    if (after === undefined) return this.#range(query, undefined, query.limit)
    const rest = await this.#range(query, (q) => q.where('tx', '=', after.tx).where('position', '>', after.position), query.limit)
    if (rest.length === query.limit) return rest
    return [...rest, ...await this.#range(query, (q) => q.where('tx', '>', after.tx), query.limit - rest.length)]
  }

  async #range(query: FeedQuery, from: ((q: FeedSelect) => FeedSelect) | undefined, limit: number): Promise<FeedRow[]> {
    const { types, processId, orNoProcess, instanceId, party, recordedFrom } = query
    const visibleBefore = this.#order.visibleBefore
    const select: FeedSelect = this.#db.selectFrom('public_event').select(FEED_COLUMNS)
    const rows = await (from ? from(select) : select)
      .$if(visibleBefore !== undefined, (q) => q.where('tx', '<', visibleBefore as NonNullable<typeof visibleBefore>))
      .$if(types !== undefined && types.length > 0, (q) => q.where('type', 'in', types as readonly string[]))
      .$if(processId !== undefined, (q) => q.where((eb) => orNoProcess === true
        ? eb.or([eb('process_id', '=', processId as string), eb('process_id', 'is', null)])
        : eb('process_id', '=', processId as string)))
      .$if(instanceId !== undefined, (q) => q.where('instance_id', '=', instanceId as string))
      .$if(recordedFrom !== undefined, (q) => q.where('recorded_at', '>=', recordedFrom as string))
      .$if(party !== undefined, (q) => q.where('instance_id', 'in', (eb) => eb.selectFrom('instance_party').select('instance_id')
        .where('role', '=', (party as NonNullable<typeof party>).role).where('subject', '=', (party as NonNullable<typeof party>).subject)))
      .orderBy('tx').orderBy('position')
      .limit(limit)
      .execute()
    return rows.map(feedRow)
  }

  /** The place of the last event a page can show now (the feed's start when there is none). */
  async end(): Promise<FeedPosition> {
    const visibleBefore = this.#order.visibleBefore
    const row = await this.#db.selectFrom('public_event').select(['tx', 'position'])
      .$if(visibleBefore !== undefined, (q) => q.where('tx', '<', visibleBefore as NonNullable<typeof visibleBefore>))
      .orderBy('tx', 'desc').orderBy('position', 'desc').limit(1).executeTakeFirst()
    return row ? { tx: Number(row.tx), position: Number(row.position) } : { tx: 0, position: 0 }
  }

  /** The event with this id, or undefined. */
  async find(id: string): Promise<FeedRow | undefined> {
    return (await this.findMany([id]))[0]
  }

  /**
   * The events with these ids, in no order. Found through the index of each delivery's events
   * (a delivery's event's id is the delivery's id, a dot and a number); the few events of no
   * delivery are found among theirs.
   */
  async findMany(ids: readonly string[]): Promise<FeedRow[]> {
    const found: FeedRow[] = []
    for (let i = 0; i < ids.length; i += FIND_CHUNK) {
      const chunk = ids.slice(i, i + FIND_CHUNK)
      const instances = [...new Set(chunk.flatMap((id) => id.includes('.') ? [id.slice(0, id.lastIndexOf('.'))] : []))]
      const rows = await this.#db.selectFrom('public_event').select(FEED_COLUMNS)
        .where('id', 'in', chunk)
        .where((eb) => instances.length === 0 ? eb('instance_id', 'is', null) : eb.or([eb('instance_id', 'in', instances), eb('instance_id', 'is', null)]))
        .execute()
      found.push(...rows.map(feedRow))
    }
    return found
  }

  /** The events at these positions of the outbox, in no order. */
  async atPositions(positions: readonly number[]): Promise<FeedRow[]> {
    const found: FeedRow[] = []
    for (let i = 0; i < positions.length; i += FIND_CHUNK) {
      found.push(...(await this.#db.selectFrom('public_event').select(FEED_COLUMNS).where('position', 'in', positions.slice(i, i + FIND_CHUNK)).execute()).map(feedRow))
    }
    return found
  }

  /** Writes public events of no delivery (those of webhook endpoints), whole, in one transaction. */
  async publish(events: readonly PublicEvent[], recordedAt: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const run = runThrough(trx)
      for (const statement of outboxStatements(this.#db, this.#order, standaloneRows(events, recordedAt))) await runStatement({ run }, statement)
    })
  }
}

/** Most ids looked up by one query of {@link EventFeedRepository.findMany}. */
const FIND_CHUNK = 500

function feedRow(row: Omit<FeedColumns, 'position'> & { position: number | string; tx: number | string }): FeedRow {
  return {
    position: { tx: Number(row.tx), position: Number(row.position) },
    id: row.id,
    type: row.type,
    instanceId: row.instance_id,
    processId: row.process_id,
    source: row.payload !== null || row.seq === null || row.revision === null
      ? { event: JSON.parse(row.payload ?? '{}') as PublicEvent }
      : { seq: Number(row.seq), revision: Number(row.revision) },
  }
}
