import { copyFileSync } from 'node:fs'
import BetterSqlite3 from 'better-sqlite3'
import { Temporal } from 'temporal-polyfill'
import { ManualClock } from '../engine/index.js'
import type { StoreSettings } from './lib/deliveries.js'
import { dbFile, openEngine } from './lib/deliveries.js'
import type { BenchOptions } from './lib/options.js'
import { byScale } from './lib/options.js'
import type { Report } from './lib/report.js'
import { Recorder, repeat } from './lib/report.js'
import { cloneInstances, createTemplates } from './lib/seed.js'
import { benchPostgresUrl, clonePostgres, freshSchema, postgresVersion, verifyPostgres } from './lib/postgres.js'

const T0 = '2026-01-01T00:00:00Z'
/** The basic process's confirmation window: every seeded deadline falls due at T0 + P14D. */
const DUE = Temporal.Instant.from(T0).add({ hours: 14 * 24 })
const TARGET_COUNT = 100_000
/**
 * Deadlines per run by default: 5 runs of 100,000 at both durabilities take about 3.5 minutes
 * here, which with the other benchmarks risks the 10-minute budget of `npm run bench`.
 */
const DEFAULT_COUNT = 50_000

const SERIES: ReadonlyArray<{ key: string; label: string; settings: StoreSettings; postgres?: true }> = [
  { key: 'full', label: 'FULL (default)', settings: {} },
  { key: 'normal', label: 'NORMAL (opt-in)', settings: { durability: 'normal' } },
  { key: 'postgres', label: 'PostgreSQL', settings: {}, postgres: true },
]

/**
 * `deadlines`: N basic deliveries all waiting at confirm-delivery with the same deadline; the
 * time `engine.deadlines.advance()` takes to fire them all, and a check in SQL that each fired exactly
 * once, at the default durability and at the opt-in, and on PostgreSQL when `DATABASE_URL` names
 * one. `--count=100000` runs the issue's size.
 */
export async function run(options: BenchOptions): Promise<Report> {
  const count = Number(options.params['count'] ?? byScale(options, DEFAULT_COUNT, 200))
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`--count must be a positive integer, not "${options.params['count']}".`)
  const warmCount = Math.max(100, Math.round(count / 10))
  const templates = { measured: dbFile(options.dir, 'deadlines-template'), warm: dbFile(options.dir, 'deadlines-warm') }
  let seedSeconds = 0
  let pgSeedSeconds = 0
  for (const [file, n] of [[templates.measured, count], [templates.warm, warmCount]] as const) {
    const [id] = await createTemplates(file, ['confirm-delivery'], T0)
    seedSeconds += cloneInstances(file, [id as string], n - 1)
  }
  const postgres = benchPostgresUrl()
  const series = SERIES.filter((s) => !s.postgres || postgres)
  const rec = new Recorder()
  for (const s of series) {
    rec.measure(`${s.key}.rate`, { label: `${s.label}: deadlines fired by advance()`, unit: '/s' })
    if (count !== TARGET_COUNT) rec.measure(`${s.key}.seconds`, { label: `${s.label}: time to fire all ${count.toLocaleString('en-US')}`, unit: 's' })
    rec.measure(`${s.key}.per100k`, {
      label: `${s.label}: time for ${TARGET_COUNT.toLocaleString('en-US')}${count === TARGET_COUNT ? '' : `, from the rate at ${count.toLocaleString('en-US')}`}`,
      unit: 's', ...(s.key === 'full' ? { target: { op: '<=', value: 10 } as const } : {}),
    })
  }
  rec.ratio('normal/full', 'NORMAL / FULL, deadlines per second', 'normal.rate', 'full.rate')
  if (postgres) rec.ratio('postgres/full', 'PostgreSQL / SQLite FULL, deadlines per second', 'postgres.rate', 'full.rate')

  await repeat(rec, options.runs, async (runIndex) => {
    const expected = runIndex === 0 ? warmCount : count
    for (const s of series) {
      let location: string
      let verdict: () => Promise<{ ok: boolean; detail: string }>
      let drop = (): Promise<void> => Promise.resolve()
      if (s.postgres && postgres) {
        const schema = await freshSchema(postgres, `deadlines_${runIndex}`)
        const [id] = await createTemplates(schema.url, ['confirm-delivery'], T0)
        pgSeedSeconds += await clonePostgres(schema.url, id as string, expected - 1)
        location = schema.url
        verdict = () => verifyPostgres(schema.url, expected)
        drop = schema.drop
      } else {
        const file = dbFile(options.dir, `deadlines-${s.key}-${runIndex}`)
        copyFileSync(runIndex === 0 ? templates.warm : templates.measured, file)
        location = file
        verdict = () => Promise.resolve(verify(file, expected))
      }
      const { engine, store } = await openEngine(location, s.settings, new ManualClock(DUE))
      const started = performance.now()
      const { fired } = await engine.deadlines.advance()
      const seconds = (performance.now() - started) / 1000
      await store.close()
      const checked = await verdict()
      await drop()
      rec.check(`${s.key}, run ${runIndex}: each of ${expected.toLocaleString('en-US')} deadlines fired exactly once`, checked.ok && fired === expected, `advance() reported ${fired}; ${checked.detail}`)
      rec.add(`${s.key}.rate`, fired / seconds)
      if (count !== TARGET_COUNT) rec.add(`${s.key}.seconds`, seconds)
      rec.add(`${s.key}.per100k`, (TARGET_COUNT * seconds) / fired)
    }
  })
  if (count !== TARGET_COUNT) rec.note(`${count.toLocaleString('en-US')} deadlines per run, not the issue's ${TARGET_COUNT.toLocaleString('en-US')} (to keep npm run bench within 10 minutes); the time for ${TARGET_COUNT.toLocaleString('en-US')} is extrapolated from the rate. Run \`npm run bench -- deadlines --count=${TARGET_COUNT}\` for the full size.`)
  rec.note(`Seeded by cloning a real delivery waiting at confirm-delivery (${seedSeconds.toFixed(1)} s), copied to a fresh file for every run.`)
  if (postgres) rec.note(`PostgreSQL: ${await postgresVersion(postgres)} on this machine, a fresh schema seeded the same way for every run (${pgSeedSeconds.toFixed(1)} s in all); one advance() claiming batches of 500 with FOR UPDATE SKIP LOCKED.`)
  return rec.report('deadlines', 'due confirm-delivery deadlines fired by engine.deadlines.advance() per second', {
    'deadlines per run': count, 'warm-up deadlines': warmCount, runs: options.runs, 'warm-up runs': 1,
  })
}

/** Counts in SQL: timeout confirmations, instances with more than one, instances not completed. */
function verify(file: string, expected: number): { ok: boolean; detail: string } {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    const { fired, instances } = db.prepare(`select count(*) as fired, count(distinct instance_id) as instances from event
      where type = 'action-performed' and json_extract(payload, '$.trigger') = 'timeout'`).get() as { fired: number; instances: number }
    const open = (db.prepare("select count(*) as n from instance where status <> 'completed'").get() as { n: number }).n
    const ok = fired === expected && instances === expected && open === 0
    return { ok, detail: `${fired} timeout events on ${instances} instances, ${open} not completed` }
  } finally {
    db.close()
  }
}
