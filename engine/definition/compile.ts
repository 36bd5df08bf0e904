import type { DefinitionError } from '../errors.js'
import type { CompiledProcess } from './compiled.js'
import { CompileContext, sortProblems } from './context.js'
import type { ProcessDefinition } from './definition.js'
import { checkGraph } from './check-graph.js'
import { expressionNames } from './expression-names.js'
import { compileCalendars } from './compile-calendars.js'
import { compileValidity } from './compile-checks.js'
import { compileParameters } from './compile-parameters.js'
import { compileInputs, compileStep } from './compile-steps.js'
import { compileWindows, windowsByStep } from './compile-windows.js'
import { propertyEscapeBudget } from './escape-budget.js'
import { pointerOf } from './pointer.js'
import { checkTimeZone } from './quantities.js'
import { checkSchema } from './schema-check.js'
import { readSource } from './source.js'
import { closestName, suggest } from './suggest.js'
import { derive, parseBaseReference } from './derive.js'
import type { BaseReference } from './derive.js'
import type { StepDefinition } from './definition.js'

/** Most levels of `extends` followed; a longer chain is almost certainly a cycle. */
const MAX_DERIVATION = 8

/**
 * The definition to compile: the file's own, or, for a derived process, its base merged with it.
 * Problems of the derivation are reported on the derived file (`/extends` for inherited parts).
 */
function definitionOf(ctx: CompileContext, own: ProcessDefinition, resolver: BaseResolver | undefined): ProcessDefinition | undefined {
  if (own.extends === undefined) {
    own.steps.forEach((step: StepDefinition & { remove?: true; merge?: true; after?: string; before?: string }, index) => {
      for (const key of ['remove', 'merge', 'after', 'before'] as const) {
        if (step[key] !== undefined) ctx.report('definition.derivation', pointerOf('steps', index, key), `\`${key}\` only applies in a process that \`extends\` another.`, 'Add `extends: BASE`, or remove it.')
      }
    })
    return ctx.problems.length > 0 ? undefined : own
  }
  const base = baseDefinition(own.extends, resolver, 0)
  if (typeof base === 'string') {
    ctx.report('definition.unknown-base', '/extends', base, 'Register the base process first; write ID or ID@VERSION.')
    return undefined
  }
  const merged = derive(base, own as ProcessDefinition & { extends: string })
  for (const problem of merged.problems) ctx.report(problem.code ?? 'definition.derivation', problem.pointer, problem.message, problem.hint)
  ctx.locateThrough((pointer) => merged.origin(pointer) ?? '/extends')
  return merged.problems.length > 0 ? undefined : merged.definition
}

/** The fully merged definition of a base process, or why it cannot be had. */
function baseDefinition(reference: string, resolver: BaseResolver | undefined, depth: number): ProcessDefinition | string {
  if (depth >= MAX_DERIVATION) return `The chain of \`extends\` from "${reference}" is longer than ${MAX_DERIVATION}; is it a cycle?`
  const found = resolver?.(parseBaseReference(reference))
  if (!found) return `There is no registered process "${reference}" to extend.`
  const source = readSource(found.text, found.file)
  const value = source.value as ProcessDefinition | undefined
  if (source.problems.length > 0 || !value) return `The base process "${reference}" cannot be read.`
  if (value.extends === undefined) return value
  const base = baseDefinition(value.extends, resolver, depth + 1)
  return typeof base === 'string' ? base : derive(base, value as ProcessDefinition & { extends: string }).definition
}

/** Finds the text of a registered process that a derived one extends. */
export type BaseResolver = (reference: BaseReference) => { readonly text: string; readonly file: string } | undefined

export interface CompileOptions {
  /** Where `extends` finds its base; without it, a derived process cannot compile. */
  readonly base?: BaseResolver
}

/** The outcome of compiling a definition: the executable process, or every problem found. */
export type CompileResult =
  | { readonly ok: true; readonly process: CompiledProcess }
  | { readonly ok: false; readonly errors: readonly DefinitionError[] }

/**
 * Parses, validates and compiles a process definition written in YAML. Never throws on bad
 * input: every problem comes back located (`file:line:column`), sorted by position. YAML and
 * schema problems are reported first; the semantic checks run once the shape is right.
 *
 * @example
 * const result = compileProcess(readFileSync('processes/basic.yaml', 'utf8'), 'processes/basic.yaml')
 * if (!result.ok) for (const e of result.errors) console.error(String(e))
 */
