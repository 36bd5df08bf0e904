import { randomBytes } from 'node:crypto'
import { lookup } from 'node:dns/promises'
import { Temporal } from 'temporal-polyfill'
import type { Clock } from '../clock.js'
import { EngineError } from '../errors.js'
import type { FieldProblem } from '../errors.js'
import { forbidden, may } from '../runtime/authorize.js'
import { PUBLIC_EVENT_TYPES } from '../runtime/public-events.js'
import type { Principal } from '../runtime/state.js'
import { iso } from '../runtime/time.js'
import type { EventFeedRepository, FeedRow } from '../store/event-feed.js'
import type { WebhookAttemptRow, WebhookEndpointRow, WebhookRepository } from '../store/webhook-repository.js'
import { hostOf, isBlockedAddress, parseEndpointUrl } from './addresses.js'
import { SecretBox } from './secret-box.js'
import { newSecret } from './signing.js'

/** An endpoint as the API shows it: never its secret. */
export interface WebhookEndpointView {
  readonly id: string
  readonly url: string
  readonly description: string | null
  /** The event types it is sent; null for every type. */
  readonly types: readonly string[] | null
  /** Only events of deliveries of this process; null for every process. */
  readonly process: string | null
  readonly status: 'enabled' | 'disabled'
  /** Why it is disabled: `manual` (by a call) or `failing` (no success for 5 days); null while enabled. */
  readonly disabledReason: string | null
  /** Until when the secret before the last rotation still signs beside the new one; null when none does. */
  readonly previousSecretUntil: string | null
  readonly failingSince: string | null
  readonly lastSuccessAt: string | null
  readonly createdAt: string
  readonly updatedAt: string
}

export interface WebhookEndpointCreate {
  readonly url: string
  readonly types?: readonly string[]
  readonly process?: string
  readonly description?: string
}

export interface WebhookEndpointUpdate {
  readonly url?: string
  readonly types?: readonly string[] | null
  readonly process?: string | null
  readonly description?: string | null
}

/** One attempt as the log shows it. */
export interface WebhookAttemptView {
  readonly eventId: string
  readonly attempt: number
  readonly at: string
  /** The HTTP status answered; null when none was (refused, timed out, connection failed). */
  readonly status: number | null
  readonly latencyMs: number
  readonly error: string | null
}

export type WebhookResend = { readonly eventId: string } | { readonly since: string }

/** Default overlap of a rotated secret: 24 hours. */
export const DEFAULT_OVERLAP_SECONDS = 86_400
const RESEND_LIMIT = 100_000
const RESEND_PAGE = 1_000

export interface WebhookEndpointsOptions {
  /** Allow URLs whose host is a loopback, private or otherwise internal address (`--webhook-allow-private`). */
  readonly allowPrivate: boolean
  /** How a host name is resolved (default: the system's resolver). */
  readonly resolve?: (host: string) => Promise<readonly string[]>
  /** Seals the signing secrets before they are stored (see secret-box.ts). */
  readonly secrets: SecretBox
}

const systemResolve = async (host: string): Promise<readonly string[]> => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address)

/**
 * Webhook endpoints, managed by administrators and the system: each is sent the public events it
 * is subscribed to, signed with its secret (see server/webhooks/).
 */
export class WebhookEndpoints {
  readonly #repository: WebhookRepository
  readonly #feed: EventFeedRepository
  readonly #clock: Clock
  readonly #allowPrivate: boolean
  readonly #resolve: (host: string) => Promise<readonly string[]>
  readonly #secrets: SecretBox

  constructor(repository: WebhookRepository, feed: EventFeedRepository, clock: Clock, options: WebhookEndpointsOptions) {
    this.#repository = repository
    this.#feed = feed
    this.#clock = clock
    this.#allowPrivate = options.allowPrivate
    this.#resolve = options.resolve ?? systemResolve
    this.#secrets = options.secrets
  }

