import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadBenchmark } from '../registry.js'
import type { Machine } from './machine.js'
import { describeMachine } from './machine.js'
import type { Scale } from './options.js'
import type { Report } from './report.js'
import { writeResult } from './results.js'

/** Runs of every benchmark at full scale: at least 5 after the warm-up, as the issue asks. */
export const DEFAULT_RUNS = 5

/** What {@link measure} needs besides the benchmark's name. */
export interface MeasureRequest {
  readonly scale: Scale
  readonly runs?: number
  readonly params?: Readonly<Record<string, string>>
  /** Where fixtures shared between benchmarks live (see BenchOptions.sharedDir). */
  readonly sharedDir?: string
  /** Where NAME.json is written; bench/results/ by default. */
  readonly resultsDir?: string
}

/**
 * Runs one benchmark in this process on a fresh temp directory (removed afterwards), writes its
 * JSON and returns the report with the machine it ran on and the JSON's path.
 */
export async function measure(name: string, request: MeasureRequest): Promise<{ report: Report; machine: Machine; file: string }> {
  const benchmark = await loadBenchmark(name)
  const dir = mkdtempSync(join(request.sharedDir ?? tmpdir(), `dc-bench-${name}-`))
  try {
    const report = await benchmark.run({
      scale: request.scale,
      runs: request.runs ?? (request.scale === 'full' ? DEFAULT_RUNS : 2),
      dir,
      sharedDir: request.sharedDir,
      params: request.params ?? {},
    })
    const machine = describeMachine()
    return { report, machine, file: writeResult(report, machine, request.resultsDir) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
