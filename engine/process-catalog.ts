import { createHash } from 'node:crypto'
import type { Clock } from './clock.js'
import { compileMemoised } from './compile-memo.js'
import type { BaseTexts } from './compile-memo.js'
import { checkDefinition, definitionError, onEventLoop } from './definition-check.js'
import type { CheckedProcess, DefinitionCheck, DefinitionCheckRequest, DefinitionChecker } from './definition-check.js'
import { extendsOf, isProcessVersion, parseBaseReference } from './definition/derive.js'
import type { CompiledProcess } from './definition/compiled.js'
import { toMermaid } from './definition/mermaid.js'
import { EngineError, InvalidDefinitionError } from './errors.js'
import { orderedByBase, readBuiltInFiles } from './process-files.js'
import { mayUseProcess } from './runtime/authorize.js'
import type { ProcessOwner } from './runtime/authorize.js'
import type { Principal } from './runtime/state.js'
import { iso } from './runtime/time.js'
import { optional } from './optional.js'
import type { ProcessListing, ProcessRepository, ProcessRow } from './store/process-repository.js'

/** A registered process as listed: its versions and the latest one's title. */
export interface ProcessSummary {
  readonly id: string
  readonly title: string
  readonly latestVersion: number
  readonly versions: readonly number[]
  /** The subject a private process belongs to; null for a public one. */
  readonly owner: string | null
  /** The role its owner holds (one of the process's roles); null for a public one. */
  readonly ownerRole: string | null
}

/** One version of a process in full: its definition text, its diagram and its shape. */
export interface ProcessDetail extends ProcessSummary {
  readonly version: number
  readonly description: string | undefined
  readonly roles: readonly string[]
  readonly parameters: ReadonlyArray<{ readonly name: string; readonly type: string; readonly default: unknown; readonly description: string | undefined }>
  readonly steps: ReadonlyArray<{ readonly id: string; readonly title: string; readonly actors: readonly string[]; readonly actions: readonly string[] }>
  readonly source: string
  /** A Mermaid flowchart of the process. */
  readonly diagram: string
  readonly registeredAt: string
}

/**
 * The registered process definitions: every version's text and hash in the store, each compiled
 * once per version and cached, and shown only to those who may use it.
 */
export class ProcessCatalog {
  readonly #rows: ProcessRepository
  readonly #clock: Clock
  /** Compiled versions by `id@version`, with the owner each belongs to (a version never changes). */
  readonly #compiled = new Map<string, { process: CompiledProcess; owner: ProcessOwner | null }>()
  /** Where the checks of texts not registered (yet) run: {@link check}, {@link proposable}. */
  readonly #checker: DefinitionChecker

  constructor(rows: ProcessRepository, clock: Clock, checker: DefinitionChecker = onEventLoop) {
    this.#rows = rows
    this.#clock = clock
    this.#checker = checker
  }

