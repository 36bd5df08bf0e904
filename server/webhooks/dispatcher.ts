import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { AttemptOutcome, ClaimedDelivery, Clock, Events, SecretBox, Store, WebhookEndpointRow } from '../../engine/index.js'
import { DISABLE_AFTER, iso, realClock, retryDelayMs, signatureHeader, signingSecrets, WEBHOOK_LOG_RETENTION } from '../../engine/index.js'
import { WebhookSender } from './sender.js'

export interface DispatcherOptions {
  readonly store: Store
  /** Renders the events of the outbox as integrators receive them (the engine's `events`). */
  readonly events: Pick<Events, 'render'>
  /** The engine's clock: when deliveries are due and retried (a sandbox clock moves them). */
  readonly clock: Clock
  readonly logger: Logger
  /** Send to internal addresses too (`--webhook-allow-private`). */
  readonly allowPrivate: boolean
  /** Opens the endpoints' sealed signing secrets. */
  readonly secrets: SecretBox
  /** Where attempts are counted (`GET /metrics`). */
  readonly metrics?: { webhookAttempts(outcomes: readonly AttemptOutcome[]): void }
  /** How long one attempt may take (default 10 s). */
  readonly timeoutMs?: number
  /** How long the dispatcher rests when there was nothing to send (default 1 s). */
  readonly intervalMs?: number
  /** Deliveries claimed at once (default 500). */
  readonly batch?: number
  /** Requests in flight at once (default DEFAULT_CONCURRENCY). */
  readonly concurrency?: number
  /** In [0, 1): chooses each retry's jitter (default Math.random). */
  readonly random?: () => number
}

/** What one round did. */
export interface DispatchReport {
  /** Events turned into deliveries. */
  readonly queued: number
  /** Attempts that succeeded, and that failed. */
  readonly delivered: number
  readonly failed: number
  /** Endpoints disabled for failing for days. */
  readonly disabled: number
  /** Whether more was waiting when the round ended (a full batch or page): the next round starts at once. */
  readonly more: boolean
}

/**
 * Attempts a server has in flight at once by default: also about how many a server killed
 * mid-batch leaves made and not recorded, which are made again (duplicates) once their lease ends.
 */
export const DEFAULT_CONCURRENCY = 128

/** Outcomes written in one commit without waiting, and how long a smaller batch waits for more. */
const SETTLE_BATCH = 64
const SETTLE_WAIT_MS = 5

const FILL_PAGE = 1_000
/** How often (real time) a server removes the deliveries and attempts older than WEBHOOK_LOG_RETENTION. */
const PURGE_EVERY_MS = 3_600_000
/**
 * A claim's lease beyond twice the longest attempt (a batch's attempts run in waves, and its
 * outcomes are written after): a live holder never loses it, and the attempts of a server that
 * died are sent again soon after.
 */
const LEASE_MARGIN_MS = 5_000

/** A claimed delivery with its event's JSON, as it is sent and signed (undefined when the outbox no longer holds the event). */
type Sendable = ClaimedDelivery & { readonly payload: string | undefined }

/**
 * Sends the public events of the outbox to the webhook endpoints subscribed to them, in every
 * server: each round turns new events into deliveries (per endpoint, in feed order), claims due
 * deliveries with a lease (servers sharing a database take disjoint ones), POSTs them signed,
 * many at once, and writes each outcome only while holding its claim, with the retry schedule's
 * next attempt after a failure. One round at a time; stop() waits for the one running.
 */
export class WebhookDispatcher {
  readonly #store: Store
  readonly #events: Pick<Events, 'render'>
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #sender: WebhookSender
  readonly #intervalMs: number
  readonly #batch: number
  readonly #concurrency: number
  readonly #timeoutMs: number
  readonly #random: () => number
  readonly #secrets: SecretBox
  readonly #metrics: DispatcherOptions['metrics']
  /** When (real time, ms) this server last purged; the first round purges. */
  #purgedAt = -Infinity
  /** Who holds this server's claims. */
  readonly holder = `dispatcher-${randomUUID()}`
  #running: Promise<DispatchReport> | undefined
  #timer: NodeJS.Timeout | undefined
  #stopped = false