export function compileProcess(text: string, file: string, options: CompileOptions = {}): CompileResult {
  const source = readSource(text, file)
  if (source.problems.length > 0) return { ok: false, errors: sortProblems(source.problems) }
  const schemaProblems = checkSchema(source)
  if (schemaProblems.length > 0) return { ok: false, errors: sortProblems(schemaProblems) }
  const escapes = propertyEscapeBudget(source)
  if (escapes) return { ok: false, errors: [escapes] }

  const ctx = new CompileContext(source)
  const def = definitionOf(ctx, source.value as ProcessDefinition, options.base)
  if (!def) return { ok: false, errors: ctx.problems }
  const timeZone = def.timeZone ?? 'UTC'
  const zoneProblem = checkTimeZone(timeZone)
  if (zoneProblem) {
    const meant = closestName(timeZone, Intl.supportedValuesOf('timeZone'))
    ctx.report('definition.time-zone', '/timeZone', zoneProblem, meant ? `Did you mean "${meant}"?` : 'Use an IANA name such as UTC, Asia/Shanghai or Europe/Berlin.')
  }

  const stepIds = def.steps.map((step) => step.id)
  def.steps.forEach((step, index) => {
    const first = stepIds.indexOf(step.id)
    if (first !== index) {
      ctx.report('definition.duplicate-step', pointerOf('steps', index, 'id'), `Step id "${step.id}" is already used by step ${first + 1}.`, 'Give each step its own id.')
    }
  })
  const parameters = compileParameters(ctx, def.parameters ?? {})
  const calendars = compileCalendars(ctx, def.calendars ?? {}, timeZone)
  const windows = compileWindows(ctx, def.windows ?? [], stepIds, { parameters, calendars, timeZone })
  const scope = { roles: def.roles, stepIds, parameters, calendars, timeZone, windowsByStep: windowsByStep(def.windows ?? []), expressionNames: expressionNames(def) }
  const steps = new Map(def.steps.map((step, index) => [step.id, compileStep(ctx, scope, step, index)] as const))

  const process: CompiledProcess = {
    id: def.id,
    version: def.version,
    title: def.title,
    description: def.description,
    timeZone,
    roles: def.roles,
    startedBy: startersOf(ctx, def),
    unique: (def.unique ?? []).map((entry) => ({ value: entry.value, title: entry.title ?? entry.value, keptAfter: entry.keptAfter ?? [] })),
    parameters,
    context: compileInputs(ctx, def.context ?? { type: 'object', additionalProperties: true }, '/context', 'definition.context-schema'),
    initialStep: stepIds[0] as string,
    steps,
    windows,
    validity: compileValidity(ctx, scope, def.validity),
    source: text,
  }
  checkUnique(ctx, process)
  checkGraph(ctx, process, def.steps)
  return ctx.problems.length > 0 ? { ok: false, errors: ctx.problems } : { ok: true, process }
}

/** The roles every process has besides its own. */
const BUILT_IN_ROLES: readonly string[] = ['admin', 'system']

/** The roles `startedBy` names, each a party role of the process, `admin` or `system` (`definition.unknown-role` otherwise). */
function startersOf(ctx: CompileContext, def: ProcessDefinition): readonly string[] {
  const starters = def.startedBy ?? []
  starters.forEach((role, i) => {
    if (!BUILT_IN_ROLES.includes(role) && !def.roles.includes(role)) {
      ctx.report('definition.unknown-role', pointerOf('startedBy', i), `"${role}" may not start this process: it is not one of its roles.`,
        `${suggest(role, [...def.roles], 'roles')} Name a role of the process, \`admin\` or \`system\`.`)
    }
  })
  return starters
}

/**
 * Checks each `unique` entry: its value is recorded by an action a person performs (a value the
 * system records on a timeout could not be refused), and its `keptAfter` outcomes are ends of the
 * process (`definition.unique`).
 */
function checkUnique(ctx: CompileContext, process: CompiledProcess): void {
  const actions = [...process.steps.values()].flatMap((step) => [...step.actions.values()].map((action) => ({ step, action })))
  const recorders = (name: string) => actions.filter(({ action }) => action.record.some(([recorded]) => recorded === name))
  const outcomes = new Set(actions.flatMap(({ action }) => [action.target, ...(action.rounds ? [action.rounds.then] : [])])
    // A step is skipped (to its `otherwise`) only where it has a `when`.
    .concat([...process.steps.values()].filter((step) => step.when !== undefined).map((step) => step.otherwise), [...process.windows.values()].map((window) => window.onExpiry))
    .flatMap((target) => (target.kind === 'end' ? [target.outcome] : [])))
  const listed = new Map<string, number>()
  process.unique.forEach((entry, i) => {
    const first = listed.get(entry.value)
    if (first !== undefined) {
      // Kept twice, a value would be held twice by the one delivery recording it, which would then refuse itself.
      ctx.report('definition.unique', pointerOf('unique', i, 'value'), `"${entry.value}" is listed already, as entry ${first + 1} of \`unique\`.`, 'List each value once.')
      return
    }
    listed.set(entry.value, i)
    const by = recorders(entry.value)
    if (by.length === 0) {
      const recorded = [...new Set(actions.flatMap(({ action }) => action.record.map(([name]) => name)))]
      ctx.report('definition.unique', pointerOf('unique', i, 'value'), `No action records "${entry.value}", so no instance would ever hold it.`,
        `${suggest(entry.value, recorded, 'recorded values')} Record it with \`record:\` in the action that sets it.`)
    }
    for (const { step, action } of by) {
      if (step.timeout?.action === action.id) {
        ctx.report('definition.unique', pointerOf('unique', i, 'value'), `"${entry.value}" is recorded by "${action.id}" of step "${step.id}", which its timeout performs: the system's action cannot be refused when another instance holds the value.`,
          'Record the value in an action a person performs.')
      }
    }
    entry.keptAfter.forEach((outcome, j) => {
      if (!outcomes.has(outcome)) {
        ctx.report('definition.unique', pointerOf('unique', i, 'keptAfter', j), `"${outcome}" is not an outcome of this process.`,
          `${suggest(outcome, [...outcomes], 'outcomes')} List outcomes that an \`end\` names.`)
      }
    })
  })
}
