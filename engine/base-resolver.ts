import { resolve } from 'node:path'
import type { BaseResolver, CompileResult } from './definition/compile.js'
import { sortProblems } from './definition/context.js'
import type { BaseReference } from './definition/derive.js'
import { isProcessVersion, parseBaseReference } from './definition/derive.js'
import { readSource } from './definition/source.js'
import { definitionHead } from './definition/head.js'
import { suggest } from './definition/suggest.js'
import type { DefinitionCode } from './errors.js'
import { MAX_DEFINITION_BYTES } from './definition/limits.js'
import { compileProcess } from './definition/compile.js'
import { readDefinitionText } from './process-files.js'
import type { ProcessRepository } from './store/process-repository.js'


/** A definition a derived process may extend: its text and where it was found. */
export interface BaseCandidate {
  readonly id: string
  readonly version: number
  readonly text: string
  /** How messages name it: a file path, or `ID@VERSION in DATABASE`. */
  readonly file: string
  /** For a registered derived version: the base version pinned when it was registered. */
  readonly pinnedBase?: string | null
}

/** The definition whose bases are looked for: it never resolves to itself. */
interface Self {
  readonly key: string
  readonly path: string | undefined
}

/** One place bases are looked for. */
export interface BaseSource {
  /** What messages call it, e.g. "the built-in processes". */
  readonly name: string
  /** The given version of a process (its highest when none is given), other than `self`. */
  find(reference: BaseReference, self: Self): Promise<BaseCandidate | undefined>
  /** Every process id it holds, for "did you mean". */
  ids(): Promise<readonly string[]>
}

/** The head of a definition's text (id, version, extends), when it has a usable one. */
function headOf(text: string): { id: string; version: number; extends: string | undefined } | undefined {
  if (text.length > MAX_DEFINITION_BYTES) return undefined
  const { id, version, extends: base } = definitionHead(text)
  return id === undefined || version === undefined ? undefined : { id, version, extends: base }
}

type TextEntries = ReadonlyArray<{ readonly file: string; readonly text: string }>

/**
 * Definitions given as texts (files named on a command line, the built-in processes), each read
 * for its id and version only when a base is first looked for; given as a function, the texts
 * themselves are only read then (a file that extends nothing never reads the built-in ones).
 */
export function textSource(name: string, entries: TextEntries | (() => TextEntries)): BaseSource {
  let candidates: BaseCandidate[] | undefined
  const all = (): BaseCandidate[] => candidates ??= (typeof entries === 'function' ? entries() : entries).flatMap(({ file, text }) => {
    const head = headOf(text)
    return head ? [{ id: head.id, version: head.version, text, file }] : []
  })
  return {
    name,
    find: (reference, self) => Promise.resolve(all()
      .filter((c) => c.id === reference.id && (reference.version === undefined || c.version === reference.version))
      .filter((c) => `${c.id}@${c.version}` !== self.key && resolve(c.file) !== self.path)
      .reduce<BaseCandidate | undefined>((best, c) => best && best.version >= c.version ? best : c, undefined)),
    ids: () => Promise.resolve(all().map((c) => c.id)),
  }
}

/** Files named on a command line, read once; unreadable and oversized ones are skipped (they are reported as files of their own). */
export function fileSource(name: string, files: readonly string[]): BaseSource {
  return textSource(name, files.flatMap((file) => {
    const read = readDefinitionText(file)
    return read.ok ? [{ file, text: read.text }] : []
  }))
}

/** The versions registered in a database. */
export function databaseSource(name: string, rows: Pick<ProcessRepository, 'find' | 'versions' | 'list'>): BaseSource {
  return {
    name,
    find: async (reference, self) => {
      const version = reference.version ?? (await rows.versions(reference.id)).map((row) => row.version)
        .filter((v) => `${reference.id}@${v}` !== self.key).at(-1)
      if (version === undefined || !isProcessVersion(version) || `${reference.id}@${version}` === self.key) return undefined
      const row = await rows.find(reference.id, version)
      return row && { id: row.id, version: row.version, text: row.source, file: `${row.id}@${row.version} in ${name}`, pinnedBase: row.base }
    },
    ids: async () => (await rows.list()).map((row) => row.id),
  }
}

/** Where a definition's chain of bases ends: a resolver for the compiler, and the problem that cut it short, if any. */
export interface BaseChain {
  readonly resolver: BaseResolver
  readonly problem: { readonly code: DefinitionCode; readonly message: string; readonly hint: string } | undefined
}

/**
 * Finds the bases of derived definitions in several sources: a reference without a version takes
 * the highest version any source holds; on equal versions the earlier source wins. A definition
 * never extends itself (its own file, or its own id and version), so a new version may extend the
 * registered one before it.
 */
