import BetterSqlite3 from 'better-sqlite3'
import type { Engine, Principal } from '../engine/index.js'
import { ManualClock } from '../engine/index.js'
import type { EventCursors } from '../engine/index.js'
import { ADMIN, dbFile, openEngine } from './lib/deliveries.js'
import type { BenchOptions } from './lib/options.js'
import { byScale } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import { cloneInstances, createTemplates } from './lib/seed.js'

const T0 = '2026-01-01T00:00:00Z'
/** Public events of one completed basic delivery: started, 3 steps entered, 3 actions, completed. */
const EVENTS_PER_DELIVERY = 8
/** Customers the deliveries are spread over: a customer's feed holds one delivery in this many. */
const CUSTOMERS = 10_000
/** Pages read per measure and run; the median of their times is the figure. */
const READS = 50

/**
 * `feed`: the event feed's page time (`engine.events.list`, 100 events a page) at 1,000,000
 * public events (125,000 completed basic deliveries) against 10,000 (1,250), side by side: the
 * first page, a page from the middle, the feed's tail, a page of one rare type, one delivery's
 * events, and a customer's own feed (the party filter: one delivery in 10,000 is theirs).
 * `--events=N` sets the large size.
 */
export async function run(options: BenchOptions): Promise<Report> {
  const large = Number(options.params['events'] ?? byScale(options, 1_000_000, 8_000))
  if (!Number.isInteger(large) || large < 80) throw new RangeError(`--events must be a whole number from 80, not "${options.params['events']}".`)
  const sizes = [{ key: 'small', events: Math.min(10_000, Math.max(80, Math.round(large / 100))) }, { key: 'large', events: large }] as const
  const rec = new Recorder()
  const READS_OF: ReadonlyArray<{ key: string; label: string }> = [
    { key: 'first', label: 'the first page' },
    { key: 'middle', label: 'a page from the middle' },
    { key: 'tail', label: 'the tail (the page a live reader asks for)' },
    { key: 'type', label: 'a page of delivery.completed (one event in eight) from the middle' },
    { key: 'instance', label: 'one delivery\'s events' },
    { key: 'party', label: 'a customer\'s own feed from the start (the customer with the most deliveries, of 10,000)' },
  ]
  for (const size of sizes) {
    for (const read of READS_OF) rec.measure(`${size.key}.${read.key}`, { label: `${size.events.toLocaleString('en-US')} events: ${read.label}`, unit: 'ms' })
  }
  for (const read of READS_OF) rec.ratio(`${read.key}`, `${read.label}: ${large.toLocaleString('en-US')} events / ${sizes[0].events.toLocaleString('en-US')}`, `large.${read.key}`, `small.${read.key}`)

  const engines = new Map<string, { engine: Engine; close: () => Promise<void>; middle: string; tail: string; instance: string; customer: Principal }>()
  let seedSeconds = 0
  for (const size of sizes) {
    const started = performance.now()
    const file = dbFile(options.dir, `feed-${size.key}`)
    const [template] = await createTemplates(file, ['completed'], T0)
    const deliveries = Math.ceil(size.events / EVENTS_PER_DELIVERY)
    cloneInstances(file, [template as string], deliveries - 1)
    clonePublicEvents(file, template as string)
    seedSeconds += (performance.now() - started) / 1000
    const { engine, store } = await openEngine(file, {}, new ManualClock(T0))
    const all = (await engine.events.list({ limit: 1 }, ADMIN))
    const cursors = await engine.events.cursors()
    engines.set(size.key, {
      engine, close: () => store.close(), instance: all.items[0]?.id.split('.')[0] ?? '', customer: busiestCustomer(file),
      middle: cursorAt(file, cursors, Math.floor(size.events / 2)), tail: cursorAt(file, cursors, size.events - 100),
    })
  }
  rec.note(`Seeded in ${seedSeconds.toFixed(1)} s: one completed basic delivery through the engine, cloned with its party rows and its ${EVENTS_PER_DELIVERY} public events in SQL; the customers spread over ${CUSTOMERS.toLocaleString('en-US')} subjects.`)
  rec.note(`Each figure is the median time of ${READS} reads of one page (limit 100) through engine.events.list, as GET /v1/events calls it, on SQLite (WAL, FULL).`)

  try {
    await repeat(rec, options.runs, async () => {
      for (const size of sizes) {
        const { engine, middle, tail, instance, customer } = engines.get(size.key) as NonNullable<ReturnType<typeof engines.get>>
        const reads: Record<string, () => Promise<unknown>> = {
          first: () => engine.events.list({ limit: 100 }, ADMIN),
          middle: () => engine.events.list({ limit: 100, after: middle }, ADMIN),
          tail: () => engine.events.list({ limit: 100, after: tail }, ADMIN),
          type: () => engine.events.list({ limit: 100, after: middle, types: ['delivery.completed'] }, ADMIN),
          instance: () => engine.events.list({ limit: 100, instance }, ADMIN),
          party: () => engine.events.list({ limit: 100 }, customer),
        }
        for (const [key, read] of Object.entries(reads)) rec.add(`${size.key}.${key}`, await medianMs(read))
      }
    })
  } finally {
    for (const { close } of engines.values()) await close()
  }
  return rec.report('feed', 'the event feed: page time at a million public events against ten thousand', {
    events: large.toLocaleString('en-US'), 'page size': 100, runs: options.runs,
  })
}

/** Copies the template delivery's public events to every other instance, in their creation order, and spreads the customers over CUSTOMERS subjects. */
function clonePublicEvents(file: string, template: string): void {
  const db = new BetterSqlite3(file)
  try {
    db.pragma('synchronous = OFF')
    db.transaction(() => {
      db.prepare(`insert into public_event (tx, id, type, instance_id, process_id, at, recorded_at, seq, revision, payload)
        select 0, i.id || substr(e.id, length(?) + 1), e.type, i.id, e.process_id, e.at, e.recorded_at, e.seq, e.revision, replace(e.payload, ?, i.id)
        from instance i join public_event e on e.instance_id = ? where i.id <> ? order by i.created_at, i.id, e.position`).run(template, template, template, template)
      db.prepare(`update instance_party set subject = 'c-' || (abs(random()) % ${CUSTOMERS}) where role = 'customer'`).run()
      db.prepare(`update waiting_party set subject = (select p.subject from instance_party p where p.instance_id = waiting_party.instance_id and p.role = waiting_party.role)`).run()
    })()
    db.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    db.close()
  }
}

/** The customer with the most deliveries (about one in 10,000 of them at a million events). */
function busiestCustomer(file: string): Principal {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    const row = db.prepare(`select subject from instance_party where role = 'customer' group by subject order by count(*) desc limit 1`).get() as { subject: string } | undefined
    return { role: 'customer', subject: row?.subject ?? 'c-0' }
  } finally {
    db.close()
  }
}

/** The cursor after the `n`-th event of the feed (SQLite's feed order: its positions). */
function cursorAt(file: string, cursors: EventCursors, n: number): string {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    const row = db.prepare('select position from public_event order by tx, position limit 1 offset ?').get(Math.max(0, n - 1)) as { position: number } | undefined
    return cursors.encode({ tx: 0, position: row?.position ?? 0 })
  } finally {
    db.close()
  }
}

async function medianMs(read: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < READS; i++) {
    const started = performance.now()
    await read()
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)] as number
}
