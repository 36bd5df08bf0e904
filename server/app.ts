import { Hono } from 'hono'
import type { Logger } from 'pino'
import type { AttachmentStorage, Engine, ManualClock, SecretBox, Store } from '../engine/index.js'
import { EngineError, realClock, WebhookEndpoints } from '../engine/index.js'
import { consoleRoutes } from '../console/routes.js'
import { ConsoleSessions } from '../console/sessions.js'
import { authenticate } from './auth.js'
import { bufferBody } from './body.js'
import type { AppEnv } from './env.js'
import { idempotency } from './idempotency.js'
import { EventHub } from './event-hub.js'
import { Metrics } from './metrics.js'
import { toProblem } from './problem.js'
import { responseHeaders } from './response-headers.js'
import { UploadQuota } from './upload-quota.js'
import { CheckQueue } from './check-queue.js'
import type { UploadQuotaLimits } from './upload-quota.js'
import { attachmentRoutes } from './routes/attachments.js'
import { clockRoutes } from './routes/clock.js'
import { consoleSessionRoutes } from './routes/console-sessions.js'
import { eventRoutes } from './routes/events.js'
import { instanceRoutes } from './routes/instances.js'
import { metaRoutes } from './routes/meta.js'
import { metricsRoutes } from './routes/metrics.js'
import { isDefinitionUpload, processRoutes } from './routes/processes.js'
import { proposalRoutes } from './routes/proposals.js'
import { checkPathText } from './request-limits.js'
import { tokenRoutes } from './routes/tokens.js'
import { webhookEndpointRoutes } from './routes/webhook-endpoints.js'

export interface AppDeps {
  readonly engine: Engine
  readonly store: Store
  readonly storage: AttachmentStorage
  readonly logger: Logger
  /** The manual clock in sandbox mode; undefined when the clock is the real one. */
  readonly sandbox?: ManualClock
  readonly limits?: {
    /** Largest JSON or YAML request body, in bytes (default 1 MiB). */
    readonly bodyBytes?: number
    /** Largest uploaded file, in bytes (default 16 MiB). */
    readonly uploadBytes?: number
    /** Files and bytes one principal may upload per hour (default 100 files, 1 GiB). */
    readonly uploadQuota?: UploadQuotaLimits
  }
  /** How long idempotency keys are remembered, in seconds (default 24 hours). */
  readonly idempotencyTtlSeconds?: number
  /** The metrics `GET /metrics` serves (default: new ones, without process metrics). */
  readonly metrics?: Metrics
  /** The server's public URL (`--public-url`), origin of the console's sign-in links; else each request's own origin. */
  readonly publicUrl?: string
  /** The console's sign-in links and sessions (default: on the store, on the real clock). */
  readonly consoleSessions?: ConsoleSessions
  /** The live streams' reader of the event feed (default: one of its own, reading every second); close it when stopping. */
  readonly eventHub?: EventHub
  /** Milliseconds between a live stream's heartbeats (default 15 s). */
  readonly eventHeartbeatMs?: number
  /** The queue of checks with scenarios (default: one of its own, with CHECK_QUEUE_LIMITS). */
  readonly checks?: CheckQueue
  /** Webhook endpoints: whether they may be internal addresses (`--webhook-allow-private`), and the box sealing their secrets. */
  readonly webhooks: { readonly allowPrivate: boolean; readonly secrets: SecretBox }
}

const PROBLEM_JSON = { 'Content-Type': 'application/problem+json' }

/** A request's path as logs show it: a console sign-in link's secret is never written down. */
export function loggedPath(path: string): string {
  return path.startsWith('/console/link/') ? path.replace(/^(\/console\/link\/)[^/]+/, '$1:secret') : path
}

