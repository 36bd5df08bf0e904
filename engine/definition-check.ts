import type { CompiledProcess } from './definition/compiled.js'
import { compileProcess } from './definition/compile.js'
import { decodeDefinition } from './definition/decode.js'
import { extendsOf } from './definition/derive.js'
import { toMermaid } from './definition/mermaid.js'
import { DefinitionError, EngineError } from './errors.js'
import type { DefinitionCode, ScenarioError, SourceLocation } from './errors.js'
import type { ProcessCatalog } from './process-catalog.js'
import { may } from './runtime/authorize.js'
import type { ProcessOwner } from './runtime/authorize.js'
import type { Principal } from './runtime/state.js'
import { readScenarios } from './scenarios/read.js'
import { runScenarios } from './scenarios/run.js'

/** A problem as a check reports it: its code, what is wrong, how to fix it, and where. */
export interface LocatedProblem {
  readonly code: string
  readonly message: string
  readonly hint?: string
  readonly location: SourceLocation
}

/** What checking a definition (and scenarios of it) found; nothing is registered. */
export interface DefinitionCheck {
  readonly valid: boolean
  /** Every problem of the definition, in the order of the text. */
  readonly problems: readonly LocatedProblem[]
  /** The process, when it compiles. */
  readonly process?: CheckedProcess
  /** Its Mermaid flowchart, when it compiles. */
  readonly diagram?: string
  /** The scenarios run against it, when some were given and it compiles. */
  readonly scenarios?: {
    /** Problems of the scenario text itself (then none ran). */
    readonly problems: readonly LocatedProblem[]
    readonly results: ReadonlyArray<{ readonly name: string; readonly passed: boolean; readonly problems: readonly LocatedProblem[] }>
  }
}

/** The shape of a process that compiles, as a check reports it. */
export interface CheckedProcess {
  readonly id: string; readonly version: number; readonly title: string; readonly roles: readonly string[]
  readonly steps: ReadonlyArray<{ readonly id: string; readonly title: string; readonly actors: readonly string[]; readonly actions: readonly string[] }>
}

/**
 * What a check compiles: a definition's text, the texts of the chain of bases it extends (read
 * from the catalog beforehand), and scenarios to run on it. Plain data, so that a check can run
 * on another thread.
 */
export interface CheckInput {
  readonly text: string
  readonly file: string
  readonly bases: ReadonlyArray<readonly [string, { readonly text: string; readonly file: string }]>
  readonly scenarios?: string
}

/**
 * Runs checks: on the event loop ({@link onEventLoop}: the command line, tests), or on worker
 * threads (`threadedChecker`: a server, where a check that takes seconds must not hold up every
 * other request).
 */
export interface DefinitionChecker {
  check(input: CheckInput): Promise<DefinitionCheck>
  /**
   * The base a definition's text names in `extends`, read where checks run: finding a text's
   * bases reads the whole text as YAML, which for a text any party sends takes as long as
   * checking it.
   */
  extendsOf(text: string): Promise<string | undefined>
}

/** A definition to check, and optionally scenarios to run on it (their `process` is not read). */
export interface DefinitionCheckRequest {
  readonly definition: string
  readonly scenarios?: string
}

/** The file names problems are reported under. */
export const CHECKED_DEFINITION = 'definition.yaml'
export const CHECKED_SCENARIOS = 'scenarios.yaml'

/**
 * Checks a definition as registering it would, and runs scenarios on it, registering nothing.
 * Its bases (`extends`) are those the caller could build on: for those who register processes,
 * the public ones and those of `owner` (if given); for anyone else, the public ones and the
 * caller's own private ones, so a check never reveals another owner's process.
 * `base` pins the version `extends` derives from (a proposal's, as it was submitted).
 * @throws {EngineError} `request.invalid` at `/owner` when anyone else names another owner than itself.
 */
export async function checkDefinition(catalog: ProcessCatalog, request: DefinitionCheckRequest, by: Principal, owner?: ProcessOwner, base?: string): Promise<DefinitionCheck> {
  if (owner !== undefined && !may(by, 'register-processes') && (owner.role !== by.role || owner.subject !== by.subject)) {
    throw new EngineError('request.invalid', 'Only those who register processes check a definition as another owner would.',
      { fields: [{ pointer: '/owner', rule: 'const', message: `must be omitted, or name you (${by.role}:${by.subject}): your checks build on the public processes and your own` }] })
  }
  const decoded = decodeDefinition(new TextEncoder().encode(request.definition), CHECKED_DEFINITION)
  if (!decoded.ok) return { valid: false, problems: [located(decoded.problem)] }
  const as: ProcessOwner | null = may(by, 'register-processes') ? owner ?? null : { role: by.role, subject: by.subject }
  return catalog.checkText(decoded.text, CHECKED_DEFINITION, as, base, request.scenarios)
}

/**
 * Compiles a definition against the texts of its bases as registering it would, and runs the
 * scenarios on it when it compiles: the pure part of a check, which a {@link DefinitionChecker}
 * runs where it runs checks.
 */
export async function checkTexts({ text, file, bases, scenarios }: CheckInput): Promise<DefinitionCheck> {
  const byId = new Map(bases)
  const compiled = compileProcess(text, file, { base: (reference) => byId.get(reference.id) })
  if (!compiled.ok) return { valid: false, problems: compiled.errors.map(located) }
  const { process } = compiled
  return {
    valid: true, problems: [], process: shapeOf(process), diagram: toMermaid(process),
    ...(scenarios === undefined ? {} : { scenarios: await scenariosOf(process, scenarios) }),
  }
}

/** Checks on the event loop, one after another as they are awaited. */
export const onEventLoop: DefinitionChecker = { check: checkTexts, extendsOf: (text) => Promise.resolve(extendsOf(text)) }

/** A problem a check reported, as the error registering the definition would have thrown. */
export function definitionError({ code, message, location, hint }: LocatedProblem): DefinitionError {
  return new DefinitionError(code as DefinitionCode, message, location, hint)
}

async function scenariosOf(process: CompiledProcess, text: string): Promise<NonNullable<DefinitionCheck['scenarios']>> {
  const read = readScenarios(text, CHECKED_SCENARIOS)
  if (!read.ok) return { problems: read.problems.map(located), results: [] }
  const results = await runScenarios(process, read.file, read.source)
  return { problems: [], results: results.map((r) => ({ name: r.name, passed: r.problems.length === 0, problems: r.problems.map(located) })) }
}

function shapeOf(process: CompiledProcess): CheckedProcess {
  return {
    id: process.id, version: process.version, title: process.title, roles: process.roles,
    steps: [...process.steps.values()].map((step) => ({ id: step.id, title: step.title, actors: step.actors, actions: [...step.actions.keys()] })),
  }
}

function located(problem: DefinitionError | ScenarioError): LocatedProblem {
  const hint = 'hint' in problem ? problem.hint : undefined
  return { code: problem.code, message: problem.message, ...(hint ? { hint } : {}), location: problem.location }
}
