import BetterSqlite3 from 'better-sqlite3'
import { ManualClock } from '../../engine/index.js'
import { ADMIN, BASIC_ACTS, openEngine, PARTIES } from './deliveries.js'

/** Where a template delivery is left: at one of the basic process's steps, or completed. */
export type Stage = 'submit-demand' | 'project-delivery' | 'confirm-delivery' | 'completed'

const ACTS_BEFORE: Record<Stage, number> = { 'submit-demand': 0, 'project-delivery': 1, 'confirm-delivery': 2, completed: 3 }

/** Instances inserted per transaction while cloning: bounds the WAL file. */
const BATCH = 100_000
// Cloned rows name their columns: columns added later (with defaults) then keep their defaults.
/** The columns of `instance` a clone copies, in the order the seeding queries select them. */
export const INSTANCE_COLUMNS = 'id, process_id, process_version, status, step, outcome, next_deadline, revision, last_seq, state, order_id, created_at, updated_at'
/** The columns of `event` a clone copies, in the order the seeding queries select them. */
export const EVENT_COLUMNS = 'instance_id, seq, type, at, fired_at, step, action, actor_role, actor_subject, payload'

/**
 * Runs one real basic delivery per stage through the Engine (started at `at`) and leaves each at
 * its stage, so clones of their rows are exactly what the engine writes. Returns their ids.
 */
export async function createTemplates(file: string, stages: readonly Stage[], at: string): Promise<string[]> {
  const { engine, store } = await openEngine(file, { durability: 'normal' }, new ManualClock(at))
  const ids: string[] = []
  for (const [index, stage] of stages.entries()) {
    const { id } = await engine.instances.start({ process: 'basic', parties: PARTIES, context: { orderId: `o-${index}`, specification: 'Standard', productId: 'p-1' } }, ADMIN)
    for (const { action, by, inputs } of BASIC_ACTS.slice(0, ACTS_BEFORE[stage])) {
      await engine.instances.act(id, inputs === undefined ? { action } : { action, inputs }, by)
    }
    ids.push(id)
  }
  await store.close()
  return ids
}

/**
 * A random version-4 UUID computed by SQLite: ids scattered over the indexes, the harder case (the
 * engine's own ids are time-ordered, and a client may bring any).
 */
const UUID_SQL = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
  || substr('89ab', 1 + abs(random() % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))`

/**
 * Adds `count` instances to the database by cloning the rows of `templates` (in turn) under new
 * random ids: the instance row, its party rows and its events, with the id rewritten inside the
 * state and event JSON. Bulk INSERT ... SELECT through better-sqlite3 directly, in batches of
 * 100,000 per transaction, then a WAL checkpoint. Returns the seconds it took.
 */
export function cloneInstances(file: string, templates: readonly string[], count: number): number {
  const started = performance.now()
  const db = new BetterSqlite3(file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = OFF')
    db.pragma('cache_size = -262144')
    db.exec('create temp table seed_template (k integer primary key, id text not null)')
    db.exec('create temp table seed_id (n integer primary key, id text not null, k integer not null)')
    const addTemplate = db.prepare('insert into seed_template (k, id) values (?, ?)')
    templates.forEach((id, k) => addTemplate.run(k, id))
    const makeIds = db.prepare(`insert into seed_id (n, id, k) with recursive c(n) as (select 1 union all select n + 1 from c where n < ?)
      select n, ${UUID_SQL}, n % ? from c`)
    const from = 'from seed_id s join seed_template m on m.k = s.k'
    const statements = [
      db.prepare(`insert into instance (${INSTANCE_COLUMNS}) select s.id, t.process_id, t.process_version, t.status, t.step, t.outcome, t.next_deadline,
        t.revision, t.last_seq, replace(t.state, m.id, s.id), t.order_id, t.created_at, t.updated_at ${from} join instance t on t.id = m.id order by s.id`),
      db.prepare(`insert into instance_party (instance_id, role, subject, instance_created_at) select s.id, p.role, p.subject, p.instance_created_at ${from} join instance_party p on p.instance_id = m.id order by s.id, p.role`),
      db.prepare(`insert into waiting_party (instance_id, role, subject, instance_created_at) select s.id, w.role, w.subject, w.instance_created_at ${from} join waiting_party w on w.instance_id = m.id order by s.id, w.role`),
      db.prepare(`insert into event (${EVENT_COLUMNS}) select s.id, e.seq, e.type, e.at, e.fired_at, e.step, e.action, e.actor_role, e.actor_subject,
        replace(e.payload, m.id, s.id) ${from} join event e on e.instance_id = m.id order by s.id, e.seq`),
    ]
    const batch = db.transaction((size: number) => {
      db.exec('delete from seed_id')
      makeIds.run(size, templates.length)
      for (const statement of statements) statement.run()
    })
    for (let done = 0; done < count; done += BATCH) batch(Math.min(BATCH, count - done))
    db.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    db.close()
  }
  return (performance.now() - started) / 1000
}

/** Number of instances in the database. */
export function countInstances(file: string): number {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    return (db.prepare('select count(*) as n from instance').get() as { n: number }).n
  } finally {
    db.close()
  }
}

/** The mix of a seeded population: a quarter at each step of the basic process, a quarter completed. */
export const MIX: readonly Stage[] = ['submit-demand', 'project-delivery', 'confirm-delivery', 'completed']

/**
 * Where a database of `count` mixed instances is kept for later benchmarks of the same
 * `npm run bench` (growth leaves its 1M database there; memory takes it instead of seeding again).
 */
export function sharedSeedFile(sharedDir: string, count: number): string {
  return `${sharedDir}/instances-${count}.db`
}

/** Ids of basic instances waiting at submit-demand, at most `limit`. */
export function waitingIds(file: string, limit: number): string[] {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    return (db.prepare("select id from instance where process_id = 'basic' and status = 'active' and step = 'submit-demand' limit ?")
      .all(limit) as Array<{ id: string }>).map((row) => row.id)
  } finally {
    db.close()
  }
}
