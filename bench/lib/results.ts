import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Machine } from './machine.js'
import type { Report } from './report.js'

/** bench/results/, git-ignored: where each benchmark leaves its figures as JSON. */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results')

/** Writes `report` with the machine it ran on to `dir/NAME.json` and returns the path. */
export function writeResult(report: Report, machine: Machine, dir: string = RESULTS_DIR): string {
  const file = join(dir, `${report.name}.json`)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify({ ...report, machine }, null, 2)}\n`)
  return file
}
