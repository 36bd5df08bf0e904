import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DefinitionError, InvalidDefinitionError } from './errors.js'
import type { CompiledProcess } from './definition/compiled.js'
import type { BaseResolver, CompileOptions, CompileResult } from './definition/compile.js'
import { extendsOf, parseBaseReference } from './definition/derive.js'
import { definitionHead } from './definition/head.js'
import { compileProcess } from './definition/compile.js'
import { decodeDefinition, tooLargeProblem } from './definition/decode.js'
import type { DecodedDefinition } from './definition/decode.js'
import { MAX_DEFINITION_BYTES } from './definition/limits.js'

/** Directory of the built-in process definitions shipped with the engine. */
export const BUILT_IN_PROCESS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'processes')

/**
 * Reads and compiles one YAML file; problems are reported with `file` as given. Never throws: a
 * file that cannot be opened is `definition.unreadable` (with the system's reason), one larger
 * than {@link MAX_DEFINITION_BYTES} is `definition.too-large` without being read, and the bytes
 * are decoded as {@link compileProcessBytes} does.
 */
export function compileProcessFile(file: string, options: CompileOptions = {}): CompileResult {
  const read = readDefinitionText(file)
  return read.ok ? compileProcess(read.text, file, options) : { ok: false, errors: [read.problem] }
}

/**
 * The text of a definition file, read and decoded as {@link compileProcessFile} does, or the
 * located problem that stops it (unreadable, too large, not UTF-8 or UTF-16 text). Never throws.
 */
export function readDefinitionText(file: string): DecodedDefinition {
  const read = readDefinitionFile(file)
  return read instanceof Uint8Array ? decodeDefinition(read, file) : { ok: false, problem: read }
}

/**
 * Compiles a definition given as bytes (a file, an HTTP body): UTF-8 with or without a byte
 * order mark, or UTF-16 with one; size and encoding are checked before anything is parsed.
 */
export function compileProcessBytes(bytes: Uint8Array, file: string, options: CompileOptions = {}): CompileResult {
  const decoded = decodeDefinition(bytes, file)
  return decoded.ok ? compileProcess(decoded.text, file, options) : { ok: false, errors: [decoded.problem] }
}

/**
 * The bytes of a definition file, reading at most one byte more than {@link MAX_DEFINITION_BYTES}
 * (so a huge file or an endless device costs nothing), or the located problem that stops it.
 */
export function readDefinitionFile(file: string): Uint8Array | DefinitionError {
  const at = { file, line: 1, column: 1, pointer: '' }
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (error) {
    return new DefinitionError('definition.unreadable', `The file cannot be read (${reasonOf(error)}).`, at, 'Check the path and the permissions.')
  }
  try {
    const stat = fstatSync(fd)
    // A folder opens on Linux, and its size says nothing of a definition.
    if (stat.isDirectory()) return new DefinitionError('definition.unreadable', 'The file cannot be read (EISDIR).', at, FOLDER_HINT)
    if (stat.size > MAX_DEFINITION_BYTES) return tooLargeProblem(stat.size, file)
    // The size of a pipe or a device is not known beforehand: read up to one byte past the limit.
    const buffer = new Uint8Array(MAX_DEFINITION_BYTES + 1)
    let length = 0
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null)
      if (n === 0) break
      length += n
    }
    return buffer.subarray(0, length)
  } catch (error) {
    return new DefinitionError('definition.unreadable', `The file cannot be read (${reasonOf(error)}).`, at, FOLDER_HINT)
  } finally {
    closeSync(fd)
  }
}

const FOLDER_HINT = 'Check that the path names a file, not a folder.'

function reasonOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message
}

/**
 * The text of every `*.yaml` file of the built-in process directory, with its path relative to the
 * working directory: by file name, except that a process another extends comes before it (so
 * registering them in this order always finds a derived process's base registered).
 */
export function loadBuiltInSources(dir: string = BUILT_IN_PROCESS_DIR): Array<{ file: string; text: string }> {
  return orderedByBase(readBuiltInFiles(dir))
}

/** The text of every `*.yaml` file of the built-in process directory, by file name, read without parsing. */
export function readBuiltInFiles(dir: string = BUILT_IN_PROCESS_DIR): Array<{ file: string; text: string }> {
  return readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort()
    .map((name) => ({ file: relative(process.cwd(), join(dir, name)), text: readFileSync(join(dir, name), 'utf8') }))
}

/** `files` with each process another of them extends placed before it (as {@link loadBuiltInSources}). */
export function orderedByBase<F extends { readonly file: string; readonly text: string }>(files: readonly F[]): F[] {
  const idOf = (text: string): string | undefined => definitionHead(text).id
  const ordered: F[] = []
  const placed = new Set<string>()
  const place = (entry: F, depth: number): void => {
    const id = idOf(entry.text) ?? entry.file
    if (placed.has(id)) return
    placed.add(id)
    const base = extendsOf(entry.text)
    const baseEntry = base === undefined ? undefined : files.find((f) => idOf(f.text) === parseBaseReference(base).id)
    if (baseEntry && depth < 8) place(baseEntry, depth + 1)
    ordered.push(entry)
  }
  for (const entry of files) place(entry, 0)
  return ordered
}

/**
 * Compiles every `*.yaml` file of the built-in process directory; a derived one against the
 * built-in process it extends.
 * @throws {InvalidDefinitionError} when a built-in definition has problems.
 */
export function loadBuiltInProcesses(dir: string = BUILT_IN_PROCESS_DIR): CompiledProcess[] {
  const sources = loadBuiltInSources(dir)
  return sources.map(({ file, text }) => {
    const result = compileProcess(text, file, { base: builtInBases(sources) })
    if (!result.ok) throw new InvalidDefinitionError(file, result.errors)
    return result.process
  })
}

/**
 * The party roles of the built-in processes, read from their texts without compiling them (a
 * command that only needs the names does not pay for compiling six processes). The same as
 * their compiled processes' roles (test/engine/process-files.test.ts): a derived built-in process
 * has its base's roles or lists its own, and its base is built in too.
 */
export function builtInRoles(dir: string = BUILT_IN_PROCESS_DIR): string[] {
  const texts = readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort().map((name) => readFileSync(join(dir, name), 'utf8'))
  return [...new Set(texts.flatMap((text) => listedRoles(text) ?? definitionHead(text).roles))]
}

/**
 * The roles a built-in text lists on one line at its top level (`roles: [customer, isv]`), found
 * without reading the YAML (reading the six built-in texts costs a command a third of a second);
 * none when it lists none (a derived process has its base's, which its base's text lists).
 * Undefined when they are written otherwise, for the text to be read whole.
 */
function listedRoles(text: string): string[] | undefined {
  const line = /^roles:[ \t]*\[([^\]\n#'"]*)\][ \t]*(#.*)?$/m.exec(text)
  if (!line) return /^roles\s*:/m.test(text) ? undefined : []
  const roles = (line[1] ?? '').split(',').map((name) => name.trim()).filter((name) => name.length > 0)
  return roles.every((role) => /^[a-z][a-z0-9-]*$/.test(role)) ? roles : undefined
}

/** Finds a base among the built-in sources: the version named, or the highest. */
function builtInBases(sources: ReadonlyArray<{ file: string; text: string }>): BaseResolver {
  return (reference) => {
    const found = sources.filter(({ text }) => {
      const { id, version } = definitionHead(text)
      return id === reference.id && (reference.version === undefined || version === reference.version)
    })
    return found.at(-1)
  }
}
