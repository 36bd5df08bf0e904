import { matchedRoutes } from 'hono/route'
import type { Context } from 'hono'
import type { Logger } from 'pino'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { countInStatus, iso, oldestDueDeadline } from '../engine/index.js'
import type { Clock, Store } from '../engine/index.js'
import type { AppEnv } from './env.js'

/** Who fired deadlines: the scheduler's rounds, or a `POST /v1/advance` request. */
export type FiredBy = 'scheduler' | 'request'

/** The label of a request no route matched: raw paths are never labels (there would be no end to them). */
const UNMATCHED = 'unmatched'

/**
 * The server's Prometheus metrics, in a registry of its own (`GET /metrics` renders it):
 * requests by route pattern, method and status with their latency; acts by process and action;
 * deadlines fired and deadlines that could not be fired; the scheduler's rounds; and, read from
 * the database at each scrape, failed instances per process and the scheduler's lag. Every name
 * starts with `dc_`; docs/api.md ("Metrics") lists them.
 */
export class Metrics {
  readonly registry = new Registry()
  readonly #requests: Histogram<'method' | 'route' | 'status'>
  readonly #acts: Counter<'process' | 'action'>
  readonly #fired: Counter<'by'>
  readonly #fireFailures: Counter<'by'>
  readonly #rounds: Histogram
  readonly #webhookAttempts: Histogram<'outcome'>

  /**
   * @param processMetrics also collect prom-client's process and Node.js metrics (CPU, memory,
   * event loop delay, GC): for the one app a server process serves, not for apps made in tests.
   */
  constructor(store: Store, clock: Clock, logger: Logger, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry]
    this.#requests = new Histogram({
      name: 'dc_http_request_duration_seconds', help: 'HTTP requests by method, route pattern and status, and how long they took to answer (its _count counts the requests).',
      labelNames: ['method', 'route', 'status'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    })
    this.#acts = new Counter({ name: 'dc_acts_total', help: 'Actions performed through the API, by process id and action id.', labelNames: ['process', 'action'], registers })
    this.#fired = new Counter({ name: 'dc_deadlines_fired_total', help: 'Deadlines fired (timeouts and window expiries), by the scheduler or by POST /v1/advance.', labelNames: ['by'], registers })
    this.#fireFailures = new Counter({ name: 'dc_deadline_failures_total', help: 'Due deadlines of an instance that could not be fired in a round (retried in the next).', labelNames: ['by'], registers })
    this.#rounds = new Histogram({ name: 'dc_scheduler_round_duration_seconds', help: 'How long each scheduler round took (forgetting expired idempotency keys, then firing what is due).', buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 30], registers })
    this.#webhookAttempts = new Histogram({
      name: 'dc_webhook_attempt_duration_seconds', help: 'Webhook attempts this server made and wrote, by outcome (succeeded or failed), and how long each took (its _count counts them).',
      labelNames: ['outcome'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    })
    // One read of the database per scrape, shared by the gauges that need it: prom-client calls
    // every metric's `collect` at once and awaits them before rendering.
    let reading: Promise<void> | undefined
    const read = (): Promise<void> => {
      reading ??= (async () => {
        const now = clock.now()
        try {
          const [counts, due, waiting] = await Promise.all([countInStatus(store.db, 'failed'), oldestDueDeadline(store.db, iso(now)), store.webhooks.pending()])
          pending.set(waiting)
          failed.reset()
          for (const { process, count } of counts) failed.set({ process }, count)
          lag.set(due === undefined ? 0 : Math.max(0, (now.epochMilliseconds - Date.parse(due)) / 1000))
          up.set(1)
        } catch (error) {
          logger.warn({ err: error }, 'metrics: the database did not answer')
          failed.reset()
          lag.reset()
          pending.reset()
          up.set(0)
        }
      })().finally(() => { reading = undefined })
      return reading
    }
    const up = new Gauge({ name: 'dc_database_up', help: '1 when the database answered the queries of this scrape, 0 otherwise (the figures read from it are then left out).', registers, collect: read })
    const failed = new Gauge({ name: 'dc_instances_failed', help: 'Instances in status failed (waiting for an administrator), by process id.', labelNames: ['process'], registers, collect: read })
    const lag = new Gauge({ name: 'dc_scheduler_lag_seconds', help: 'How long the most overdue deadline of an active instance has been due without being fired; 0 when none is overdue.', registers, collect: read })
    const pending = new Gauge({ name: 'dc_webhook_deliveries_pending', help: 'Webhook deliveries waiting for a successful attempt, of every endpoint (those of disabled endpoints included).', registers, collect: read })
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry })
  }

  /** Records a request answered with `status` after `ms` milliseconds, labelled by the route pattern that answered it. */
  request(c: Context<AppEnv>, status: number, ms: number): void {
    // The handler is the last route matched that is not middleware (`use()` registers ALL).
    const handler = matchedRoutes(c).findLast((route) => route.method !== 'ALL')
    this.#requests.observe({ method: c.req.method, route: handler?.path ?? UNMATCHED, status }, ms / 1000)
  }

  /** Counts an action performed through the API. */
  act(process: string, action: string): void {
    this.#acts.inc({ process, action })
  }

  /** Counts what a round of firing deadlines did. */
  fired(by: FiredBy, report: { readonly fired: number; readonly failed: readonly unknown[] }): void {
    if (report.fired > 0) this.#fired.inc({ by }, report.fired)
    if (report.failed.length > 0) this.#fireFailures.inc({ by }, report.failed.length)
  }

  /** Records how long a scheduler round took, in seconds. */
  round(seconds: number): void {
    this.#rounds.observe(seconds)
  }

  /** Records webhook attempts whose outcomes were written. */
  webhookAttempts(outcomes: readonly { readonly ok: boolean; readonly latencyMs: number }[]): void {
    for (const o of outcomes) this.#webhookAttempts.observe({ outcome: o.ok ? 'succeeded' : 'failed' }, o.latencyMs / 1000)
  }

  /** The metrics in the Prometheus text format, and its media type. */
  async render(): Promise<{ readonly text: string; readonly type: string }> {
    return { text: await this.registry.metrics(), type: this.registry.contentType }
  }
}