export class BaseLibrary {
  readonly #sources: readonly BaseSource[]

  /** `sources` in order of precedence, e.g. the files named, then a database, then the built-ins. */
  constructor(sources: readonly BaseSource[]) {
    this.#sources = sources
  }

  /**
   * Follows the `extends` chain of a definition's text through the sources, and returns a
   * resolver holding every base found. A base that no source holds, or a chain that comes back
   * to a definition already in it, ends the walk with a problem naming the whole chain (so a
   * cycle is reported, never followed).
   */
  async chain(text: string, path?: string): Promise<BaseChain> {
    const bases = new Map<string, BaseCandidate>()
    const resolver: BaseResolver = (reference) => bases.get(referenceKey(reference))
    const head = text.includes('extends') ? headOf(text) : undefined
    if (!head?.extends) return { resolver, problem: undefined }
    const self: Self = { key: `${head.id}@${head.version}`, path: path === undefined ? undefined : resolve(path) }
    const seen = [`${self.key} (this file)`]
    const visited = new Set([self.key])
    let written = head.extends
    let wanted = head.extends
    for (;;) {
      const reference = parseBaseReference(wanted)
      const found = await this.#find(reference, self)
      // Nothing else answers to the definition's own id: the chain has come back to it.
      const backToSelf = !found && reference.id === head.id && (reference.version ?? head.version) === head.version
      if (!found && !backToSelf) return { resolver, problem: await this.#missing(wanted, seen) }
      const key = found ? `${found.id}@${found.version}` : self.key
      seen.push(found ? `${key} (${found.file})` : key)
      if (!found || visited.has(key)) {
        return { resolver, problem: {
          code: 'definition.derivation',
          message: `The chain of \`extends\` is a cycle: ${seen.join(' → ')}.`,
          hint: 'A process cannot extend itself, directly or through others: make one of them extend a process outside the cycle.',
        } }
      }
      visited.add(key)
      const writtenKey = referenceKey(parseBaseReference(written))
      if (!bases.has(writtenKey)) bases.set(writtenKey, found)
      const next = headOf(found.text)?.extends
      if (next === undefined) break
      written = next
      // A registered derived version follows the base pinned when it was registered, as the server does.
      wanted = found.pinnedBase ?? next
    }
    return { resolver, problem: undefined }
  }

  async #find(reference: BaseReference, self: Self): Promise<BaseCandidate | undefined> {
    let best: BaseCandidate | undefined
    for (const source of this.#sources) {
      const found = await source.find(reference, self)
      if (found && (!best || found.version > best.version)) best = found
    }
    return best
  }

  async #missing(wanted: string, seen: readonly string[]): Promise<BaseChain['problem']> {
    const { id, version } = parseBaseReference(wanted)
    const ids = [...new Set((await Promise.all(this.#sources.map((s) => s.ids()))).flat())].sort()
    const names = this.#sources.map((s) => s.name)
    const where = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}` : names.join('')
    const via = seen.length > 1 ? ` (reached through ${seen.join(' → ')})` : ''
    const what = version !== undefined && ids.includes(id) ? `version ${version} of "${id}"` : `process "${id}"`
    return {
      code: 'definition.unknown-base',
      message: `There is no ${what} to extend${via} in ${where}.`,
      hint: `${ids.includes(id) ? 'Name a version that exists, or write the id alone for the latest.' : suggest(id, ids, 'processes')} Name the base's file on the same command line, or give --db with the database it is registered in.`,
    }
  }
}

function referenceKey(reference: BaseReference): string {
  return `${reference.id}@${reference.version ?? ''}`
}

/**
 * Compiles a definition file with its bases from `library`. Reads the file; a base that cannot be
 * found, or a cycle, is reported at `extends` with the chain and where it was looked for, in place
 * of the compiler's generic problem. Never throws: a file that cannot be read is its problem.
 */
export async function compileWithBases(file: string, library: BaseLibrary): Promise<CompileResult> {
  const read = readDefinitionText(file)
  if (!read.ok) return { ok: false, errors: [read.problem] }
  const { text } = read
  const { resolver, problem } = await library.chain(text, file)
  const result = compileProcess(text, file, { base: resolver })
  if (result.ok || !problem) return result
  const others = result.errors.filter((error) => error.code !== 'definition.unknown-base')
  // The compiler stopped before resolving the base (a YAML or schema problem): those come first.
  if (others.length === result.errors.length) return result
  return { ok: false, errors: sortProblems([...others, readSource(text, file).error(problem.code, '/extends', problem.message, problem.hint)]) }
}