/** The HTTP API: every route of the design under /v1, plus /healthz, /readyz, /metrics, /openapi.json and /docs. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { engine, store, logger } = deps
  const bodyBytes = deps.limits?.bodyBytes ?? 1024 * 1024
  const uploadBytes = deps.limits?.uploadBytes ?? 16 * 1024 * 1024
  const app = new Hono<AppEnv>()
  const metrics = deps.metrics ?? new Metrics(store, engine.clock, logger)

  const eventHub = deps.eventHub ?? new EventHub(engine, { logger })
  // What every request gets, in one middleware (each one more costs every request a promise and
  // a frame): its id and response headers, then, once answered, its metrics, its log line, and
  // for a change made here a wake-up of the live streams, which then read the feed at once rather
  // than at their next tick.
  const headers = responseHeaders()
  app.use(async (c, next) => {
    const started = performance.now()
    await headers(c, next)
    // HEAD is answered by the GET route, its body thrown away unread (Hono): a body that holds
    // something open until read (a file, an event stream's subscription) is cancelled, which
    // releases it.
    if (c.req.method === 'HEAD') await c.res.body?.cancel()
    const ms = performance.now() - started
    const status = c.res.status
    metrics.request(c, status, ms)
    logger.info({ requestId: c.get('requestId'), method: c.req.method, path: loggedPath(c.req.path), status, ms: Math.round(ms) }, 'request')
    if (status < 400 && c.req.method === 'POST') eventHub.wake()
  })
  app.route('/', metaRoutes(store, logger))

  // Tokens expire in real time, whatever a sandbox clock says.
  const auth = authenticate(store, realClock)
  app.use('/metrics', auth)
  app.route('/', metricsRoutes(metrics))
  // Bodies are read once authenticated; uploads are streamed and limited by the storage, and
  // process definitions are read by their route, as bytes, under the definition size limit.
  const buffered = bufferBody(bodyBytes)
  const idempotent = idempotency(store, engine.clock, { ttlSeconds: deps.idempotencyTtlSeconds ?? 24 * 3600 })
  // Authentication, the body and the Idempotency-Key in one middleware, for the same reason as above.
  app.use('/v1/*', (c, next) => auth(c, async () => {
    // No id holds U+0000, and PostgreSQL's text cannot: refused before any route looks one up.
    checkPathText(c.req.path)
    const streamed = c.req.method === 'POST' ? c.req.path === '/v1/attachments' : isDefinitionUpload(c.req.method, c.req.path)
    if (!streamed) await buffered(c)
    const replayed = await idempotent(c, next)
    // A stored answer replayed: what Hono does with a middleware's answer.
    if (replayed && !c.finalized) c.res = replayed
  }))
  const checks = deps.checks ?? new CheckQueue()
  app.route('/v1/processes', processRoutes(engine, checks))
  app.route('/v1/proposals', proposalRoutes(engine.proposals, checks))
  app.route('/v1/instances', instanceRoutes(engine, metrics))
  const uploadQuota = new UploadQuota(store, engine.clock, deps.limits?.uploadQuota ?? { filesPerHour: 100, bytesPerHour: 1024 ** 3 })
  app.route('/v1/attachments', attachmentRoutes(engine, deps.storage, { limitBytes: uploadBytes, quota: uploadQuota, logger }))
  app.route('/v1', clockRoutes(engine, deps.sandbox, metrics))
  app.route('/v1/tokens', tokenRoutes(store))
  app.route('/v1/events', eventRoutes({ engine, store, hub: eventHub, heartbeatMs: deps.eventHeartbeatMs }))
  app.route('/v1/webhook-endpoints', webhookEndpointRoutes(new WebhookEndpoints(store.webhooks, store.events, engine.clock, deps.webhooks)))
  // Sessions, like tokens, expire in real time.
  const consoleSessions = deps.consoleSessions ?? new ConsoleSessions(store, realClock)
  app.route('/v1/console-sessions', consoleSessionRoutes(consoleSessions, engine, deps.publicUrl))
  // The console for people: pages on the same engine, behind a session cookie instead of a token.
  app.get('/console/', (c) => c.redirect('/console', 301))
  app.route('/console', consoleRoutes({ engine, sessions: consoleSessions, storage: deps.storage, logger, upload: { limitBytes: uploadBytes, quota: uploadQuota }, checks, publicUrl: deps.publicUrl, events: { hub: eventHub, heartbeatMs: deps.eventHeartbeatMs } }))
  app.get('/', (c) => c.redirect('/console', 302))

  app.notFound((c) => {
    const problem = toProblem(new EngineError('route.not-found', `There is no route ${c.req.method} ${c.req.path}; see /docs.`), c.req.path, c.get('requestId'))
    return c.json(problem, problem.status, PROBLEM_JSON)
  })
  app.onError((error, c) => {
    if (error instanceof EngineError) {
      const problem = toProblem(error, c.req.path, c.get('requestId'))
      return c.json(problem, problem.status, PROBLEM_JSON)
    }
    logger.error({ err: error, requestId: c.get('requestId'), path: loggedPath(c.req.path) }, 'unhandled error')
    const problem = toProblem(new EngineError('server.error', 'The server failed to handle the request; it has been logged.'), c.req.path, c.get('requestId'))
    return c.json(problem, 500, PROBLEM_JSON)
  })
  return app
}
