import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { BaseLibrary } from './base-resolver.js'
import { compileWithBases } from './base-resolver.js'
import type { DefinitionError } from './errors.js'
import { ScenarioError } from './errors.js'
import { BUILT_IN_PROCESS_DIR, readDefinitionText } from './process-files.js'
import { readScenarios } from './scenarios/read.js'
import { runScenarios } from './scenarios/run.js'
import type { ScenarioResult } from './scenarios/run.js'

/** What running one scenario file found: problems of the file itself, or each scenario's result. */
export interface ScenarioFileReport {
  readonly file: string
  /** The file's own problems (YAML, shape, a process that cannot be compiled): then no scenario ran. */
  readonly problems: ReadonlyArray<DefinitionError | ScenarioError>
  readonly results: readonly ScenarioResult[]
}

/**
 * Reads a scenario file, compiles the process it names (a definition file relative to it, or a
 * built-in process's id; `extends` resolved through `library`) and runs its scenarios on the pure
 * runtime. Never throws for anything in the files.
 */
export async function runScenarioFile(file: string, library: BaseLibrary): Promise<ScenarioFileReport> {
  const read = readDefinitionText(file)
  if (!read.ok) return { file, problems: [read.problem], results: [] }
  const scenarios = readScenarios(read.text, file)
  if (!scenarios.ok) return { file, problems: scenarios.problems, results: [] }
  const named = scenarios.file.process
  const processFile = /\.ya?ml$/i.test(named) || named.includes('/') ? resolve(dirname(file), named) : join(BUILT_IN_PROCESS_DIR, `${named}.yaml`)
  if (!existsSync(processFile)) {
    const problem = new ScenarioError('scenario.process', `There is no process "${named}": neither a built-in process nor a file ${processFile}.`, scenarios.source.locate('/process'))
    return { file, problems: [problem], results: [] }
  }
  const compiled = await compileWithBases(processFile, library)
  if (!compiled.ok) {
    const first = compiled.errors.map(String).slice(0, 5).join('; ')
    return { file, problems: [new ScenarioError('scenario.process', `The process ${processFile} has ${compiled.errors.length} problem(s): ${first}`, scenarios.source.locate('/process'))], results: [] }
  }
  return { file, problems: [], results: await runScenarios(compiled.process, scenarios.file, scenarios.source) }
}
