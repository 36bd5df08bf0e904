import { createServer } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { pino } from 'pino'
import { Engine, realClock, SecretBox, Store } from '../engine/index.js'
import { AttachmentStorage } from '../engine/attachments/index.js'
import { createApp, loggedPath } from '../server/app.js'
import { authenticate, createToken } from '../server/auth.js'
import { bufferBody, readBody } from '../server/body.js'
import type { AppEnv } from '../server/env.js'
import { idempotency } from '../server/idempotency.js'
import { logDestination } from '../server/log.js'
import { Metrics } from '../server/metrics.js'
import { responseHeaders } from '../server/response-headers.js'
import { CUSTOMER, dbFile, DEMAND } from './lib/deliveries.js'
import type { BenchOptions } from './lib/options.js'
import { byScale } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import { createTemplates } from './lib/seed.js'

/** Connections, and requests sent ahead on each (HTTP/1.1 pipelining), by the in-process client. */
const CONNECTIONS = 8
const DEPTH = 16

/**
 * The steps from a bare echo to the HTTP layer as served, each adding one part to the one before,
 * built from the server's own pieces the way server/app.ts puts them together (one middleware for
 * what every request gets, one for /v1's authentication, body and Idempotency-Key).
 */
const STEPS = [
  { key: 'echo', label: 'bare Hono echo: the body parsed and answered back' },
  { key: 'view', label: "+ the act's answer instead (its view, 1.1 KB of JSON) on a bare route" },
  { key: 'headers', label: '+ a middleware: the request id and the response headers (secure headers, no-store)' },
  { key: 'log', label: '+ the request log line (pino, to /dev/null as the benchmark servers log)' },
  { key: 'metrics', label: "+ the request's metrics (a Prometheus histogram by route pattern and status)" },
  { key: 'auth', label: '+ authentication (a /v1 middleware: bearer token hashed, found in the cache)' },
  { key: 'body', label: '+ the body read by that middleware rather than by the route' },
  { key: 'idempotency', label: '+ the idempotency check (no Idempotency-Key sent)' },
  { key: 'validate', label: '+ the body parsed and checked against ActRequest (ajv)' },
  { key: 'app', label: 'the app as served (createApp: all its routes; the act answered with one view computed once)' },
] as const
type StepKey = (typeof STEPS)[number]['key']

/** Step `level` of {@link STEPS} (below the last, which is the real app), answering `view`. */
function stepApp(level: number, view: unknown, deps: { store: Store; metrics: Metrics; logger: pino.Logger }): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const headers = responseHeaders()
  if (level >= 2) {
    app.use(async (c, next) => {
      const started = performance.now()
      await headers(c, next)
      const ms = performance.now() - started
      const status = c.res.status
      if (level >= 4) deps.metrics.request(c, status, ms)
      if (level >= 3) deps.logger.info({ requestId: c.get('requestId'), method: c.req.method, path: loggedPath(c.req.path), status, ms: Math.round(ms) }, 'request')
    })
  }
  const auth = authenticate(deps.store, realClock)
  const buffered = bufferBody(1024 * 1024)
  const idempotent = idempotency(deps.store, realClock, { ttlSeconds: 3600 })
  if (level >= 5) {
    app.use('/v1/*', (c, next) => auth(c, async () => {
      if (level >= 6) await buffered(c)
      const replayed = level >= 7 ? await idempotent(c, next) : await next()
      if (replayed && !c.finalized) c.res = replayed
    }))
  }
  app.post('/v1/instances/:id/act', async (c) => {
    if (level >= 8) readBody(c, 'ActRequest')
    else if (level < 6) await c.req.json()
    return c.json(view)
  })
  app.post('/echo', async (c) => c.json(await c.req.json()))
  return app
}

/**
 * Serves `fetch` on 127.0.0.1 with node:http and @hono/node-server, sends it `total` copies of
 * `request` over {@link CONNECTIONS} connections, {@link DEPTH} at a time on each, and returns
 * this process's CPU per request in microseconds (server and client share the one thread, so no
 * other process's scheduling enters the figure). Counts answers other than 200 as failures.
 */