  /**
   * Validates, compiles and registers a definition version. Registering the same id and version
   * again with identical text for the same owner is a no-op; with different text, or for another
   * owner, it is refused. A process belongs to
   * one owner (a subject in one of its roles, or none when public) across its versions: a new
   * version for another owner is refused, so a private process never turns public, or another
   * owner's, by a later version.
   * @throws {InvalidDefinitionError} with every located problem; {EngineError}
   * `process.version-conflict`, `process.owner-conflict`, `input.invalid` at `/owner` for an owner
   * role the process does not have.
   * @param options.base The version its `extends` derives from (`ID@VERSION`), whatever the text
   *   says: a proposal's, pinned when it was submitted, so that what is registered is what was
   *   reviewed even if its base has a newer version since.
   */
  async register(text: string, file: string, options: { owner?: ProcessOwner; expectId?: string; base?: string } = {}): Promise<{ process: CompiledProcess; created: boolean }> {
    const owner = options.owner ?? null
    const { process, bases } = await this.#prepare(text, file, owner, options.expectId, options.base)
    const hash = textHash(text)
    const created = await this.#rows.insert({
      id: process.id, version: process.version, title: process.title, source: text, hash,
      owner: owner?.subject ?? null, owner_role: owner?.role ?? null, registered_at: iso(this.#clock.now()), base: bases.pinned ?? null,
    })
    if (!created) {
      const existing = await this.#rows.find(process.id, process.version)
      if (!existing) {
        const whose = (o: ProcessOwner | null): string => o === null ? 'public (no owner)' : `private to ${o.role} "${o.subject}"`
        const head = await this.#rows.latestHead(process.id)
        throw new EngineError('process.owner-conflict',
          `Process "${process.id}" is ${whose(head ? ownerOf(head) : null)}; version ${process.version} cannot be ${whose(owner)}. Register it with the same owner, or under another id.`)
      }
      if (existing.hash !== hash) {
        throw new EngineError('process.version-conflict',
          `Process "${process.id}" version ${process.version} is already registered with different content; register it as version ${((await this.#rows.latestHead(process.id))?.version ?? process.version) + 1}.`)
      }
      // The same text, but another owner's: registering it for this one would register nothing.
      if (existing.owner !== (owner?.subject ?? null) || existing.owner_role !== (owner?.role ?? null)) {
        throw new EngineError('process.owner-conflict', `Process "${process.id}" version ${process.version} is registered already, with another owner; register it under another id.`)
      }
      // Already registered: the stored row decides (its owner, and the base versions pinned when it was registered).
      return { process: (this.#compiled.get(keyOf(existing)) ?? await this.#compileRow(existing)).process, created }
    }
    this.#compiled.set(keyOf(process), { process, owner })
    return { process, created }
  }

  /**
   * Checks a proposed customised procedure as registering it for `owner` would, registering
   * nothing: it compiles (with the bases `owner` may use), derives from another process
   * (`extends`), has `owner`'s role among its roles, and its id and version are free for
   * `owner` now (a new process, or a higher version of `owner`'s own). Returns the process's
   * shape and the base version it derives from (`ID@VERSION`).
   * @throws {InvalidDefinitionError}; {EngineError} `input.invalid` (no `extends`, or no role for
   * the owner), `process.owner-conflict`, `process.version-conflict`.
   */
  async proposable(text: string, file: string, owner: ProcessOwner): Promise<{ process: CheckedProcess; base: string }> {
    const bases = await this.#bases(text, owner, undefined, { extends: await this.#checker.extendsOf(text) })
    // Checked where checks run (a worker thread, on a server): the text is any party's.
    const checked = await this.#checker.check({ text, file, bases: [...bases] })
    if (!checked.process) throw new InvalidDefinitionError(file, checked.problems.map(definitionError))
    const { process } = checked
    requireOwnerRole(process, owner)
    if (bases.pinned === undefined) {
      throw new EngineError('input.invalid', `A proposal customises a process you may use: name it in \`extends\` (e.g. \`extends: basic@4\`).`, {
        fields: [{ pointer: '/definition', rule: 'extends', message: 'must derive from a registered process with `extends: ID@VERSION`' }],
      })
    }
    const head = await this.#rows.latestHead(process.id)
    if (head && (head.owner !== owner.subject || head.owner_role !== owner.role)) {
      throw new EngineError('process.owner-conflict', `Process "${process.id}" belongs to someone else; propose it under another id.`)
    }
    if (head && head.version >= process.version) {
      throw new EngineError('process.version-conflict', `Your process "${process.id}" is at version ${head.version} already; propose version ${head.version + 1}.`)
    }
    return { process, base: bases.pinned }
  }

  /** Compiles a definition for `owner` (null: public), checking its id and that `owner` holds one of its roles. */
  async #prepare(text: string, file: string, owner: ProcessOwner | null, expectId?: string, base?: string): Promise<{ process: CompiledProcess; bases: Bases }> {
    const bases = await this.#bases(text, owner, base)
    const result = compileMemoised(text, file, bases)
    if (!result.ok) throw new InvalidDefinitionError(file, result.errors)
    const { process } = result
    if (expectId !== undefined && process.id !== expectId) {
      throw new EngineError('input.invalid', `The definition's id is "${process.id}", not "${expectId}".`, {
        fields: [{ pointer: '/id', rule: 'const', message: `must be "${expectId}"` }],
      })
    }
    if (owner) requireOwnerRole(process, owner)
    return { process, bases }
  }

  /**
   * Checks a definition as registering it would, and runs scenarios on it, registering nothing
   * (see checkDefinition: the bases it may use depend on who asks).
   */
  check(request: DefinitionCheckRequest, by: Principal, owner?: ProcessOwner, base?: string): Promise<DefinitionCheck> {
    return checkDefinition(this, request, by, owner, base)
  }

  /**
   * Checks a definition as `register` would for `owner` (its bases: public ones and the owner's
   * own; the version `base` names, when given, for what `extends` names), and runs `scenarios` on
   * it, registering nothing.
   */
  async checkText(text: string, file: string, owner: ProcessOwner | null, base?: string, scenarios?: string): Promise<DefinitionCheck> {
    const bases = await this.#bases(text, owner, base, { extends: await this.#checker.extendsOf(text) })
    return this.#checker.check({ text, file, bases: [...bases], ...optional('scenarios', scenarios) })
  }

