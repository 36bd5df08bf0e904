import type { DefinitionError } from '../errors.js'
import type { CompiledProcess } from './compiled.js'
import { CompileContext, sortProblems } from './context.js'
import type { ProcessDefinition } from './definition.js'
import { checkGraph } from './check-graph.js'
import { compileCalendars } from './compile-calendars.js'
import { compileParameters } from './compile-parameters.js'
import { compileInputs, compileStep } from './compile-steps.js'
import { compileWindows, windowsByStep } from './compile-windows.js'
import { pointerOf } from './pointer.js'
import { checkTimeZone } from './quantities.js'
import { checkSchema } from './schema-check.js'
import { readSource } from './source.js'

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
export function compileProcess(text: string, file: string): CompileResult {
  const source = readSource(text, file)
  if (source.problems.length > 0) return { ok: false, errors: sortProblems(source.problems) }
  const schemaProblems = checkSchema(source)
  if (schemaProblems.length > 0) return { ok: false, errors: sortProblems(schemaProblems) }

  const def = source.value as ProcessDefinition
  const ctx = new CompileContext(source)
  const timeZone = def.timeZone ?? 'UTC'
  const zoneProblem = checkTimeZone(timeZone)
  if (zoneProblem) ctx.report('definition.time-zone', '/timeZone', zoneProblem, 'Use an IANA name such as UTC, Asia/Shanghai or Europe/Berlin.')

  const stepIds = def.steps.map((step) => step.id)
  def.steps.forEach((step, index) => {
    const first = stepIds.indexOf(step.id)
    if (first !== index) {
      ctx.report('definition.duplicate-step', pointerOf('steps', index, 'id'), `Step id "${step.id}" is already used by step ${first + 1}.`, 'Give each step its own id.')
    }
  })
  const parameters = compileParameters(ctx, def.parameters ?? {})
  const calendars = compileCalendars(ctx, def.calendars ?? {}, timeZone)
  const windows = compileWindows(ctx, def.windows ?? [], stepIds, { parameters, calendars })
  const scope = { roles: def.roles, stepIds, parameters, calendars, timeZone, windowsByStep: windowsByStep(def.windows ?? []) }
  const steps = new Map(def.steps.map((step, index) => [step.id, compileStep(ctx, scope, step, index)] as const))

  const process: CompiledProcess = {
    id: def.id,
    version: def.version,
    title: def.title,
    description: def.description,
    timeZone,
    roles: def.roles,
    parameters,
    context: compileInputs(ctx, def.context ?? { type: 'object', additionalProperties: true }, '/context', 'definition.context-schema'),
    initialStep: stepIds[0] as string,
    steps,
    windows,
    source: text,
  }
  checkGraph(ctx, process, stepIds)
  return ctx.problems.length > 0 ? { ok: false, errors: ctx.problems } : { ok: true, process }
}
