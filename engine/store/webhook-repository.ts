import type { Generated, Kysely, Selectable } from 'kysely'
import type { Database } from './database.js'
import type { ClaimTraits } from './dialect.js'
import type { EventFeedRepository, FeedPosition, FeedRow } from './event-feed.js'

/** A webhook endpoint's row. */
export interface WebhookEndpointTable {
  id: string
  url: string
  description: string | null
  /** The event types it is sent, a JSON array; null for every type. */
  types: string | null
  /** Only events of deliveries of this process; null for every process. */
  process_id: string | null
  status: 'enabled' | 'disabled'
  /** Why it was disabled: `manual` or `failing`. */
  disabled_reason: string | null
  /** The signing secret, sealed (see engine/webhooks/secret-box.ts): signing needs it, so it cannot be a hash. */
  secret: string
  /** The secret before the last rotation, still signing until `previous_until`. */
  previous_secret: string | null
  previous_until: string | null
  /** Where its reading of the outbox stands (see FeedPosition). */
  cursor_tx: number
  cursor_position: number
  /** When attempts began failing without a success since; null while they succeed. */
  failing_since: string | null
  last_success_at: string | null
  created_at: string
  updated_at: string
}

/** One event to send to one endpoint, until an attempt succeeds or the retries are spent. */
export interface WebhookDeliveryTable {
  id: Generated<number>
  endpoint_id: string
  event_id: string
  /** The event's `position` in the outbox (null for deliveries queued before migration 0018). */
  event_position: number | string | null
  instance_id: string | null
  status: 'pending' | 'succeeded' | 'failed'
  attempts: number
  /** When the next attempt is due (the engine's clock). */
  next_attempt_at: string
  /** The server holding it and until when (real time): only that server writes the attempt's outcome. */
  claimed_by: string | null
  claimed_until: string | null
  created_at: string
}

/** One attempt at a delivery. */
export interface WebhookAttemptTable {
  id: Generated<number>
  endpoint_id: string
  delivery_id: number
  event_id: string
  attempt: number
  at: string
  status: number | null
  latency_ms: number
  error: string | null
}

// A type rather than an interface: Kysely's withTables wants an index signature.
export type WebhookTables = {
  webhook_endpoint: WebhookEndpointTable
  webhook_delivery: WebhookDeliveryTable
  webhook_attempt: WebhookAttemptTable
}

export type WebhookEndpointRow = Selectable<WebhookEndpointTable>
export type WebhookAttemptRow = Selectable<WebhookAttemptTable>

/** A delivery claimed for an attempt, with what sending it needs. */
export interface ClaimedDelivery {
  readonly id: number
  readonly endpointId: string
  readonly eventId: string
  /** Attempts made before this one. */
  readonly attempts: number
  /** The event's row of the outbox (rendered by the engine's `Events.render`); undefined if the outbox no longer holds it. */
  readonly event: FeedRow | undefined
}

/** What became of one attempt at a claimed delivery. */
export interface AttemptOutcome {
  readonly delivery: ClaimedDelivery
  readonly ok: boolean
  readonly status: number | null
  readonly latencyMs: number
  readonly error: string | null
  /** When the attempt was made (the engine's clock). */
  readonly at: string
  /** When to try again after a failure (the engine's clock); undefined when the retries are spent. */
  readonly retryAt: string | undefined
}

const INSERT_CHUNK = 200
const PURGE_CHUNK = 5_000

/** Webhook endpoints, their deliveries and attempts: the only code that knows these tables. */
export class WebhookRepository {
  readonly #db: Kysely<Database & WebhookTables>
  readonly #feed: EventFeedRepository
  readonly #claims: ClaimTraits

  constructor(db: Kysely<Database>, feed: EventFeedRepository, claims: ClaimTraits) {
    this.#db = db.withTables<WebhookTables>()
    this.#feed = feed
    this.#claims = claims
  }

