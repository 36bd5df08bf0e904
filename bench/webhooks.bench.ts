import { Worker } from 'node:worker_threads'
import { pino } from 'pino'
import type { Engine, Store } from '../engine/index.js'
import { ManualClock, SecretBox, WebhookEndpoints } from '../engine/index.js'
import { WebhookDispatcher } from '../server/webhooks/dispatcher.js'
import { ADMIN, completeDelivery, dbFile, openEngine } from './lib/deliveries.js'
import type { BenchOptions } from './lib/options.js'
import { byScale } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import { countFor } from './lib/count-for.js'
import { createBpmnPeer } from './peers/bpmn.js'

const T0 = '2026-01-01T00:00:00Z'
/** Deliveries driven at once. */
const CONCURRENCY = 64
const silent = pino({ level: 'silent' })
const secrets = new SecretBox(SecretBox.newKey())

interface Receiver {
  readonly url: string
  /** How many times each webhook-id arrived, signatures verified and refused (every 50th is checked). */
  counts(): Promise<{ ids: Map<string, number>; verified: number; bad: number }>
  close(): Promise<void>
}

// The receiver runs on a thread of its own, so its HTTP parsing is not counted against the engine.
const RECEIVER = `
const { parentPort, workerData } = require('node:worker_threads')
const { createServer } = require('node:http')
const { Webhook } = require('standardwebhooks')
const ids = new Map()
let n = 0, verified = 0, bad = 0, secret
const server = createServer((request, response) => {
  const chunks = []
  request.on('data', (chunk) => chunks.push(chunk))
  request.on('end', () => {
    const id = String(request.headers['webhook-id'])
    ids.set(id, (ids.get(id) || 0) + 1)
    if (secret !== undefined && n++ % 50 === 0) {
      try {
        new Webhook(secret).verify(Buffer.concat(chunks).toString(), { 'webhook-id': id, 'webhook-timestamp': String(request.headers['webhook-timestamp']), 'webhook-signature': String(request.headers['webhook-signature']) })
        verified++
      } catch { bad++ }
    }
    response.writeHead(204).end()
  })
})
server.keepAliveTimeout = 60000
parentPort.on('message', (message) => {
  if (message.secret !== undefined) secret = message.secret
  if (message.counts) parentPort.postMessage({ ids: [...ids], verified, bad })
  if (message.close) { server.closeAllConnections(); server.close(() => process.exit(0)) }
})
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }))
`

/** A loopback receiver on a worker thread, counting each webhook-id and verifying every 50th signature with `secret`. */
async function openReceiver(): Promise<Receiver & { setSecret(secret: string): void }> {
  const worker = new Worker(RECEIVER, { eval: true })
  const next = (): Promise<unknown> => new Promise((resolve) => worker.once('message', resolve))
  const { port } = await next() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    setSecret: (secret) => worker.postMessage({ secret }),
    counts: async () => {
      const answer = next()
      worker.postMessage({ counts: true })
      const { ids, verified, bad } = await answer as { ids: Array<[string, number]>; verified: number; bad: number }
      return { ids: new Map(ids), verified, bad }
    },
    close: async () => {
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.postMessage({ close: true })
      await exited
    },
  }
}

async function drive(engine: Engine, deliveries: number): Promise<number> {
  let next = 0
  let events = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < deliveries) {
      next++
      const commands = await completeDelivery(engine)
      events += commands
    }
  }))
  return events
}

async function publicEventCount(store: Store): Promise<number> {
  let count = 0
  let after: { tx: number; position: number } | undefined
  for (;;) {
    const rows = await store.events.page({ after, limit: 10_000 })
    if (rows.length === 0) return count
    count += rows.length
    after = rows.at(-1)?.position
  }
}

/**
 * `webhooks`: (1) completed basic deliveries per second driven through the engine with no
 * webhook endpoint, and with one subscribed to every event while the dispatcher sends them to a
 * loopback receiver in the same process, side by side; (2) events delivered per second: the
 * dispatcher draining an outbox of N deliveries' events to the receiver, each checked to arrive
 * exactly once, a sample of signatures verified with standardwebhooks. SQLite, default settings.
 */
