// One benchmark in its own process (spawned by bench/main.ts): prints its table, writes its JSON.
import { parseBenchArgs } from './lib/args.js'
import { measure } from './lib/measure.js'
import { renderReport } from './lib/table.js'

const args = parseBenchArgs(process.argv.slice(2))
const [name] = args.names
if (name === undefined || args.names.length > 1) throw new RangeError('Usage: run-one.ts NAME [--tiny] [--runs=N] [--key=value...]')
const sharedDir = process.env['BENCH_SHARED_DIR']
const { report, machine, file } = await measure(name, {
  scale: args.scale, params: args.params,
  ...(args.runs === undefined ? {} : { runs: args.runs }),
  ...(sharedDir ? { sharedDir } : {}),
})
process.stdout.write(`${renderReport(report, machine)}\nfigures written to ${file}\n`)
if (report.checks.some((check) => !check.ok)) process.exitCode = 1
