// `npm run bench -- [NAME...] [--tiny] [--runs=N] [--key=value...]`: runs the benchmarks, each in
// its own Node.js process so one's heap and open files never weigh on the next.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatBenchArgs, parseBenchArgs } from './lib/args.js'
import type { Report } from './lib/report.js'
import { benchPostgresUrl } from './lib/postgres.js'
import { RESULTS_DIR } from './lib/results.js'
import { formatNumber, layout } from './lib/table.js'
import { BENCHMARKS } from './registry.js'

const args = parseBenchArgs(process.argv.slice(2))
const names = args.names.length > 0 ? args.names : Object.keys(BENCHMARKS)
const unknown = names.filter((name) => !(name in BENCHMARKS))
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark ${unknown.join(', ')}; the benchmarks are: ${Object.keys(BENCHMARKS).join(', ')}.\n`)
  process.exit(2)
}
if (benchPostgresUrl()) {
  process.stderr.write('DATABASE_URL names a PostgreSQL database: `engine` and `deadlines` run on it too, beside SQLite; the others run on SQLite.\n')
}

const shared = mkdtempSync(join(tmpdir(), 'dc-bench-'))
const started = performance.now()
const failed: string[] = []
const summary: string[][] = [['benchmark', 'target', 'median', '']]
try {
  for (const name of names) {
    const began = performance.now()
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(import.meta.dirname, 'run-one.ts'), name, ...formatBenchArgs(args)], {
      stdio: 'inherit', env: { ...process.env, BENCH_SHARED_DIR: shared },
    })
    process.stdout.write(`(${name}: ${formatNumber((performance.now() - began) / 1000)} s)\n`)
    if (child.status !== 0) {
      failed.push(name)
      continue
    }
    const report = JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8')) as Report
    for (const figure of [...report.measures, ...report.ratios]) {
      if (figure.met === undefined || !figure.target) continue
      const unit = 'unit' in figure ? (figure.unit === '/s' ? '/s' : ` ${figure.unit}`) : '×'
      summary.push([name, `${figure.label} ${figure.target.op === '>=' ? '≥' : '≤'} ${formatNumber(figure.target.value)}${unit}`, `${formatNumber(figure.median)}${unit}`, figure.met ? 'met' : 'NOT MET'])
    }
  }
} finally {
  rmSync(shared, { recursive: true, force: true })
}
process.stdout.write(`\n== targets (medians)\n${layout(summary, 2)}\n`)
process.stdout.write(`\n${names.length} benchmark(s) in ${formatNumber((performance.now() - started) / 1000)} s; JSON in ${RESULTS_DIR}\n`)
if (failed.length > 0) {
  process.stderr.write(`Failed: ${failed.join(', ')}\n`)
  process.exitCode = 1
}
