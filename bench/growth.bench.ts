import { renameSync } from 'node:fs'
import BetterSqlite3 from 'better-sqlite3'
import { realClock } from '../engine/index.js'
import { CUSTOMER, DEMAND, dbFile, openEngine } from './lib/deliveries.js'
import type { BenchOptions } from './lib/options.js'
import { byScale } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import { cloneInstances, countInstances, createTemplates, MIX, sharedSeedFile } from './lib/seed.js'
import { percentiles } from './lib/stats.js'

/**
 * `growth`: latency of one act (submit, at FULL with group commit, one at a time) and of one
 * `get` with 10,000, 100,000 and 1,000,000 instances in the database. The population grows in
 * place (seeded in bulk between sizes); the cost per action must stay flat.
 */
export async function run(options: BenchOptions): Promise<Report> {
  const sizes = byScale(options, [10_000, 100_000, 1_000_000], [400, 800])
  const acts = byScale(options, 400, 10)
  const gets = byScale(options, 2000, 40)
  const file = dbFile(options.dir, 'growth')
  const templates = await createTemplates(file, MIX, realClock.now().toString())
  const name = (n: number): string => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`)
  const rec = new Recorder()
  for (const n of sizes) {
    for (const what of ['act', 'get'] as const) {
      for (const p of ['p50', 'p99'] as const) rec.measure(`${what}.${p}.${n}`, { label: `${what === 'act' ? 'act (submit)' : 'get'} ${p} with ${n.toLocaleString('en-US')} instances`, unit: 'ms' })
    }
  }
  const [first, last] = [sizes[0] as number, sizes.at(-1) as number]
  rec.ratio('act.p50', `act p50, ${name(last)} / ${name(first)}`, `act.p50.${last}`, `act.p50.${first}`, { op: '<=', value: 1.5 })
  rec.ratio('act.p99', `act p99, ${name(last)} / ${name(first)}`, `act.p99.${last}`, `act.p99.${first}`)
  rec.ratio('get.p50', `get p50, ${name(last)} / ${name(first)}`, `get.p50.${last}`, `get.p50.${first}`)
  rec.ratio('get.p99', `get p99, ${name(last)} / ${name(first)}`, `get.p99.${last}`, `get.p99.${first}`)

  const seeding: string[] = []
  for (const n of sizes) {
    const seconds = cloneInstances(file, templates, n - countInstances(file))
    seeding.push(`${name(n)} in ${seconds.toFixed(1)} s`)
    const ids = sample(file, templates, (options.runs + 1) * acts, (options.runs + 1) * gets)
    if (ids.waiting.length < (options.runs + 1) * acts) throw new RangeError(`Only ${ids.waiting.length} instances wait at submit-demand; fewer acts per run are needed.`)
    const { engine, store } = await openEngine(file, {}, realClock)
    await repeat(rec, options.runs, async (runIndex) => {
      const act = await timeEach(ids.waiting.slice(runIndex * acts, (runIndex + 1) * acts), (id) => engine.instances.act(id, { action: 'submit', inputs: DEMAND }, CUSTOMER))
      // Gets read nothing they change, so a small population is sampled with repeats.
      const getIds = Array.from({ length: gets }, (_, i) => ids.any[(runIndex * gets + i) % ids.any.length] as string)
      const get = await timeEach(getIds, (id) => engine.instances.get(id, CUSTOMER))
      rec.add(`act.p50.${n}`, act.p50)
      rec.add(`act.p99.${n}`, act.p99)
      rec.add(`get.p50.${n}`, get.p50)
      rec.add(`get.p99.${n}`, get.p99)
    })
    await store.close()
  }
  if (options.sharedDir) renameSync(file, sharedSeedFile(options.sharedDir, last))
  rec.note(`Seeded by cloning real deliveries (a quarter each at submit-demand, project-delivery, confirm-delivery and completed) under random UUIDs, in bulk: ${seeding.join(', ')} (cumulative).`)
  rec.note(`Each run: ${acts} acts on distinct random instances waiting at submit-demand, one at a time (each waits for its own commit and fsync), then ${gets} gets of random instances.`)
  return rec.report('growth', 'latency of one act and one get as the number of instances in the database grows', {
    'acts per run': acts, 'gets per run': gets, runs: options.runs, 'warm-up runs': 1,
  })
}

/**
 * Random distinct instances waiting at submit-demand (never a template: the next size is cloned
 * from them, so they must stay where they are), and random instances of any kind.
 */
function sample(file: string, templates: readonly string[], waiting: number, any: number): { waiting: string[]; any: string[] } {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    const ids = (sql: string, limit: number): string[] => (db.prepare(sql).all(limit) as Array<{ id: string }>).map((row) => row.id)
    const keep = new Set(templates)
    return {
      waiting: ids("select id from instance where process_id = 'basic' and status = 'active' and step = 'submit-demand' order by random() limit ?", waiting + keep.size)
        .filter((id) => !keep.has(id)).slice(0, waiting),
      any: ids('select id from instance order by random() limit ?', any),
    }
  } finally {
    db.close()
  }
}

/** p50 and p99 in milliseconds of `call` on each id, one after another. */
async function timeEach(ids: readonly string[], call: (id: string) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = []
  for (const id of ids) {
    const started = performance.now()
    await call(id)
    latencies.push(performance.now() - started)
  }
  return percentiles(latencies)
}
