import { spawn, spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
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
    await client.query('insert into instance_party (instance_id, role, subject, instance_created_at) select s.id, p.role, p.subject, p.instance_created_at from seed_id s, instance_party p where p.instance_id = $1', [template])
    await client.query('insert into waiting_party (instance_id, role, subject, instance_created_at) select s.id, w.role, w.subject, w.instance_created_at from seed_id s, waiting_party w where w.instance_id = $1', [template])
    await client.query(`insert into event (${EVENT_COLUMNS}) select s.id, e.seq, e.type, e.at, e.fired_at, e.step, e.action, e.actor_role, e.actor_subject,
      replace(e.payload, e.instance_id, s.id) from seed_id s, event e where e.instance_id = $1`, [template])
    await client.query('commit')
    await client.query('analyze')
  })
  return (performance.now() - started) / 1000
}

/** The directory of the PostgreSQL server's programs (initdb, pgbench), or undefined when none is installed. */
export function postgresBinDir(): string | undefined {
  const configured = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' })
  const candidates = [configured.status === 0 ? configured.stdout.trim() : '']
  try {
    candidates.push(...readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`))
  } catch {
    // No Debian-style installation.
  }
  return candidates.find((dir) => dir !== '' && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pgbench')))
}

/** A PostgreSQL server for a benchmark, and how to let go of it. */
export interface BenchPostgres {
  readonly url: string
  /** Whether it was started for this benchmark (and is deleted by `stop`). */
  readonly throwAway: boolean
  stop(): Promise<void>
}

/**
 * The server `DATABASE_URL` names, or else a throw-away cluster started by `bin/with-postgres`
 * (on PGPORT, else a free port; stopped and deleted by `stop`); undefined when neither exists.
 */
export async function benchPostgres(): Promise<BenchPostgres | undefined> {
  const url = benchPostgresUrl()
  if (url) return { url, throwAway: false, stop: () => Promise.resolve() }
  if (!postgresBinDir()) return undefined
  const port = process.env['PGPORT'] ?? String(await freePort())
  const script = join(import.meta.dirname, '..', '..', 'bin', 'with-postgres')
  // The command run inside the cluster's lifetime prints its URL and waits for stdin to close.
  const child = spawn(script, [process.execPath, '-e', 'process.stdout.write(process.env.DATABASE_URL + "\\n"); process.stdin.resume(); process.stdin.on("end", () => process.exit(0))'], {
    env: { ...process.env, PGPORT: port }, stdio: ['pipe', 'pipe', 'pipe'],
  })
  let errors = ''
  child.stderr.on('data', (chunk: Buffer) => { errors += chunk.toString() })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const started = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout })
    lines.once('line', (line) => resolve(line.trim()))
    child.once('exit', (code) => reject(new Error(`bin/with-postgres exited (${code}) before its server was up: ${errors}`)))
  })
  return { url: started, throwAway: true, stop: async () => { child.stdin.end(); await exited } }
}

/** A TCP port nobody listens on at the moment. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** `url` with another database name. */
export function inDatabase(url: string, database: string): string {
  const other = new URL(url)
  other.pathname = `/${database}`
  other.searchParams.delete('options')
  return other.toString()
}

/**
 * A database of its own on the server at `url` for pgbench, initialised at `scale` (100,000
 * accounts per unit); returns its URL and how to drop it.
 */
export async function pgbenchDatabase(url: string, scale: number): Promise<{ url: string; drop(): Promise<void> }> {
  const bin = postgresBinDir()
  if (!bin) throw new Error('pgbench is not installed.')
  const name = `dc_pgbench_${randomUUID().slice(0, 8)}`
  const admin = inDatabase(url, 'postgres')
  await withPostgresClient(admin, (client) => client.query(`create database ${name}`))
  const own = inDatabase(url, name)
  const init = spawnSync(join(bin, 'pgbench'), ['-i', '-q', '-s', String(scale), own], { encoding: 'utf8' })
  if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`)
  return { url: own, drop: () => withPostgresClient(admin, (client) => client.query(`drop database ${name}`)).then(() => undefined) }
}

/**
 * Runs `pgbench -N` (the TPC-B-like transaction without the updates of the small tables: one
 * UPDATE, one SELECT, one INSERT in BEGIN ... END) with `clients` connections for `seconds`;
 * returns its transactions per second (without the initial connection time) and, on Linux, the
 * CPU seconds pgbench itself used (read by the shell that ran it, from its children's times).
 */
export async function runPgbench(url: string, clients: number, seconds: number): Promise<{ tps: number; clientCpu: number | undefined }> {
  const bin = postgresBinDir()
  if (!bin) throw new Error('pgbench is not installed.')
  // The shell waits for pgbench, then prints its own /proc stat, whose cutime and cstime are pgbench's.
  const script = '"$0" -N -n -c "$1" -j "$2" -T "$3" "$4" && echo "stat: $(cat /proc/$$/stat 2>/dev/null)"'
  const child = spawn('sh', ['-c', script, join(bin, 'pgbench'), String(clients), String(Math.min(clients, 2)), String(seconds), url], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out)
  if (code !== 0 || !tps) throw new Error(`pgbench failed (${code}): ${out}`)
  const stat = /^stat: (.*\))\s+(.+)$/m.exec(out)
  // Fields after the command name: cutime is the 16th, cstime the 17th.
  const fields = stat?.[2]?.split(' ').map(Number)
  const clientCpu = fields && fields.length > 14 ? ((fields[13] ?? 0) + (fields[14] ?? 0)) / USER_HZ : undefined
  return { tps: Number(tps[1]), clientCpu }
}

/** Counts in SQL on PostgreSQL, as `deadlines` does on SQLite: timeout confirmations, instances with more than one, instances not completed. */
export async function verifyPostgres(url: string, expected: number): Promise<{ ok: boolean; detail: string }> {
  return withPostgresClient(url, async (client) => {
    const counts = (await client.query<{ fired: number; instances: number }>(`select count(*)::int as fired, count(distinct instance_id)::int as instances from event
      where type = 'action-performed' and payload::json->>'trigger' = 'timeout'`)).rows[0]
    const open = (await client.query<{ n: number }>("select count(*)::int as n from instance where status <> 'completed'")).rows[0]?.n ?? -1
    const ok = counts?.fired === expected && counts.instances === expected && open === 0
    return { ok, detail: `${counts?.fired} timeout events on ${counts?.instances} instances, ${open} not completed` }
  })
}

/** Clock ticks per second of /proc's CPU times (USER_HZ). */
const USER_HZ = 100

/**
 * CPU seconds the PostgreSQL server at `url` has used so far, all its processes (Linux, a server
 * on this machine): the postmaster's own and its exited children's (which it has reaped), plus
 * its live children's. Undefined when /proc or the server's data directory cannot be read.
 */
export async function postgresCpuSeconds(url: string): Promise<number | undefined> {
  try {
    const dataDir = await withPostgresClient(url, async (client) => (await client.query<{ d: string }>('select current_setting(\'data_directory\') as d')).rows[0]?.d)
    if (!dataDir) return undefined
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
    let total = 0
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      let stat: string
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      } catch {
        continue
      }
      // Fields after the command name: ppid is the 4th, utime the 14th, stime 15th, cutime 16th, cstime 17th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number)
      const [ppid = 0, utime = 0, stime = 0, cutime = 0, cstime = 0] = [fields[1], fields[11], fields[12], fields[13], fields[14]]
      if (Number(entry) === postmaster) total += utime + stime + cutime + cstime
      else if (ppid === postmaster) total += utime + stime
    }
    return total / USER_HZ
  } catch {
    return undefined
  }
}
