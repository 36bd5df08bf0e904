import { Temporal } from 'temporal-polyfill'
import type { CompiledAction, CompiledCheck } from '../definition/compiled.js'
import type { Budget } from '../definition/expression-limits.js'
import { ExpressionFailure } from '../definition/expression.js'
import type { CompiledExpression } from '../definition/expression.js'
import type { FieldProblem } from '../errors.js'
import type { InstanceState } from './state.js'
import { expressionInput } from './transitions.js'

/**
 * The problems of an action's inputs under its `checks` (inputs that already match their schema),
 * each at `/inputs` plus the check's `input`; a check whose input is absent does not apply.
 * Pure: `at` is the instant of the action (`$now()`).
 * @throws {ExpressionFailure} when a bound does not evaluate to an instant (the definition's fault).
 */
export async function checkInputs(action: CompiledAction, state: InstanceState, inputs: unknown, at: string, budget: Budget): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = []
  for (const check of action.checks) {
    const value = valueAt(inputs, check.path)
    if (value === undefined) continue
    const problem = await checkOne(check, value, expressionInput(state, inputs), at, budget)
    if (problem) problems.push({ pointer: `/inputs${check.input}`, rule: problem.rule, message: check.description ? `${problem.message}. ${check.description}` : problem.message })
  }
  return problems
}

async function checkOne(check: CompiledCheck, value: unknown, input: Record<string, unknown>, at: string, budget: Budget): Promise<Omit<FieldProblem, 'pointer'> | undefined> {
  if (check.notBefore || check.notAfter) {
    // The input's schema says what it is; a bound on a value that is not an instant is refused as one.
    const given = typeof value === 'string' ? instantOf(value) : undefined
    if (!given) return { rule: 'format', message: 'must be an RFC 3339 instant, such as 2026-01-15T09:00:00Z' }
    const earliest = check.notBefore && await boundOf(check.notBefore, input, at, budget)
    if (earliest && Temporal.Instant.compare(given, earliest) < 0) {
      return { rule: 'notBefore', message: `must not be before ${isoOf(earliest)} (${named(check.notBefore)})` }
    }
    const latest = check.notAfter && await boundOf(check.notAfter, input, at, budget)
    if (latest && Temporal.Instant.compare(given, latest) > 0) {
      return { rule: 'notAfter', message: `must not be after ${isoOf(latest)} (${named(check.notAfter)})` }
    }
  }
  if (check.assert && await check.assert.evaluate(input, at, budget) !== true) {
    return { rule: 'assert', message: check.message ?? `must satisfy ${check.assert.text}` }
  }
  return undefined
}

/** A bound's instant; undefined when the expression gives nothing (no bound applies). */
async function boundOf(expression: CompiledExpression, input: Record<string, unknown>, at: string, budget: Budget): Promise<Temporal.Instant | undefined> {
  const value = await expression.evaluate(input, at, budget)
  if (value === undefined || value === null) return undefined
  const bound = typeof value === 'string' ? instantOf(value) : undefined
  if (!bound) throw new ExpressionFailure(expression.place, `it gave ${JSON.stringify(value).slice(0, 100)}, not an RFC 3339 instant`)
  return bound
}

/** A bound as its expression, `$now()` in words. */
function named(expression: CompiledExpression | undefined): string {
  const text = expression?.text.trim() ?? ''
  return text === '$now()' ? 'now, the time of this action' : text
}

function instantOf(text: string): Temporal.Instant | undefined {
  try {
    return Temporal.Instant.from(text)
  } catch {
    return undefined
  }
}

function isoOf(instant: Temporal.Instant): string {
  return instant.toString({ fractionalSecondDigits: 3, smallestUnit: 'millisecond' })
}

/** The value at `path` within `inputs`, or undefined when some part of it is absent. */
function valueAt(inputs: unknown, path: readonly string[]): unknown {
  let value = inputs
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Readonly<Record<string, unknown>>)[segment]
  }
  return value
}
