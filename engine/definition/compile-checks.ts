import type { CompiledCheck, CompiledValidity } from './compiled.js'
import type { CompileContext } from './context.js'
import type { InputCheckDefinition, JsonSchema, ValidityDefinition } from './definition.js'
import { expressionAt } from './compile-expression.js'
import { neverAnInstant, neverHolds } from './constant-expressions.js'
import type { ExpressionScope } from './compile-expression.js'
import { declaredNames } from './expression-names.js'
import type { DeclaredNames } from './expression-names.js'
import { parsePointer } from './pointer.js'
import { suggest } from './suggest.js'
import { typeWords } from './type-words.js'

/**
 * Compiles an action's `checks`: each expression compiled and checked against the process (it
 * sees the action's `inputs` as a `record` does), and each `input` pointer checked against the
 * action's input schema (`definition.check-input` when it names an input the schema cannot hold).
 */
export function compileChecks(
  ctx: CompileContext, scope: ExpressionScope, checks: readonly InputCheckDefinition[], inputs: JsonSchema, action: string, at: (...path: ReadonlyArray<string | number>) => string,
): CompiledCheck[] {
  const site = { kind: 'record', action, inputs: declaredNames(inputs) } as const
  return checks.map((check, index) => {
    const path = parsePointer(check.input)
    const target = checkInputPath(ctx, inputs, path, action, at('checks', index, 'input'), 'this check')
    if ((check.notBefore !== undefined || check.notAfter !== undefined) && target && !holdsInstants(target)) {
      ctx.report('definition.check-input', at('checks', index, 'input'),
        `Input "${check.input}" is not declared as an instant: notBefore and notAfter compare instants, so every act giving it would be refused.`,
        'Declare it as { type: string, format: date-time }, or compare it in an `assert` instead.')
    }
    const expression = (key: 'notBefore' | 'notAfter' | 'assert') => {
      const text = check[key]
      if (text === undefined) return undefined
      const compiled = expressionAt(ctx, scope, text, at('checks', index, key), site)
      const notInstant = compiled && key !== 'assert' ? neverAnInstant(text, scope.expressionNames, site.inputs) : undefined
      if (notInstant) {
        ctx.report('definition.expression', at('checks', index, key), `This bound is never an instant: ${notInstant}, and \`${key}\` compares instants, so every "${action}" that gives ${check.input} would fail.`,
          'Give an instant: $now(), an RFC 3339 text such as "2026-01-01T00:00:00Z", a date-time parameter or field, or $addDuration() of one.')
      }
      if (compiled && key === 'assert' && neverHolds(text)) {
        ctx.report('definition.expression', at('checks', index, key), `This check's \`assert\` is always false (it reads nothing that could make it true): every "${action}" that gives ${check.input} would be refused.`,
          'Write the condition the input must meet (e.g. inputs.seats <= parameters.maxSeats), or remove the check.')
      }
      return compiled
    }
    return { input: check.input, path, notBefore: expression('notBefore'), notAfter: expression('notAfter'), assert: expression('assert'), message: check.message, description: check.description }
  })
}

/**
 * Reports `definition.check-input` when some segment of `path` (read by `what`: a check, a rule) is a property the input schema
 * declares no room for. Returns the schema of the input the path names, when every segment is a
 * declared property (undefined where composition or an open object leaves it unknown).
 */
export function checkInputPath(ctx: CompileContext, inputs: JsonSchema, path: readonly string[], action: string, pointer: string, what: string): JsonSchema | undefined {
  let schema: JsonSchema | undefined = inputs
  for (const [depth, segment] of path.entries()) {
    // A value of a type that holds no fields (a text, a number) has nothing under it; a list only its items, by number.
    const types = typeof schema?.['type'] === 'string' ? [schema['type']] : Array.isArray(schema?.['type']) ? (schema['type'] as unknown[]).map(String) : undefined
    if (depth > 0 && types !== undefined && !types.includes('object') && !(types.includes('array') && /^(0|[1-9]\d*)$/.test(segment))) {
      ctx.report('definition.check-input', pointer, `/${path.slice(0, depth).join('/')} is ${types.map((type) => typeWords(type, 'one')).join(' or ')}, which holds no "${segment}" for ${what} to apply to.`,
        types.includes('array') ? 'Name an item of the list by its number, e.g. /slots/0.' : `Point ${what} at /${path.slice(0, depth).join('/')} itself.`)
      return undefined
    }
    if (depth > 0 && types?.includes('array') && !types.includes('object')) {
      // An item, checked as the list's `items` says (a list of texts holds no fields under /tags/0).
      const items = schema?.['items']
      if (types.length !== 1 || typeof items !== 'object' || items === null || Array.isArray(items) || 'prefixItems' in (schema ?? {})) return undefined
      schema = items as JsonSchema
      continue
    }
    const names: DeclaredNames | undefined = declaredNames(schema)
    // Where composition or an open object leaves the names unknown, any input may be sent.
    if (!names || !names.closed) return undefined
    if (!names.names.includes(segment)) {
      const where = depth === 0 ? `the inputs of action "${action}"` : `/${path.slice(0, depth).join('/')}`
      ctx.report('definition.check-input', pointer, `There is no input "${segment}" in ${where} for ${what} to apply to.`,
        names.names.length === 0 ? 'Declare the input under the action\'s `inputs` first.' : suggest(segment, names.names, 'inputs'))
      return undefined
    }
    const properties = schema?.['properties'] as Readonly<Record<string, unknown>> | undefined
    const next = properties?.[segment]
    schema = typeof next === 'object' && next !== null && !Array.isArray(next) ? next as JsonSchema : undefined
  }
  return schema
}

/** Whether an input of `schema` can be an instant: a date-time string, or a schema that says nothing of its type or format. */
function holdsInstants(schema: JsonSchema): boolean {
  const { type, format } = schema
  if (type === undefined && format === undefined) return true
  const text = type === undefined || type === 'string' || (Array.isArray(type) && type.includes('string'))
  return text && format === 'date-time'
}

/** Compiles the process's `validity`: its two expressions, which see the instance (not inputs). */
export function compileValidity(ctx: CompileContext, scope: ExpressionScope, validity: ValidityDefinition | undefined): CompiledValidity | undefined {
  if (!validity) return undefined
  const from = expressionAt(ctx, scope, validity.from, '/validity/from', { kind: 'validity' })
  const until = validity.until === undefined ? undefined : expressionAt(ctx, scope, validity.until, '/validity/until', { kind: 'validity' })
  for (const [key, text, compiled] of [['from', validity.from, from], ['until', validity.until, until]] as const) {
    const notInstant = compiled && text !== undefined ? neverAnInstant(text, scope.expressionNames) : undefined
    if (notInstant) {
      ctx.report('definition.expression', `/validity/${key}`, `The validity's \`${key}\` is never an instant: ${notInstant}, so reading the validity of any delivery would fail.`,
        'Give an instant: a recorded value, a date-time field, or $addDuration() of one.')
    }
  }
  return from && (validity.until === undefined || until) ? { from, until } : undefined
}