  /** Creates an endpoint; the answer holds its secret, shown this once. */
  async create(request: WebhookEndpointCreate, by: Principal): Promise<WebhookEndpointView & { readonly secret: string }> {
    permit(by)
    await this.#checkUrl(request.url)
    checkTypes(request.types)
    const now = iso(this.#clock.now())
    const id = `we_${randomBytes(12).toString('hex')}`
    const secret = newSecret()
    const row: WebhookEndpointRow = {
      id, url: request.url, description: request.description ?? null,
      types: request.types ? JSON.stringify([...new Set(request.types)]) : null, process_id: request.process ?? null,
      status: 'enabled', disabled_reason: null, secret: this.#secrets.seal(secret, id), previous_secret: null, previous_until: null,
      cursor_tx: 0, cursor_position: 0, failing_since: null, last_success_at: null, created_at: now, updated_at: now,
    }
    await this.#repository.insert(row)
    return { ...view(row, now), secret }
  }

  async list(by: Principal): Promise<WebhookEndpointView[]> {
    permit(by)
    const now = iso(this.#clock.now())
    return (await this.#repository.list()).map((row) => view(row, now))
  }

  async get(id: string, by: Principal): Promise<WebhookEndpointView> {
    permit(by)
    return view(await this.#row(id), iso(this.#clock.now()))
  }

  /** Changes an endpoint's URL, subscription or description (null clears the last three). */
  async update(id: string, request: WebhookEndpointUpdate, by: Principal): Promise<WebhookEndpointView> {
    permit(by)
    await this.#row(id)
    if (request.url !== undefined) await this.#checkUrl(request.url)
    if (request.types) checkTypes(request.types)
    const now = iso(this.#clock.now())
    await this.#change(id, {
      ...(request.url === undefined ? {} : { url: request.url }),
      ...(request.types === undefined ? {} : { types: request.types === null ? null : JSON.stringify([...new Set(request.types)]) }),
      ...(request.process === undefined ? {} : { process_id: request.process }),
      ...(request.description === undefined ? {} : { description: request.description }),
      updated_at: now,
    })
    return view(await this.#row(id), now)
  }

  /** Stops sending to an endpoint; its deliveries wait, and events go on being queued for it. */
  async disable(id: string, by: Principal): Promise<WebhookEndpointView> {
    permit(by)
    await this.#row(id)
    const now = iso(this.#clock.now())
    await this.#change(id, { status: 'disabled', disabled_reason: 'manual', updated_at: now })
    return view(await this.#row(id), now)
  }

  /** Sends to an endpoint again, from the deliveries that waited; its count of failing days starts again. */
  async enable(id: string, by: Principal): Promise<WebhookEndpointView> {
    permit(by)
    await this.#row(id)
    const now = iso(this.#clock.now())
    await this.#change(id, { status: 'enabled', disabled_reason: null, failing_since: null, updated_at: now })
    return view(await this.#row(id), now)
  }

  /** Deletes an endpoint with its deliveries and attempts; resolves with it as it was. */
  async delete(id: string, by: Principal): Promise<WebhookEndpointView> {
    permit(by)
    const row = await this.#row(id)
    if (!await this.#repository.delete(id)) throw notFound(id)
    return view(row, iso(this.#clock.now()))
  }

  /**
   * Gives an endpoint a new secret, shown this once; the previous one keeps signing beside it for
   * `overlapSeconds` (default 24 hours; 0 stops it at once).
   */
  async rotateSecret(id: string, overlapSeconds: number | undefined, by: Principal): Promise<WebhookEndpointView & { readonly secret: string }> {
    permit(by)
    const row = await this.#row(id)
    const now = this.#clock.now()
    const overlap = overlapSeconds ?? DEFAULT_OVERLAP_SECONDS
    const secret = newSecret()
    await this.#change(id, {
      secret: this.#secrets.seal(secret, id), previous_secret: overlap > 0 ? row.secret : null,
      previous_until: overlap > 0 ? iso(now.add({ seconds: overlap })) : null, updated_at: iso(now),
    })
    return { ...view(await this.#row(id), iso(now)), secret }
  }

  /** An endpoint's attempts, newest first. */
  async attempts(id: string, query: { readonly limit?: number; readonly cursor?: string }, by: Principal): Promise<{ items: WebhookAttemptView[]; next: string | null }> {
    permit(by)
    await this.#row(id)
    const limit = query.limit ?? 50
    const rows = await this.#repository.attempts(id, limit, query.cursor === undefined ? undefined : decodeAttemptCursor(query.cursor))
    const last = rows.at(-1)
    return { items: rows.map(attemptView), next: rows.length === limit && last ? encodeAttemptCursor(last.id) : null }
  }

  /**
   * Queues an event again for an endpoint, or every event it is subscribed to decided since an
   * instant (at most 100,000), after whatever is pending for it.
   */
  async resend(id: string, request: WebhookResend, by: Principal): Promise<{ queued: number }> {
    permit(by)
    const endpoint = await this.#row(id)
    const now = iso(this.#clock.now())
    if ('eventId' in request) {
      const row = await this.#feed.find(request.eventId)
      if (!row) throw new EngineError('event.not-found', `There is no event "${request.eventId}".`, { fields: [{ pointer: '/eventId', rule: 'exists', message: 'must be the id of a public event' }] })
      if (!subscribed(endpoint, row)) {
        throw new EngineError('request.invalid', `Webhook endpoint "${id}" is not subscribed to event "${request.eventId}" (a ${row.type}${row.processId === null ? '' : ` of process ${row.processId}`}).`,
          { fields: [{ pointer: '/eventId', rule: 'subscribed', message: 'must be an event of a type and process the endpoint is subscribed to' }] })
      }
      await this.#repository.requeue(id, [row], now)
      return { queued: 1 }
    }
    const types = endpoint.types === null ? undefined : JSON.parse(endpoint.types) as string[]
    const since = Temporal.Instant.from(request.since)
    let queued = 0
    let after: FeedRow['position'] | undefined
    while (queued < RESEND_LIMIT) {
      const rows = await this.#feed.page({
        after, limit: Math.min(RESEND_PAGE, RESEND_LIMIT - queued), recordedFrom: iso(since),
        ...(types ? { types } : {}), ...(endpoint.process_id === null ? {} : { processId: endpoint.process_id, orNoProcess: true }),
      })
      if (rows.length === 0) break
      await this.#repository.requeue(id, rows, now)
      queued += rows.length
      after = rows.at(-1)?.position
    }
    return { queued }
  }

  /**
   * Seals the secrets stored as issued (by versions before secrets were sealed), once, at a
   * server's start. Resolves with how many endpoints it sealed.
   */
  async sealStoredSecrets(): Promise<number> {
    let sealed = 0
    for (const row of await this.#repository.list()) {
      const previous = row.previous_secret
      if (SecretBox.isSealed(row.secret) && (previous === null || SecretBox.isSealed(previous))) continue
      await this.#repository.update(row.id, {
        secret: SecretBox.isSealed(row.secret) ? row.secret : this.#secrets.seal(row.secret, row.id),
        previous_secret: previous === null || SecretBox.isSealed(previous) ? previous : this.#secrets.seal(previous, row.id),
      })
      sealed++
    }
    return sealed
  }

  async #row(id: string): Promise<WebhookEndpointRow> {
    const row = await this.#repository.find(id)
    if (!row) throw notFound(id)
    return row
  }

  async #change(id: string, changes: Parameters<WebhookRepository['update']>[1]): Promise<void> {
    if (!await this.#repository.update(id, changes)) throw notFound(id)
  }

  /** Refuses a URL that is no http(s) URL, or (unless private addresses are allowed) whose host is or resolves to an internal address. */
  async #checkUrl(text: string): Promise<void> {
    const url = parseEndpointUrl(text)
    if (!(url instanceof URL)) throw invalid(url, `The URL "${text}" cannot be a webhook endpoint`)
    if (this.#allowPrivate) return
    const host = hostOf(url)
    let addresses: readonly string[]
    try {
      addresses = await this.#resolve(host)
    } catch {
      throw invalid({ pointer: '/url', rule: 'resolvable', message: 'must name a host that resolves to a public address' }, `The host "${host}" does not resolve`)
    }
    const blocked = addresses.find(isBlockedAddress)
    if (blocked !== undefined || addresses.length === 0) {
      throw invalid({ pointer: '/url', rule: 'public-address', message: 'must name a host whose every address is public: no loopback, private, link-local, unique-local, multicast or unspecified address (a server started with --webhook-allow-private accepts them)' },
        `The host "${host}" resolves to ${blocked ?? 'no address'}, which webhooks are not sent to`)
    }
  }
}

function permit(by: Principal): void {
  if (!may(by, 'manage-webhooks')) {
    const { code, message } = forbidden(by, 'manage-webhooks')
    throw new EngineError(code, message)
  }
}

function notFound(id: string): EngineError {
  return new EngineError('webhook-endpoint.not-found', `There is no webhook endpoint "${id}".`)
}

function invalid(field: FieldProblem, what: string): EngineError {
  return new EngineError('request.invalid', `${what}: the url ${field.message}.`, { fields: [field] })
}

function checkTypes(types: readonly string[] | undefined): void {
  const known: readonly string[] = PUBLIC_EVENT_TYPES
  const fields = (types ?? []).flatMap((type, i) => known.includes(type) ? [] : [{ pointer: `/types/${i}`, rule: 'enum', message: `must be one of ${PUBLIC_EVENT_TYPES.join(', ')}` }])
  if (fields.length > 0) throw new EngineError('request.invalid', `Unknown event type ${fields.map((f) => `at ${f.pointer}`).join(', ')}.`, { fields })
}

function view(row: WebhookEndpointRow, now: string): WebhookEndpointView {
  const overlapping = row.previous_secret !== null && row.previous_until !== null && row.previous_until > now
  return {
    id: row.id, url: row.url, description: row.description, types: row.types === null ? null : JSON.parse(row.types) as string[],
    process: row.process_id, status: row.status, disabledReason: row.disabled_reason,
    previousSecretUntil: overlapping ? row.previous_until : null,
    failingSince: row.failing_since, lastSuccessAt: row.last_success_at, createdAt: row.created_at, updatedAt: row.updated_at,
  }
}

function attemptView(row: WebhookAttemptRow): WebhookAttemptView {
  return { eventId: row.event_id, attempt: row.attempt, at: row.at, status: row.status, latencyMs: row.latency_ms, error: row.error }
}

/** The secrets that sign for `row` at `now`, opened: its secret, and the previous one during its overlap. */
export function signingSecrets(row: WebhookEndpointRow, now: string, secrets: SecretBox): string[] {
  const sealed = row.previous_secret !== null && row.previous_until !== null && row.previous_until > now ? [row.secret, row.previous_secret] : [row.secret]
  return sealed.map((secret) => secrets.open(secret, row.id))
}

/**
 * Whether `endpoint` is subscribed to the event of `row`: of one of its types (or it has none),
 * and of a delivery of its process (or it has none); events of no delivery (an endpoint's) pass
 * the process filter.
 */
export function subscribed(endpoint: WebhookEndpointRow, row: FeedRow): boolean {
  const types = endpoint.types === null ? null : JSON.parse(endpoint.types) as string[]
  return (types === null || types.includes(row.type)) && (endpoint.process_id === null || row.processId === null || row.processId === endpoint.process_id)
}

function encodeAttemptCursor(id: number): string {
  return Buffer.from(JSON.stringify(['a', id])).toString('base64url')
}

function decodeAttemptCursor(cursor: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString())
    // Attempt ids count from 1: what encodeAttemptCursor writes.
    if (Array.isArray(parsed) && parsed.length === 2 && parsed[0] === 'a' && Number.isSafeInteger(parsed[1]) && (parsed[1] as number) >= 1) return parsed[1] as number
  } catch {
    // not JSON: not a cursor
  }
  throw new EngineError('request.invalid', 'The cursor is not one the attempt log returned.', { fields: [{ pointer: '/cursor', rule: 'format', message: 'must be the `next` value of a previous page' }] })
}
