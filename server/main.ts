import { accessSync, constants, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AttachmentStorage, Engine, ManualClock, realClock, Store, threadedChecker, WebhookEndpoints } from '../engine/index.js'
import { DEMO_PEOPLE, seedDemo } from '../console/demo.js'
import { ConsoleSessions, signInLinkPath } from '../console/sessions.js'
import { createApp } from './app.js'
import { EventHub } from './event-hub.js'
import type { ServeFlags, ServerConfig } from './config.js'
import { describeDatabase, resolveConfig, SECRET_KEY_FILE } from './config.js'
import { reserve, serveOn } from './listen.js'
import { Metrics } from './metrics.js'
import type { ServerLog } from './log.js'
import { openServerLog } from './log.js'
import { Scheduler } from './scheduler.js'
import { shutdownOnSignal } from './shutdown.js'
import { UploadSweeper } from './upload-sweeper.js'
import { WebhookDispatcher } from './webhooks/dispatcher.js'
import { loadSecretKey } from './webhooks/secret-key.js'

/**
 * `delivery-center serve`: takes its address (answering 503 `server.not-ready` until it serves,
 * so that a start that cannot listen fails before it opens or makes anything), opens the
 * database (migrating it), registers the built-in processes,
 * serves the API, runs the deadline scheduler, and on SIGTERM or SIGINT lets in-flight requests
 * finish (for at most the shutdown timeout) before closing the database. The only place that
 * reads the environment. A start that fails (a bad option or environment value, a database that
 * cannot be opened, an address that cannot be listened on) prints one line naming the cause on
 * stderr and exits 1.
 */
export async function main(flags: ServeFlags): Promise<void> {
  let log: ServerLog | undefined
  try {
    const config = demoDatabase(resolveConfig(flags, process.env), flags)
    log = openServerLog(config.logLevel)
    await serve(config, flags, log)
  } catch (error) {
    process.stderr.write(`delivery-center: ${oneLine(error)}\n`)
    await log?.close(500)
    process.exit(1)
  }
}

