import type { DefinitionCode } from '../errors.js'
import type { DefinitionError, SourceLocation } from '../errors.js'
import { MAX_PROBLEMS } from './limits.js'
import type { Source } from './source.js'

/** What the compile passes share: the source (for locations) and the list of problems found so far. */
export class CompileContext {
  readonly source: Source
  readonly #problems: DefinitionError[] = []
  #origin: (pointer: string) => string = (pointer) => pointer
  constructor(source: Source) {
    this.source = source
  }

  /** For a derived process: maps a pointer of the merged definition to where it was written. */
  locateThrough(origin: (pointer: string) => string): void {
    this.#origin = origin
  }

  /** Where the node at `pointer` of the definition is written: `pointer` itself, with the line and column of the node. */
  locate(pointer: string): SourceLocation {
    return { ...this.source.locate(this.#origin(pointer)), pointer }
  }

  /** Records a problem at the node at `pointer`. */
  report(code: DefinitionCode, pointer: string, message: string, hint?: string): void {
    this.#problems.push(this.source.error(code, this.#origin(pointer), message, hint))
  }

  /** Records a problem at the character `index` of the text at `pointer` (at the text itself when that cannot be placed). */
  reportWithin(code: DefinitionCode, pointer: string, index: number | undefined, message: string, hint?: string): void {
    this.#problems.push(this.source.errorWithin(code, this.#origin(pointer), index, message, hint))
  }

  /** Records a problem at the key of the property at `pointer` (e.g. an action's id). */
  reportAtKey(code: DefinitionCode, pointer: string, message: string, hint?: string): void {
    this.#problems.push(this.source.errorAtKey(code, this.#origin(pointer), message, hint))
  }

  /**
   * The problems recorded, sorted by line and column: each once (a problem inside a value that
   * YAML aliases or merge keys repeat is found at each use, but written in one place), and at most
   * {@link MAX_PROBLEMS}.
   */
  get problems(): readonly DefinitionError[] {
    const seen = new Set<string>()
    const once = this.#problems.filter((problem) => {
      const { line, column } = problem.location
      const key = `${line}:${column}\u0000${problem.code}\u0000${problem.message}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    return sortProblems(once).slice(0, MAX_PROBLEMS)
  }
}

/** Sorts problems by position, so an author reads them top to bottom. */
export function sortProblems(problems: readonly DefinitionError[]): DefinitionError[] {
  return [...problems].sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column)
}

