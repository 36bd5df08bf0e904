import { serve } from '@hono/node-server'
import type { ServerType } from '@hono/node-server'
import { pino } from 'pino'
import { Engine, ManualClock, realClock, Store } from '../engine/index.js'
import { AttachmentStorage } from '../engine/attachments/index.js'
import { createApp } from './app.js'
import type { ServeFlags } from './config.js'
import { describeDatabase, resolveConfig } from './config.js'
import { Scheduler } from './scheduler.js'
import { UploadSweeper } from './upload-sweeper.js'

/**
 * `delivery-center serve`: opens the database (migrating it), registers the built-in processes,
 * serves the API, runs the deadline scheduler, and on SIGTERM or SIGINT lets in-flight requests
 * finish before closing the database. The only place that reads the environment.
 */
export async function main(flags: ServeFlags): Promise<void> {
  const config = resolveConfig(flags, process.env)
  const logger = pino({ level: config.logLevel })
  const store = await Store.open(config.database, { poolSize: config.poolSize, writerThread: config.writerThread })
  const sandbox = config.sandbox ? new ManualClock(config.sandboxStart ?? realClock.now()) : undefined
  const engine = new Engine({ store, clock: sandbox ?? realClock })
  await engine.processes.registerBuiltIns((file, error) => logger.warn({ file, code: error.code }, `built-in process not registered: ${error.message}`))
  const storage = new AttachmentStorage(config.attachmentsDir)
  const sweeper = new UploadSweeper({ store, storage, clock: engine.clock, ttlSeconds: config.uploadTtlSeconds, logger })
  await sweeper.start()
  const app = createApp({ engine, store, storage, logger, ...(sandbox ? { sandbox } : {}), limits: { uploadBytes: config.uploadBytes, uploadQuota: config.uploadQuota }, idempotencyTtlSeconds: config.idempotencyTtlSeconds })
  const scheduler = new Scheduler(engine, store, logger, config.schedulerIntervalMs)

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s))
  })
  scheduler.start()
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
  process.stderr.write([
    `delivery-center listening on ${url} (${sandbox ? `sandbox clock at ${sandbox.now().toString()}` : 'real clock'})`,
    `database: ${describeDatabase(config.database)}`,
    `API reference: ${url}/docs`,
    `first token: npx delivery-center token create --role admin --subject admin-1${flags.db ? ` --db ${describeDatabase(flags.db)}` : ''}`,
    '',
  ].join('\n'))

  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down: finishing in-flight requests')
    void (async () => {
      await scheduler.stop()
      await sweeper.stop()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        if ('closeIdleConnections' in server) server.closeIdleConnections()
      })
      await store.close()
      logger.info('stopped')
      process.exit(0)
    })()
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}