  /**
   * Registers every built-in process (idempotent), and returns the id and version of each
   * registered. One already registered, public and with the same text is left as it is, and
   * compiled when first used, as any stored version is: a server restarting on its database
   * does not compile the six of them again (about a third of its start). A built-in whose id
   * already belongs to an ISV (`process.owner-conflict`) is handed to `onOwnerConflict` and
   * skipped when one is given, so a server still starts; without one, the conflict is thrown.
   */
  async registerBuiltIns(onOwnerConflict?: (file: string, error: EngineError) => void): Promise<Array<{ id: string; version: number }>> {
    // Those stored are found by the hashes of their texts: a restart reads no YAML at all.
    const files = readBuiltInFiles().map((file) => ({ ...file, hash: textHash(file.text) }))
    const stored = new Map((await this.#rows.publicWithHashes(files.map(({ hash }) => hash))).map((row) => [row.hash, row]))
    const registered = files.flatMap(({ hash }) => {
      const same = stored.get(hash)
      return same ? [{ id: same.id, version: same.version }] : []
    })
    for (const { file, text } of orderedByBase(files.filter(({ hash }) => !stored.has(hash)))) {
      try {
        const { process } = await this.register(text, file)
        registered.push({ id: process.id, version: process.version })
      } catch (error) {
        if (!(onOwnerConflict && error instanceof EngineError && error.code === 'process.owner-conflict')) throw error
        onOwnerConflict(file, error)
      }
    }
    return registered
  }

  /** Whether this version of a process is registered for `owner` (null: public). */
  async has(id: string, version: number, owner: ProcessOwner | null): Promise<boolean> {
    const row = await this.#rows.find(id, version)
    const stored = row && ownerOf(row)
    return row !== undefined && (stored === null ? owner === null : owner !== null && stored?.role === owner.role && stored.subject === owner.subject)
  }

  /** The compiled process of this id and version if it is already compiled, without reading the database. */
  cached(id: string, version: number): CompiledProcess | undefined {
    return this.#compiled.get(keyOf({ id, version }))?.process
  }

  /** The compiled process of an id and version (the latest by default), compiled once and cached. */
  async get(id: string, version?: number): Promise<CompiledProcess> {
    return (await this.resolve(id, version)).process
  }

  /**
   * The compiled process of an id and version (the latest by default) with the owner it is
   * private to (null when public). The latest version is looked up on every call (another server may have
   * registered one), without reading its text; a version is compiled once and cached.
   */
  async resolve(id: string, version?: number): Promise<{ process: CompiledProcess; owner: ProcessOwner | null }> {
    const head = version === undefined ? await this.#rows.latestHead(id) : { id, version }
    const hit = head && this.#compiled.get(keyOf(head))
    if (hit) return hit
    const row = head && await this.#rows.find(head.id, head.version)
    if (!row) throw processNotFound(id, version)
    return this.#compileRow(row)
  }

  /** As {@link resolve}, for `by`: a private process `by` may not use is not found, as if it were not there. */
  async resolveFor(by: Principal, id: string, version?: number): Promise<{ process: CompiledProcess; owner: ProcessOwner | null }> {
    const resolved = await this.resolve(id, version)
    if (!mayUseProcess(resolved.owner, by)) throw processNotFound(id, version)
    return resolved
  }

  /** Compiles a stored version against the base versions pinned with it, and caches it with its owner. */
  async #compileRow(row: ProcessRow): Promise<{ process: CompiledProcess; owner: ProcessOwner | null }> {
    const key = keyOf(row)
    const bases = await this.#bases(row.source, ownerOf(row), row.base)
    const result = compileMemoised(row.source, key, bases)
    if (!result.ok) throw new InvalidDefinitionError(key, result.errors)
    const compiled = { process: result.process, owner: ownerOf(row) }
    this.#compiled.set(key, compiled)
    return compiled
  }

  /**
   * The texts of the chain of processes a definition extends, by id, read before compiling (the
   * compiler is pure). A stored derived process follows the base versions pinned when it was
   * registered, so registering a new base version never changes it. `pinned` is the first hop.
   * `named` is what `text` names in `extends`, when it was read where checks run (a text any party
   * sends); the texts of registered bases are read here, once each.
   */
  async #bases(text: string, owner: ProcessOwner | null, pinnedBase?: string | null, named?: { readonly extends: string | undefined }): Promise<Bases> {
    const found: Bases = new Map()
    let current = text
    let pin = pinnedBase ?? undefined
    for (let depth = 0; depth < 8; depth++) {
      const reference = depth === 0 && named ? named.extends : extendsOf(current)
      if (reference === undefined) break
      const { id, version } = parseBaseReference(pin ?? reference)
      // Read before the schema checks the text: a version no database column holds names no base.
      if (version !== undefined && !isProcessVersion(version)) break
      const row = version === undefined ? await this.#rows.latest(id) : await this.#rows.find(id, version)
      // A base must be usable by the derived process's owner: public, or private to the same owner.
      if (!row || !mayExtend(ownerOf(row), owner) || found.has(row.id)) break
      found.set(row.id, { text: row.source, file: `${row.id}@${row.version}` })
      if (depth === 0) found.pinned = `${row.id}@${row.version}`
      current = row.source
      pin = row.base ?? undefined
    }
    return found
  }