export async function run(options: BenchOptions): Promise<Report> {
  const deliveries = Number(options.params['deliveries'] ?? byScale(options, 2_000, 40))
  const backlog = Number(options.params['backlog'] ?? byScale(options, 4_000, 40))
  const rec = new Recorder()
  rec.measure('none.rate', { label: 'deliveries completed per second, no webhook endpoint', unit: '/s' })
  rec.measure('one.rate', { label: 'deliveries completed per second, one endpoint subscribed to every event (dispatcher running)', unit: '/s' })
  rec.ratio('one/none', 'with one endpoint / without, deliveries per second', 'one.rate', 'none.rate', { op: '>=', value: 0.85 })
  rec.measure('bpmn.rate', { label: 'bpmn-engine, in memory, getState() after each step: completed instances', unit: '/s' })
  rec.ratio('one/bpmn', 'with one endpoint / bpmn-engine in memory (the engine target, webhooks on)', 'one.rate', 'bpmn.rate', { op: '>=', value: 20 })
  rec.measure('delivered.rate', { label: 'events delivered per second to a loopback receiver (outbox drained by one dispatcher)', unit: '/s', target: { op: '>=', value: 3_000 } })

  const bpmn = await createBpmnPeer()

  await repeat(rec, options.runs, async (runIndex) => {
    // (1) side by side, with bpmn-engine completing the same process for as long as the last series took.
    let lastSeconds = 0
    for (const series of ['none', 'one'] as const) {
      const clock = new ManualClock(T0)
      const { engine, store } = await openEngine(dbFile(options.dir, `webhooks-${series}-${runIndex}`), {}, clock)
      const receiver = await openReceiver()
      const dispatcher = new WebhookDispatcher({ store, events: engine.events, clock, logger: silent, allowPrivate: true, secrets })
      if (series === 'one') {
        receiver.setSecret((await new WebhookEndpoints(store.webhooks, store.events, clock, { allowPrivate: true, secrets }).create({ url: receiver.url }, ADMIN)).secret)
        dispatcher.start()
      }
      const started = performance.now()
      const events = await drive(engine, deliveries)
      const seconds = (performance.now() - started) / 1000
      lastSeconds = seconds
      await dispatcher.stop()
      rec.add(`${series}.rate`, deliveries / seconds)
      if (series === 'one') {
        // Whatever was not sent while driving is sent now, so the run checks every event arrived.
        const rest = new WebhookDispatcher({ store, events: engine.events, clock, logger: silent, allowPrivate: true, secrets })
        for (let i = 0; i < 1_000; i++) if ((await rest.round()).delivered === 0 && await store.webhooks.pending() === 0) break
        await rest.stop()
        const expected = await publicEventCount(store)
        const { ids, verified, bad } = await receiver.counts()
        const once = [...ids.values()].every((n) => n === 1)
        rec.check(`run ${runIndex}: every public event of ${deliveries} deliveries (${events} commands) arrived exactly once, signatures verified`,
          ids.size === expected && once && bad === 0 && verified > 0,
          `${ids.size} of ${expected} events received, ${once ? 'none' : 'some'} twice, ${verified} signatures verified, ${bad} bad`)
      }
      await receiver.close()
      await store.close()
    }
    rec.add('bpmn.rate', await countFor(Math.min(lastSeconds, 2), () => bpmn.complete()))

    // (2) draining a backlog.
    const clock = new ManualClock(T0)
    const { engine, store } = await openEngine(dbFile(options.dir, `webhooks-backlog-${runIndex}`), {}, clock)
    const receiver = await openReceiver()
    receiver.setSecret((await new WebhookEndpoints(store.webhooks, store.events, clock, { allowPrivate: true, secrets }).create({ url: receiver.url }, ADMIN)).secret)
    await drive(engine, backlog)
    const expected = await publicEventCount(store)
    const dispatcher = new WebhookDispatcher({ store, events: engine.events, clock, logger: silent, allowPrivate: true, secrets })
    const started = performance.now()
    for (let i = 0; i < 10_000; i++) {
      const report = await dispatcher.round()
      if (report.delivered === 0 && report.queued === 0) break
    }
    const seconds = (performance.now() - started) / 1000
    await dispatcher.stop()
    const { ids, verified, bad } = await receiver.counts()
    const once = [...ids.values()].every((n) => n === 1)
    rec.check(`run ${runIndex}: a backlog of ${expected} events drained, each exactly once, signatures verified`,
      ids.size === expected && once && bad === 0 && verified > 0,
      `${ids.size} of ${expected} received, ${once ? 'none' : 'some'} twice, ${verified} verified, ${bad} bad`)
    rec.add('delivered.rate', ids.size / seconds)
    await receiver.close()
    await store.close()
  })
  rec.note('The receiver is node:http on 127.0.0.1 on a worker thread of the benchmark (answering 204), verifying every 50th signature with standardwebhooks; on a machine with few cores it still competes with the engine for CPU.')
  rec.note('Each delivery here is a started basic delivery driven to completion (start and 3 acts, 8 public events); deliveries are driven 64 at a time. bpmn-engine completes the same process in memory, one instance after another, serialising getState() after each step (as in `engine`), for as long as the endpoint series took (at most 2 s).')
  return rec.report('webhooks', 'webhooks: the cost of an endpoint to the engine, and events delivered per second to a loopback receiver', {
    deliveries, 'backlog deliveries': backlog, 'driven at once': CONCURRENCY, runs: options.runs, 'warm-up runs': 1,
  })
}
