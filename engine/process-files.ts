import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InvalidDefinitionError } from './errors.js'
import type { CompiledProcess } from './definition/compiled.js'
import type { CompileOptions, CompileResult } from './definition/compile.js'
import { compileProcess } from './definition/compile.js'

/** Directory of the built-in process definitions shipped with the engine. */
export const BUILT_IN_PROCESS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'processes')

/** Reads and compiles one YAML file; problems are reported with `file` as given. */
export function compileProcessFile(file: string, options: CompileOptions = {}): CompileResult {
  return compileProcess(readFileSync(file, 'utf8'), file, options)
}

/** The text of every `*.yaml` file of the built-in process directory, with its path relative to the working directory. */
export function loadBuiltInSources(dir: string = BUILT_IN_PROCESS_DIR): Array<{ file: string; text: string }> {
  return readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort()
    .map((name) => ({ file: relative(process.cwd(), join(dir, name)), text: readFileSync(join(dir, name), 'utf8') }))
}

/**
 * Compiles every `*.yaml` file of the built-in process directory.
 * @throws {InvalidDefinitionError} when a built-in definition has problems.
 */
export function loadBuiltInProcesses(dir: string = BUILT_IN_PROCESS_DIR): CompiledProcess[] {
  return loadBuiltInSources(dir).map(({ file, text }) => {
    const result = compileProcess(text, file)
    if (!result.ok) throw new InvalidDefinitionError(file, result.errors)
    return result.process
  })
}