  /** The processes `by` may see: public ones, and private ones `by` owns (all for those who see all). */
  async list(by: Principal): Promise<ProcessSummary[]> {
    const byId = new Map<string, ProcessListing[]>()
    for (const row of await this.#rows.list()) {
      if (!mayUseProcess(ownerOf(row), by)) continue
      byId.set(row.id, [...(byId.get(row.id) ?? []), row])
    }
    return [...byId.values()].map((rows) => summarise(rows))
  }

  /** One version (the latest by default) of a process `by` may see. */
  async describe(id: string, by: Principal, version?: number): Promise<ProcessDetail> {
    const rows = (await this.#rows.versions(id)).filter((row) => mayUseProcess(ownerOf(row), by))
    const listed = version === undefined ? rows.at(-1) : rows.find((r) => r.version === version)
    const row = listed && await this.#rows.find(listed.id, listed.version)
    if (!row) throw new EngineError('process.not-found', `There is no process "${id}"${version === undefined ? '' : ` version ${version}`} that you may see.`)
    const process = await this.get(row.id, row.version)
    return {
      ...summarise(rows),
      version: row.version,
      title: process.title,
      description: process.description,
      roles: process.roles,
      parameters: [...process.parameters.values()].map((p) => ({ name: p.name, type: p.type, default: p.default, description: p.description })),
      steps: [...process.steps.values()].map((step) => ({ id: step.id, title: step.title, actors: step.actors, actions: [...step.actions.keys()] })),
      source: row.source,
      diagram: toMermaid(process),
      registeredAt: row.registered_at,
    }
  }
}

/** The texts of a definition's chain of bases by id, and the first one's `ID@VERSION` (`pinned`). */
type Bases = Map<string, { text: string; file: string }> & BaseTexts & { pinned?: string }

/**
 * Refuses a process whose roles `owner` holds none of.
 * @throws {EngineError} `input.invalid` at `/owner`.
 */
function requireOwnerRole(process: Pick<CheckedProcess, 'id' | 'roles'>, owner: ProcessOwner): void {
  if (process.roles.includes(owner.role)) return
  throw new EngineError('input.invalid', `Process "${process.id}" has no role "${owner.role}" for its owner to hold.`, {
    fields: [{ pointer: '/owner', rule: 'enum', message: `must hold one of the process's roles: ${process.roles.join(', ')}` }],
  })
}

/** The owner of a registered version; null when it is public. */
function ownerOf(row: Pick<ProcessRow, 'owner' | 'owner_role'>): ProcessOwner | null {
  return row.owner === null || row.owner_role === null ? null : { role: row.owner_role, subject: row.owner }
}

/** Whether a process of `owner` may extend a base private to `base` (null: public): public, or the same owner. */
function mayExtend(base: ProcessOwner | null, owner: ProcessOwner | null): boolean {
  return base === null || (owner !== null && base.role === owner.role && base.subject === owner.subject)
}

function summarise(rows: readonly ProcessListing[]): ProcessSummary {
  const latest = rows.at(-1) as ProcessListing
  return { id: latest.id, title: latest.title, latestVersion: latest.version, versions: rows.map((r) => r.version), owner: latest.owner, ownerRole: latest.owner_role }
}

/** The hash a version's text is stored with: the same text registered again is recognised by it. */
function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The cache key of a process version. */
function keyOf({ id, version }: { readonly id: string; readonly version: number }): string {
  return `${id}@${version}`
}

/** What is said of a process that is not there (or that the caller may not know of). */
function processNotFound(id: string, version: number | undefined): EngineError {
  return new EngineError('process.not-found', `There is no process "${id}"${version === undefined ? '' : ` version ${version}`}.`)
}
