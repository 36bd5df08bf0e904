import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InvalidDefinitionError } from './errors.js'
import type { CompiledProcess } from './definition/compiled.js'
import type { CompileResult } from './definition/compile.js'
import { compileProcess } from './definition/compile.js'

/** Directory of the built-in process definitions shipped with the engine. */
export const BUILT_IN_PROCESS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'processes')

/** Reads and compiles one YAML file; problems are reported with `file` as given. */
export function compileProcessFile(file: string): CompileResult {
  return compileProcess(readFileSync(file, 'utf8'), file)
}

/**
 * Compiles every `*.yaml` file of the built-in process directory.
 * @throws {InvalidDefinitionError} when a built-in definition has problems.
 */
export function loadBuiltInProcesses(dir: string = BUILT_IN_PROCESS_DIR): CompiledProcess[] {
  return readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort().map((name) => {
    const file = relative(process.cwd(), join(dir, name))
    const result = compileProcessFile(join(dir, name))
    if (!result.ok) throw new InvalidDefinitionError(file, result.errors)
    return result.process
  })
}