  constructor(options: DispatcherOptions) {
    this.#store = options.store
    this.#events = options.events
    this.#clock = options.clock
    this.#logger = options.logger
    this.#timeoutMs = options.timeoutMs ?? 10_000
    this.#sender = new WebhookSender({ allowPrivate: options.allowPrivate, timeoutMs: this.#timeoutMs })
    this.#intervalMs = options.intervalMs ?? 1_000
    this.#batch = options.batch ?? 500
    this.#concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
    this.#random = options.random ?? Math.random
    this.#secrets = options.secrets
    this.#metrics = options.metrics
  }

  /** Runs rounds until stopped: at once after a round that left more waiting, else after the interval (work then comes in larger batches). */
  start(): void {
    const next = (): void => {
      if (this.#stopped) return
      void this.round().then(
        (report) => report.more,
        (error: unknown) => { this.#logger.error({ err: error }, 'webhook round failed'); return false },
      ).then((busy) => {
        if (this.#stopped) return
        this.#timer = setTimeout(next, busy ? 0 : this.#intervalMs)
        this.#timer.unref()
      })
    }
    next()
  }

  /** Runs one round now, unless one is running (then waits for it). */
  round(): Promise<DispatchReport> {
    this.#running ??= this.#round().finally(() => { this.#running = undefined })
    return this.#running
  }

  /** Stops the rounds, waits for the one running, and closes the connections. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running?.catch(() => undefined)
    this.#sender.close()
  }

  async #round(): Promise<DispatchReport> {
    const endpoints = new Map((await this.#store.webhooks.list()).map((row) => [row.id, row]))
    let queued = 0
    let more = false
    for (const endpoint of endpoints.values()) {
      if (endpoint.status !== 'enabled') continue
      let current: WebhookEndpointRow | undefined = endpoint
      for (let n = FILL_PAGE; n === FILL_PAGE && current && !this.#stopped;) {
        n = await this.#store.webhooks.fill(current, FILL_PAGE, iso(this.#clock.now()))
        queued += n
        if (n === FILL_PAGE && this.#stopped) more = true
        if (n === FILL_PAGE) current = await this.#store.webhooks.find(endpoint.id)
      }
    }
    let delivered = 0
    let failed = 0
    while (!this.#stopped) {
      const now = this.#clock.now()
      const realNow = realClock.now()
      const claimed = await this.#store.webhooks.claim(this.holder, iso(now), iso(realNow),
        iso(realNow.add({ milliseconds: 2 * this.#timeoutMs + LEASE_MARGIN_MS })), this.#batch)
      if (claimed.length === 0) break
      const found = claimed.flatMap((delivery) => delivery.event ? [delivery.event] : [])
      const payloads = new Map((await this.#events.render(found)).map((event) => [event.id, JSON.stringify(event)]))
      const sendable = claimed.map((delivery) => ({ ...delivery, payload: payloads.get(delivery.eventId) }))
      for (const o of await this.#sendAll(sendable, endpoints, iso(now))) if (o.ok) delivered++; else failed++
      // A delivery's next event becomes due as its previous one succeeds: claim again until nothing is.
      if (this.#stopped) more = true
    }
    const disabled = await this.#disableFailing()
    await this.#purge()
    return { queued, delivered, failed, disabled, more }
  }

  /**
   * Sends the claimed deliveries, many at once, and writes their outcomes as they come: whatever
   * finished while the previous write ran goes in the next one, so a server that dies leaves few
   * attempts made and not recorded (each is made again once its lease ends: a duplicate).
   * Resolves with the outcomes written.
   */
  async #sendAll(claimed: readonly Sendable[], endpoints: Map<string, WebhookEndpointRow>, now: string): Promise<AttemptOutcome[]> {
    const written: AttemptOutcome[] = []
    let pending: AttemptOutcome[] = []
    let sending = true
    let wake: (() => void) | undefined
    const writer = (async (): Promise<void> => {
      while (sending || pending.length > 0) {
        if (pending.length === 0) {
          await new Promise<void>((resolve) => { wake = resolve })
          continue
        }
        // A few milliseconds for the attempts finishing meanwhile to join this write: one commit
        // for many outcomes, rather than one each (a commit blocks the loop, so none finishes during it).
        if (sending && pending.length < SETTLE_BATCH) await new Promise((resolve) => setTimeout(resolve, SETTLE_WAIT_MS))
        const batch = pending
        pending = []
        const settled = await this.#store.webhooks.settle(this.holder, batch)
        this.#metrics?.webhookAttempts(settled)
        written.push(...settled)
      }
    })()
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < claimed.length) {
        const delivery = claimed[next++] as Sendable
        let endpoint = endpoints.get(delivery.endpointId)
        if (!endpoint) {
          endpoint = await this.#store.webhooks.find(delivery.endpointId)
          if (endpoint) endpoints.set(endpoint.id, endpoint)
        }
        // Awaited first: `pending` is a new array once the writer has taken the last one.
        const outcome = await this.#attempt(delivery, endpoint, now)
        pending.push(outcome)
        wake?.()
      }
    }
    try {
      await Promise.all(Array.from({ length: Math.min(this.#concurrency, claimed.length) }, worker))
    } finally {
      sending = false
      wake?.()
    }
    await writer
    return written
  }

  async #attempt(delivery: Sendable, endpoint: WebhookEndpointRow | undefined, now: string): Promise<AttemptOutcome> {
    const { payload } = delivery
    const result = payload === undefined ? { status: null, error: 'the event is no longer in the outbox', latencyMs: 0 }
      : endpoint ? await this.#send(delivery, payload, endpoint, now) : { status: null, error: 'the endpoint was deleted', latencyMs: 0 }
    const ok = result.error === null
    // An event gone from the outbox is gone for good: the delivery fails at once.
    const delay = ok || payload === undefined ? undefined : retryDelayMs(delivery.attempts + 1, this.#random())
    return {
      delivery, ok, status: result.status, latencyMs: result.latencyMs, error: result.error, at: now,
      retryAt: delay === undefined ? undefined : iso(this.#clock.now().add({ milliseconds: delay })),
    }
  }

  async #send(delivery: ClaimedDelivery, payload: string, endpoint: WebhookEndpointRow, now: string): Promise<{ status: number | null; error: string | null; latencyMs: number }> {
    let secrets: string[]
    try {
      secrets = signingSecrets(endpoint, now, this.#secrets)
    } catch (error) {
      // A server given another key than the one the secret was sealed with: nothing is sent, and the log says why.
      this.#logger.error({ endpoint: endpoint.id, err: error }, 'webhook secret cannot be read')
      return { status: null, error: (error as Error).message, latencyMs: 0 }
    }
    // Real time, whatever a sandbox clock says: receivers refuse signatures older than a few minutes.
    const sentAt = realClock.now().epochMilliseconds
    return this.#sender.send(endpoint.url, {
      'webhook-id': delivery.eventId,
      'webhook-timestamp': String(Math.floor(sentAt / 1000)),
      'webhook-signature': signatureHeader(secrets, delivery.eventId, new Date(sentAt), payload),
    }, payload)
  }

  /** Removes, at most once an hour, the deliveries settled and the attempts made longer than WEBHOOK_LOG_RETENTION ago. */
  async #purge(): Promise<void> {
    const realNow = realClock.now().epochMilliseconds
    if (realNow - this.#purgedAt < PURGE_EVERY_MS) return
    this.#purgedAt = realNow
    const removed = await this.#store.webhooks.purge(iso(this.#clock.now().subtract({ seconds: WEBHOOK_LOG_RETENTION })))
    if (removed.deliveries + removed.attempts > 0) this.#logger.info(removed, 'old webhook deliveries and attempts removed')
  }

  /** Disables endpoints failing for DISABLE_AFTER, each with a `webhook-endpoint.disabled` event. */
  async #disableFailing(): Promise<number> {
    const now = this.#clock.now()
    const disabled = await this.#store.webhooks.disableFailing(iso(now.subtract({ seconds: DISABLE_AFTER })), iso(now))
    if (disabled.length === 0) return 0
    await this.#store.events.publish(disabled.map((endpoint) => ({
      id: `${endpoint.id}.disabled.${now.epochMilliseconds}`, type: 'webhook-endpoint.disabled', timestamp: iso(now),
      data: { endpoint: { id: endpoint.id, url: endpoint.url }, reason: 'failing', failingSince: endpoint.failing_since },
    })), iso(now))
    this.#logger.warn({ endpoints: disabled.map((e) => e.id) }, 'webhook endpoints disabled after failing for days')
    return disabled.length
  }
}