async function drive(fetch: Hono<AppEnv>['fetch'], request: Buffer, total: number): Promise<{ cpu: number; failures: number }> {
  const server = createServer(getRequestListener(fetch))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const perConnection = Math.ceil(total / CONNECTIONS)
  let answered = 0
  let failures = 0
  const before = process.cpuUsage()
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, () => new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1')
      let sent = 0
      let got = 0
      let tail = ''
      const send = (count: number): void => {
        const n = Math.min(count, perConnection - sent)
        if (n <= 0) return
        socket.write(n === 1 ? request : Buffer.concat(Array.from({ length: n }, () => request)))
        sent += n
      }
      socket.on('connect', () => send(DEPTH))
      socket.on('data', (data: Buffer) => {
        // Status lines, counted in what arrived (with the end of the previous chunk, where one may start).
        const text = tail + data.toString('latin1')
        let n = 0
        for (let at = text.indexOf('HTTP/1.1 '); at !== -1; at = text.indexOf('HTTP/1.1 ', at + 9)) {
          n++
          if (!text.startsWith('HTTP/1.1 200 ', at)) failures++
        }
        tail = text.slice(-8)
        got += n
        answered += n
        send(n)
        if (got >= perConnection) {
          socket.end()
          resolve()
        }
      })
      socket.on('error', reject)
    })))
  } finally {
    server.closeAllConnections()
    server.close()
  }
  const used = process.cpuUsage(before)
  return { cpu: (used.user + used.system) / answered, failures }
}

/**
 * `http-layer`: where the HTTP layer's time goes, in process. Each step of {@link STEPS} is served
 * by node:http in this process and driven by a client in this process over loopback (raw sockets,
 * requests pipelined), the steps in turn in every run; the figure is this process's CPU per
 * request (server and client), and each part's cost is the difference from the step before.
 * Unlike `http`, no second process shares the cores, so the figures hardly depend on the load
 * generator's scheduling.
 */
export async function run(options: BenchOptions): Promise<Report> {
  const perStep = byScale(options, 20_000, 200)
  const file = dbFile(options.dir, 'http-layer')
  const [id] = await createTemplates(file, ['submit-demand'], realClock.now().toString())
  const store = await Store.openSqlite(file)
  try {
    const token = await createToken(store, CUSTOMER, realClock.now().toString())
    const engine = new Engine({ store, clock: realClock })
    await engine.processes.registerBuiltIns()
    // As the `layer` server of `http`: the first act is performed, and every later one answers its view.
    const act = engine.instances.act.bind(engine.instances)
    let first: ReturnType<typeof act> | undefined
    engine.instances.act = (...args) => (first ??= act(...args))
    const logger = pino({ level: 'info' }, logDestination('/dev/null'))
    const app = createApp({ engine, store, storage: new AttachmentStorage(join(options.dir, 'attachments')), logger, webhooks: { allowPrivate: false, secrets: new SecretBox(SecretBox.newKey()) } })
    const body = JSON.stringify({ action: 'submit', inputs: DEMAND })
    const path = `/v1/instances/${id as string}/act`
    const headers = `Host: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`
    const answer = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body })
    if (answer.status !== 200) throw new Error(`The first act was refused (${answer.status}): ${await answer.text()}`)
    const view = JSON.parse(await answer.text()) as unknown
    const metrics = new Metrics(store, realClock, logger)
    const steps: Array<{ key: StepKey; fetch: Hono<AppEnv>['fetch']; request: Buffer }> = STEPS.map((step, level) => ({
      key: step.key,
      fetch: step.key === 'app' ? app.fetch : stepApp(level, view, { store, metrics, logger }).fetch,
      request: Buffer.from(`POST ${step.key === 'echo' ? '/echo' : path} HTTP/1.1\r\n${headers}${body}`),
    }))

    const rec = new Recorder()
    for (const step of STEPS) rec.measure(step.key, { label: `${step.label}: CPU per request`, unit: 'µs' })
    for (const [level, step] of STEPS.entries()) {
      if (level > 0) rec.measure(`${step.key}.part`, { label: `${step.key}: what it adds to the step before`, unit: 'µs' })
    }
    rec.ratio('app/echo', 'the app as served / bare echo, CPU per request', 'app', 'echo')
    let failures = 0
    await repeat(rec, options.runs, async () => {
      let previous: number | undefined
      for (const step of steps) {
        const { cpu, failures: failed } = await drive(step.fetch, step.request, perStep)
        failures += failed
        rec.add(step.key, cpu)
        // A tiny run's steps are too short to tell apart (its differences may be below zero).
        if (previous !== undefined && options.scale === 'full') rec.add(`${step.key}.part`, cpu - previous)
        previous = cpu
      }
    })
    rec.check('every request was answered 200', failures === 0, `${failures} answers other than 200`)
    rec.note(`Each step serves ${perStep.toLocaleString('en-US')} requests per run (the same act request, a customer's submit with contact and demands) from ${CONNECTIONS} connections, ${DEPTH} pipelined on each; the CPU per request includes the in-process client's (the same for every step). A part's figure is the median of its per-run differences, so the parts do not add up exactly to the medians of the steps.`)
    return rec.report('http-layer', 'where the HTTP layer\'s CPU goes, in process, in microseconds per request', {
      'requests per step per run': perStep, connections: CONNECTIONS, 'pipelined per connection': DEPTH, runs: options.runs, 'warm-up runs': 1,
    })
  } finally {
    await store.close()
  }
}
