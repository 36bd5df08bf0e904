// A server for the `http` benchmark, run as a child process so the load generator has its own
// core: `node --import tsx bench/http-server.ts act|layer|floor|floor-bare|echo DB_FILE
// info|silent [writer-thread]`. Prints {"port":N} on stdout once listening; SIGTERM stops it.
import { dirname, join } from 'node:path'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { pino } from 'pino'
import { Engine, realClock, SecretBox, Store } from '../engine/index.js'
import { AttachmentStorage } from '../engine/attachments/index.js'
import { createApp } from '../server/app.js'
import { logDestination } from '../server/log.js'
import { minimalActs } from './lib/minimal-act.js'

const [mode, file, logLevel = 'info', writer] = process.argv.slice(2)
let fetch: (request: Request) => Response | Promise<Response>
let close = async (): Promise<void> => {}
if (mode === 'echo') {
  // The bare baseline: Hono routing, JSON parsing and serialising, nothing else.
  const app = new Hono()
  app.post('/echo', async (c) => c.json(await c.req.json()))
  fetch = app.fetch
} else if (mode === 'floor-bare' && file) {
  // The least a durable act costs over HTTP on this stack: a bare Hono route around the minimal act.
  const acts = minimalActs(file)
  const app = new Hono()
  app.post('/v1/instances/:id/act', async (c) => {
    const { action } = await c.req.json<{ action: string }>()
    return c.json(await acts.act(c.req.param('id'), action, 'bench'))
  })
  fetch = app.fetch
  close = () => acts.close()
} else if ((mode === 'act' || mode === 'layer' || mode === 'floor') && file) {
  // As `serve` builds it (server/main.ts), minus the scheduler: request logs go to /dev/null at `logLevel`.
  const store = await Store.openSqlite(file, { writerThread: writer === 'writer-thread' })
  const engine = new Engine({ store, clock: realClock })
  await engine.processes.registerBuiltIns()
  if (mode === 'layer') {
    // The HTTP layer alone: the first act is performed, and every later one answers its view at
    // once, so what is left is routing, the middleware, the body, the log and the answer.
    const act = engine.instances.act.bind(engine.instances)
    let first: ReturnType<typeof act> | undefined
    engine.instances.act = (...args) => (first ??= act(...args))
  }
  if (mode === 'floor') {
    // The HTTP layer around the minimal act: each act is written as cheaply as a durable act can
    // be, and answered with the first instance's view, read once.
    const acts = minimalActs(file)
    let view: ReturnType<typeof engine.instances.get> | undefined
    engine.instances.act = async (id, request, by) => {
      await acts.act(id, request.action, by.subject)
      return view ??= engine.instances.get(id, by)
    }
    close = () => acts.close()
  }
  // As the server's own log (server/log.ts), to /dev/null rather than stdout: a pipe would cost the load generator.
  const logger = pino({ level: logLevel }, logDestination('/dev/null'))
  const storage = new AttachmentStorage(join(dirname(file), 'attachments'))
  fetch = createApp({ engine, store, storage, logger, webhooks: { allowPrivate: false, secrets: new SecretBox(SecretBox.newKey()) } }).fetch
  const closeFloor = close
  close = async () => {
    try {
      await closeFloor()
    } finally {
      await store.close()
    }
  }
} else {
  throw new RangeError('Usage: http-server.ts act|layer|floor|floor-bare|echo DB_FILE [info|silent] [writer-thread]')
}

const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`)
})
process.on('SIGTERM', () => {
  server.close(() => { void close().then(() => process.exit(0)) })
  if ('closeAllConnections' in server) server.closeAllConnections()
})