  async insert(row: WebhookEndpointRow): Promise<void> {
    await this.#db.insertInto('webhook_endpoint').values(row).execute()
  }

  async find(id: string): Promise<WebhookEndpointRow | undefined> {
    const row = await this.#db.selectFrom('webhook_endpoint').selectAll().where('id', '=', id).executeTakeFirst()
    return row && numbered(row)
  }

  async list(): Promise<WebhookEndpointRow[]> {
    return (await this.#db.selectFrom('webhook_endpoint').selectAll().orderBy('created_at').orderBy('id').execute()).map(numbered)
  }

  /** Changes an endpoint; false if there is none with this id. */
  async update(id: string, changes: Partial<Omit<WebhookEndpointRow, 'id' | 'created_at'>>): Promise<boolean> {
    const result = await this.#db.updateTable('webhook_endpoint').set(changes).where('id', '=', id).executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  /** Deletes an endpoint with its deliveries and attempts; false if there is none with this id. */
  async delete(id: string): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('webhook_attempt').where('endpoint_id', '=', id).execute()
      await trx.deleteFrom('webhook_delivery').where('endpoint_id', '=', id).execute()
      const result = await trx.deleteFrom('webhook_endpoint').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    })
  }

  /**
   * Turns the next events of the outbox an enabled endpoint is subscribed to into deliveries due
   * at `now`, at most `limit`, and moves its cursor past them, in one transaction that stands
   * only if no other server moved the cursor first. Resolves with how many were queued.
   */
  async fill(endpoint: WebhookEndpointRow, limit: number, now: string): Promise<number> {
    const after: FeedPosition = { tx: endpoint.cursor_tx, position: endpoint.cursor_position }
    const types = endpoint.types === null ? undefined : JSON.parse(endpoint.types) as string[]
    const rows = await this.#feed.page({
      after, limit, recordedFrom: endpoint.created_at,
      ...(types ? { types } : {}), ...(endpoint.process_id === null ? {} : { processId: endpoint.process_id, orNoProcess: true }),
    })
    const last = rows.at(-1)
    if (!last) return 0
    return this.#db.transaction().execute(async (trx) => {
      const moved = await trx.updateTable('webhook_endpoint')
        .set({ cursor_tx: last.position.tx, cursor_position: last.position.position })
        .where('id', '=', endpoint.id).where('cursor_tx', '=', after.tx).where('cursor_position', '=', after.position)
        .executeTakeFirst()
      if (Number(moved.numUpdatedRows) !== 1) return 0
      await this.#queue(trx, endpoint.id, rows, now)
      return rows.length
    })
  }

  async #queue(db: Kysely<Database & WebhookTables>, endpointId: string, rows: readonly FeedRow[], now: string): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await db.insertInto('webhook_delivery').values(rows.slice(i, i + INSERT_CHUNK).map((row) => ({
        endpoint_id: endpointId, event_id: row.id, event_position: row.position.position, instance_id: row.instanceId, status: 'pending' as const,
        attempts: 0, next_attempt_at: now, claimed_by: null, claimed_until: null, created_at: now,
      }))).execute()
    }
  }

  /** Queues the events `rows` again for an endpoint (a resend), after whatever is pending. */
  async requeue(endpointId: string, rows: readonly FeedRow[], now: string): Promise<void> {
    await this.#db.transaction().execute((trx) => this.#queue(trx, endpointId, rows, now))
  }

  /**
   * Claims up to `limit` deliveries due at `now` (the engine's clock) for `holder` until
   * `leaseUntil` (real time): pending, of enabled endpoints, unclaimed or with an expired lease,
   * and each the earliest pending one of its delivery for its endpoint (so one delivery's events
   * go out in order). With row locks, rows another server is claiming are skipped.
   */
  async claim(holder: string, now: string, realNow: string, leaseUntil: string, limit: number): Promise<ClaimedDelivery[]> {
    const db = this.#db
    const candidates = db.selectFrom('webhook_delivery as d').select('d.id')
      .where('d.status', '=', 'pending').where('d.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('d.claimed_until', 'is', null), eb('d.claimed_until', '<', realNow)]))
      .where('d.endpoint_id', 'in', (eb) => eb.selectFrom('webhook_endpoint').select('webhook_endpoint.id').where('webhook_endpoint.status', '=', 'enabled'))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('webhook_delivery as p').select('p.id')
        .whereRef('p.endpoint_id', '=', 'd.endpoint_id').whereRef('p.instance_id', '=', 'd.instance_id')
        .where('p.status', '=', 'pending').whereRef('p.id', '<', 'd.id'))))
      .orderBy('d.next_attempt_at').orderBy('d.id').limit(limit)
    const locked = this.#claims.rowLocks ? candidates.forUpdate().skipLocked() : candidates
    const claimed = await db.updateTable('webhook_delivery').set({ claimed_by: holder, claimed_until: leaseUntil })
      .where('id', 'in', locked)
      .returning(['id', 'endpoint_id', 'event_id', 'event_position', 'attempts'])
      .execute()
    if (claimed.length === 0) return []
    // By their place in the outbox; those queued before migration 0018, by id.
    const positions = [...new Set(claimed.flatMap((row) => row.event_position === null ? [] : [Number(row.event_position)]))]
    const byId = [...new Set(claimed.flatMap((row) => row.event_position === null ? [row.event_id] : []))]
    const events = new Map([...await this.#feed.atPositions(positions), ...await this.#feed.findMany(byId)].map((row) => [row.id, row]))
    return claimed.sort((a, b) => Number(a.id) - Number(b.id)).map((row) => ({
      id: Number(row.id), endpointId: row.endpoint_id, eventId: row.event_id, attempts: row.attempts, event: events.get(row.event_id),
    }))
  }

  /**
   * Writes the outcomes of attempts `holder` made, each only if `holder` still holds its claim
   * (else it is left out: another server took the delivery over), in one transaction, with the
   * attempts' log and the endpoints' success or failure. Resolves with the outcomes written.
   */
  async settle(holder: string, outcomes: readonly AttemptOutcome[]): Promise<AttemptOutcome[]> {
    if (outcomes.length === 0) return []
    return this.#db.transaction().execute(async (trx) => {
      const written: AttemptOutcome[] = []
      const succeeded = outcomes.filter((o) => o.ok)
      for (let i = 0; i < succeeded.length; i += INSERT_CHUNK) {
        const chunk = succeeded.slice(i, i + INSERT_CHUNK)
        const rows = await trx.updateTable('webhook_delivery')
          .set((eb) => ({ status: 'succeeded' as const, attempts: eb('attempts', '+', 1), claimed_by: null, claimed_until: null }))
          .where('id', 'in', chunk.map((o) => o.delivery.id)).where('claimed_by', '=', holder)
          .returning('id').execute()
        const ids = new Set(rows.map((row) => Number(row.id)))
        written.push(...chunk.filter((o) => ids.has(o.delivery.id)))
      }
      for (const outcome of outcomes.filter((o) => !o.ok)) {
        const result = await trx.updateTable('webhook_delivery')
          .set((eb) => ({
            status: outcome.retryAt === undefined ? 'failed' as const : 'pending' as const, attempts: eb('attempts', '+', 1),
            next_attempt_at: outcome.retryAt ?? outcome.at, claimed_by: null, claimed_until: null,
          }))
          .where('id', '=', outcome.delivery.id).where('claimed_by', '=', holder)
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) === 1) written.push(outcome)
      }
      for (let i = 0; i < written.length; i += INSERT_CHUNK) {
        await trx.insertInto('webhook_attempt').values(written.slice(i, i + INSERT_CHUNK).map((o) => ({
          endpoint_id: o.delivery.endpointId, delivery_id: o.delivery.id, event_id: o.delivery.eventId, attempt: o.delivery.attempts + 1,
          at: o.at, status: o.status, latency_ms: Math.round(o.latencyMs), error: o.error,
        }))).execute()
      }
      const last = new Map<string, AttemptOutcome>()
      for (const o of written) if (o.ok || !last.get(o.delivery.endpointId)?.ok) last.set(o.delivery.endpointId, o)
      for (const [endpointId, o] of last) {
        if (o.ok) {
          await trx.updateTable('webhook_endpoint').set({ failing_since: null, last_success_at: o.at }).where('id', '=', endpointId).execute()
        } else {
          await trx.updateTable('webhook_endpoint').set({ failing_since: o.at }).where('id', '=', endpointId).where('failing_since', 'is', null).execute()
        }
      }
      return written
    })
  }

  /** Disables the enabled endpoints failing since `before` or earlier; resolves with those disabled. */
  async disableFailing(before: string, now: string): Promise<WebhookEndpointRow[]> {
    const rows = await this.#db.updateTable('webhook_endpoint')
      .set({ status: 'disabled', disabled_reason: 'failing', updated_at: now })
      .where('status', '=', 'enabled').where('failing_since', '<=', before)
      .returningAll().execute()
    return rows.map(numbered)
  }

  /** An endpoint's attempts, newest first, before the attempt `before` (an id) if given. */
  async attempts(endpointId: string, limit: number, before: number | undefined): Promise<WebhookAttemptRow[]> {
    const rows = await this.#db.selectFrom('webhook_attempt').selectAll().where('endpoint_id', '=', endpointId)
      .$if(before !== undefined, (q) => q.where('id', '<', before as number))
      .orderBy('id', 'desc').limit(limit).execute()
    return rows.map((row) => ({ ...row, id: Number(row.id), delivery_id: Number(row.delivery_id) }))
  }

  /**
   * Removes the attempts made before `before` (the engine's clock), and the deliveries settled
   * (succeeded or given up) that were queued a week before it (their attempts, spread over at
   * most about six days, went with them). Deletes a chunk per transaction, oldest first (the
   * oldest rows have the lowest ids), so writers are never held up long. Resolves with how many.
   */
  async purge(before: string): Promise<{ deliveries: number; attempts: number }> {
    const queuedBefore = new Date(Date.parse(before) - 7 * 86_400_000).toISOString()
    let attempts = 0
    for (let n = PURGE_CHUNK; n === PURGE_CHUNK; attempts += n) {
      const result = await this.#db.deleteFrom('webhook_attempt')
        .where('id', 'in', (eb) => eb.selectFrom('webhook_attempt').select('id').where('at', '<', before).orderBy('id').limit(PURGE_CHUNK))
        .executeTakeFirst()
      n = Number(result.numDeletedRows)
    }
    let deliveries = 0
    for (let n = PURGE_CHUNK; n === PURGE_CHUNK; deliveries += n) {
      const result = await this.#db.deleteFrom('webhook_delivery')
        .where('id', 'in', (eb) => eb.selectFrom('webhook_delivery').select('id').where('status', 'in', ['succeeded', 'failed']).where('created_at', '<', queuedBefore).orderBy('id').limit(PURGE_CHUNK))
        .executeTakeFirst()
      n = Number(result.numDeletedRows)
    }
    return { deliveries, attempts }
  }

  /** How many deliveries are pending, for endpoints or all of them. */
  async pending(endpointId?: string): Promise<number> {
    const row = await this.#db.selectFrom('webhook_delivery').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending').$if(endpointId !== undefined, (q) => q.where('endpoint_id', '=', endpointId as string))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
}

/** PostgreSQL answers bigint columns as strings. */
function numbered(row: WebhookEndpointRow): WebhookEndpointRow {
  return { ...row, cursor_tx: Number(row.cursor_tx), cursor_position: Number(row.cursor_position) }
}
