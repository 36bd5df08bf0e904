/**
 * Writes the replay goldens, test/fixtures/replay/<scenario>.json, by running each scenario of
 * replay-scenarios.ts through `decide` at the instants it gives (a manual clock: nothing reads
 * the time). Run by hand, never by the tests:
 *
 *   npx tsx test/support/generate-replay-goldens.ts            # writes only goldens that do not exist yet
 *   npx tsx test/support/generate-replay-goldens.ts --rewrite  # rewrites every golden
 *
 * Rewriting an existing golden means the engine or a built-in process now decides a recorded
 * delivery differently: a process-versioning decision (STYLE.md §7), not a refresh. Say why in the commit.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadBuiltInProcesses } from '../../engine/index.js'
import { compactJson, GOLDEN_DIR, record } from './replay.js'
import type { Golden } from './replay.js'
import { SCENARIOS } from './replay-scenarios.js'

const rewrite = process.argv.includes('--rewrite')
const processes = new Map(loadBuiltInProcesses().map((p) => [p.id, p]))
mkdirSync(GOLDEN_DIR, { recursive: true })
for (const scenario of SCENARIOS) {
  const file = join(GOLDEN_DIR, `${scenario.name}.json`)
  if (existsSync(file) && !rewrite) continue
  const definition = processes.get(scenario.process)
  if (!definition) throw new Error(`No built-in process ${scenario.process}`)
  const { history, state } = await record(definition, scenario.commands)
  if (!state) throw new Error(`${scenario.name} never started`)
  const golden: Golden = {
    name: scenario.name, description: scenario.description,
    process: { id: definition.id, version: definition.version }, history, state,
  }
  writeFileSync(file, `${compactJson(golden)}\n`)
  console.log(`wrote ${file}`)
}
