import { randomUUID } from 'node:crypto'
import { isPostgresUrl } from '../../engine/index.js'
import { inSchema, withPostgresClient } from '../../engine/store/dialects/postgres/connection.js'
import { EVENT_COLUMNS, INSTANCE_COLUMNS } from './seed.js'


/** The PostgreSQL database the benchmarks also run on, when `DATABASE_URL` names one. */
export function benchPostgresUrl(): string | undefined {
  const url = process.env['DATABASE_URL']
  return url && isPostgresUrl(url) ? url : undefined
}

/** A new empty schema in the database at `url`; returns the URL whose connections use it, and how to drop it. */
export async function freshSchema(url: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `bench_${name.replace(/\W/g, '_')}_${randomUUID().slice(0, 8)}`
  await withPostgresClient(url, (client) => client.query(`create schema ${schema}`))
  return {
    url: inSchema(url, schema),
    drop: () => withPostgresClient(url, (client) => client.query(`drop schema ${schema} cascade`)).then(() => undefined),
  }
}

/** "PostgreSQL 15.18" from the server at `url`. */
export async function postgresVersion(url: string): Promise<string> {
  return withPostgresClient(url, async (client) => `PostgreSQL ${(await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v.split(' ')[0] ?? '?'}`)
}

/**
 * Adds `count` clones of instance `template` under new random UUIDs, as {@link cloneInstances}
 * does on SQLite: the instance row, its parties and its events, ids rewritten inside the JSON.
 * Returns the seconds it took.
 */
export async function clonePostgres(url: string, template: string, count: number): Promise<number> {
  const started = performance.now()
  await withPostgresClient(url, async (client) => {
    await client.query('begin')
    await client.query('create temp table seed_id on commit drop as select gen_random_uuid()::text as id from generate_series(1, $1::int)', [count])
    await client.query(`insert into instance (${INSTANCE_COLUMNS}) select s.id, t.process_id, t.process_version, t.status, t.step, t.outcome, t.next_deadline,
      t.revision, t.last_seq, replace(t.state, t.id, s.id), t.order_id, t.created_at, t.updated_at from seed_id s, instance t where t.id = $1`, [template])
    await client.query('insert into instance_party (instance_id, role, subject, waiting, instance_created_at) select s.id, p.role, p.subject, p.waiting, p.instance_created_at from seed_id s, instance_party p where p.instance_id = $1', [template])
    await client.query(`insert into event (${EVENT_COLUMNS}) select s.id, e.seq, e.type, e.at, e.fired_at, e.step, e.action, e.actor_role, e.actor_subject,
      replace(e.payload, e.instance_id, s.id) from seed_id s, event e where e.instance_id = $1`, [template])
    await client.query('commit')
    await client.query('analyze')
  })
  return (performance.now() - started) / 1000
}
