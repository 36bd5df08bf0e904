import type { BenchOptions } from './lib/options.js'
import type { Report } from './lib/report.js'

/** A benchmark module: `run` measures and returns its report. */
export interface Benchmark {
  run(options: BenchOptions): Promise<Report>
}

/** Every benchmark by name, in the order `npm run bench` runs them; loaded on demand. */
export const BENCHMARKS: Readonly<Record<string, () => Promise<Benchmark>>> = {
  runtime: () => import('./runtime.bench.js'),
  definitions: () => import('./definitions.bench.js'),
  engine: () => import('./engine.bench.js'),
  http: () => import('./http.bench.js'),
  'http-layer': () => import('./http-layer.bench.js'),
  'act-cost': () => import('./act-cost.bench.js'),
  deadlines: () => import('./deadlines.bench.js'),
  growth: () => import('./growth.bench.js'),
  memory: () => import('./memory.bench.js'),
  console: () => import('./console.bench.js'),
  webhooks: () => import('./webhooks.bench.js'),
  feed: () => import('./feed.bench.js'),
  postgres: () => import('./postgres.bench.js'),
}

/** Loads the benchmark `name`. @throws {RangeError} for an unknown name, listing the known ones. */
export async function loadBenchmark(name: string): Promise<Benchmark> {
  const load = BENCHMARKS[name]
  if (!load) throw new RangeError(`There is no benchmark "${name}"; the benchmarks are: ${Object.keys(BENCHMARKS).join(', ')}.`)
  return load()
}