async function serve(config: ServerConfig, flags: ServeFlags, log: ServerLog): Promise<void> {
  const { logger } = log
  // The address first: a start that cannot listen fails before it opens, or makes, anything.
  const server = await reserve(config.host, config.port)
  const secrets = loadSecretKey(config.secretKey)
  const store = await openStore(config)
  const sealed = await new WebhookEndpoints(store.webhooks, store.events, realClock, { allowPrivate: config.webhookAllowPrivate, secrets }).sealStoredSecrets()
  if (sealed > 0) logger.info({ endpoints: sealed }, 'webhook secrets stored as issued are now sealed')
  const sandbox = config.sandbox ? new ManualClock(config.sandboxStart ?? realClock.now()) : undefined
  // Definitions any party sends to be checked compile on threads of their own, never on the event loop.
  const checker = threadedChecker()
  const engine = new Engine({ store, clock: sandbox ?? realClock, fireAttempts: config.fireAttempts, checker })
  await engine.processes.registerBuiltIns((file, error) => logger.warn({ file, code: error.code }, `built-in process not registered: ${error.message}`))
  const approvals = await engine.proposals.completeApprovals()
  for (const version of approvals.registered) logger.info({ process: version }, 'an approval interrupted by a stop is completed: the proposal\'s process is registered')
  for (const { proposal, error } of approvals.failed) logger.warn({ proposal, code: error.code }, `an approved proposal's process cannot be registered: ${error.message}`)
  checkWritableDirectory(config.attachmentsDir)
  const storage = new AttachmentStorage(config.attachmentsDir)
  const sweeper = new UploadSweeper({ store, storage, clock: engine.clock, ttlSeconds: config.uploadTtlSeconds, logger })
  await sweeper.start()
  const metrics = new Metrics(store, engine.clock, logger, { processMetrics: true })
  const consoleSessions = new ConsoleSessions(store, realClock)
  // Read before serving: an empty database gets a first admin sign-in link in the banner.
  const firstStart = await store.tokens.isEmpty() && await store.console.isEmpty()
  // Its live streams end when the server stops, so they never hold the shutdown up.
  const eventHub = new EventHub(engine, { logger })
  const app = createApp({
    engine, eventHub, store, storage, logger, ...(sandbox ? { sandbox } : {}), limits: { uploadBytes: config.uploadBytes, uploadQuota: config.uploadQuota },
    idempotencyTtlSeconds: config.idempotencyTtlSeconds, metrics, consoleSessions, ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    webhooks: { allowPrivate: config.webhookAllowPrivate, secrets },
  })
  const scheduler = new Scheduler(engine, store, logger, config.schedulerIntervalMs, metrics)

  serveOn(server, app.fetch, config.host)
  scheduler.start()
  const webhooks = new WebhookDispatcher({ store, events: engine.events, clock: engine.clock, logger, allowPrivate: config.webhookAllowPrivate, secrets, metrics, timeoutMs: config.webhookTimeoutMs })
  webhooks.start()
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  const demo = config.demo ? await seedDemo(engine, storage) : undefined
  const demoLinks = demo ? await Promise.all(Object.values(DEMO_PEOPLE).map(async (who) => ({ who, link: await consoleSessions.createLink(who) }))) : []
  const firstLink = firstStart && !demo ? await consoleSessions.createLink({ role: 'admin', subject: 'admin' }) : undefined
  // The scheduler, the upload sweeper, the live streams and the webhook dispatcher stop before requests are waited for.
  const background = { stop: async (): Promise<void> => { eventHub.close(); await Promise.all([scheduler.stop(), sweeper.stop(), webhooks.stop()]) } }
  const shutdown = shutdownOnSignal({ server, scheduler: background, store, log }, config.shutdownTimeoutMs)
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
  // Where people reach the server: the console-link command's default is http://127.0.0.1:3000.
  const linkBase = config.publicUrl ?? url
  const dbFlag = flags.db || config.demo ? ` --db ${describeDatabase(config.database)}` : ''
  // Announced only once a signal is handled: whoever waits for this line may stop the server at once.
  process.stderr.write([
    `delivery-center listening on ${url} (${sandbox ? `sandbox clock at ${sandbox.now().toString()}` : 'real clock'})`,
    `database: ${describeDatabase(config.database)}`,
    `API reference: ${url}/docs`,
    `first token: npx delivery-center token create --role admin --subject admin-1${dbFlag}`,
    ...(demo ? [
      `demo: ${demo.deliveries} sample deliveries of ${demo.processes.map((p) => p.id).join(', ')}, at every phase; move the sandbox clock with POST /v1/advance`,
      ...demoLinks.map(({ who, link }) => `console sign-in as ${who.role} ${who.subject} (one-time, until ${link.expiresAt}): ${linkBase}${signInLinkPath(link.secret)}`),
      `another sign-in link: npx delivery-center console-link --role customer --subject ${DEMO_PEOPLE.customer.subject}${dbFlag}${linkBase === 'http://127.0.0.1:3000' ? '' : ` --public-url ${linkBase}`}`,
    ] : []),
    ...(firstLink ? [
      `console sign-in (admin, one-time, until ${firstLink.expiresAt}): ${linkBase}${signInLinkPath(firstLink.secret)}`,
      `another sign-in link: npx delivery-center console-link --role admin --subject admin${dbFlag}${linkBase === 'http://127.0.0.1:3000' ? '' : ` --public-url ${linkBase}`}`,
    ] : []),
    '',
  ].join('\n'))
}

/**
 * A demo without `--db` runs on a new SQLite file in a new temporary directory, so its sample
 * deliveries never land in a real database (nor in DATABASE_URL's).
 */
function demoDatabase(config: ServerConfig, flags: ServeFlags): ServerConfig {
  if (!config.demo || flags.db !== undefined) return config
  const dir = mkdtempSync(join(tmpdir(), 'delivery-center-demo-'))
  return {
    ...config, database: join(dir, 'demo.db'), attachmentsDir: flags.attachments ? config.attachmentsDir : join(dir, 'attachments'),
    secretKey: config.secretKey.kind === 'file' && config.secretKey.create ? { kind: 'file', path: join(dir, SECRET_KEY_FILE), create: true } : config.secretKey,
  }
}

/** Opens and migrates the database, or says which one could not be opened and why. */
async function openStore(config: ServerConfig): Promise<Store> {
  try {
    return await Store.open(config.database, { poolSize: config.poolSize, writerThread: config.writerThread })
  } catch (error) {
    throw new Error(`cannot open the database ${describeDatabase(config.database)}: ${reason(error)}`, { cause: error })
  }
}

/** Creates the attachments directory if needed, or says why it cannot be used. */
function checkWritableDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true })
    accessSync(dir, constants.W_OK)
  } catch (error) {
    throw new Error(`cannot use the attachments directory ${dir}: ${reason(error)}`, { cause: error })
  }
}

/** An error's message followed by its causes' (a failed migration says what failed in it), with its code. */
function reason(error: unknown): string {
  const parts: string[] = []
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code
    parts.push(code && !e.message.includes(code) ? `${e.message} (${code})` : e.message)
  }
  return parts.length > 0 ? parts.join(': ') : String(error)
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ')
}
