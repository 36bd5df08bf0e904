import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { stopChildServers } from '../bench/lib/child.js'
import { measure } from '../bench/lib/measure.js'
import { BENCHMARKS } from '../bench/registry.js'

// Runs every benchmark with tiny counts so the benchmarks cannot rot. No timing is asserted:
// only that each produces finite figures, passes its own correctness checks and writes its JSON.
const results = mkdtempSync(join(tmpdir(), 'dc-bench-smoke-'))
// A benchmark stops its servers when it ends; these hooks also run when a test failed or timed
// out with the benchmark still going, so no server it started outlives the test.
afterEach(() => stopChildServers())
afterAll(async () => {
  await stopChildServers()
  rmSync(results, { recursive: true, force: true })
})

// Several benchmarks start servers in child processes and load them: on a loaded machine that
// can take minutes, and only correctness is checked here, so only a hang should fail.
const TIMEOUT_MS = 15 * 60_000

describe('benchmarks at tiny scale', () => {
  for (const name of Object.keys(BENCHMARKS)) {
    it(`${name} produces finite figures, passes its checks and writes ${name}.json`, { timeout: TIMEOUT_MS }, async () => {
      const { report, file } = await measure(name, { scale: 'tiny', runs: 1, resultsDir: results })

      expect(report.name).toBe(name)
      expect(report.measures.length).toBeGreaterThan(0)
      for (const figure of [...report.measures, ...report.ratios]) {
        for (const value of [figure.median, figure.min, figure.max, ...figure.samples]) {
          expect(Number.isFinite(value), `${figure.label}: ${value}`).toBe(true)
          // Latencies are whole milliseconds from autocannon, so a tiny run may see 0 ms.
          if ('unit' in figure && figure.unit === 'ms') expect(value).toBeGreaterThanOrEqual(0)
          else expect(value, figure.label).toBeGreaterThan(0)
        }
      }
      for (const check of report.checks) expect(check.ok, `${check.label}: ${check.detail}`).toBe(true)
      const written = JSON.parse(readFileSync(file, 'utf8')) as { name: string; machine: { node: string; cores: number } }
      expect(written).toMatchObject({ name, machine: { node: process.version } })
    })
  }
})
