import { Temporal } from 'temporal-polyfill'
import type { AstNode } from './expression-ast.js'
import { parseExpression, readNames } from './expression-ast.js'
import { isTrue } from './expression-limits.js'
import type { DeclaredNames, ExpressionNames } from './expression-names.js'
import { argumentOf } from './argument-types.js'
import { typeWords } from './type-words.js'

// What an expression that reads nothing comes to, read from its syntax without running it: the
// conditions that can never hold, and the bounds that are never instants.

/** Operators whose result is a number, and those whose result is true or false. */
const ARITHMETIC = new Set(['+', '-', '*', '/', '%'])
const LOGICAL = new Set(['=', '!=', '<', '<=', '>', '>=', 'and', 'or', 'in'])

/**
 * Why a bound (a check's `notBefore` or `notAfter`, a validity's `from` or `until`) can never give
 * an instant, or undefined: a constant that is not an RFC 3339 instant (`"42"`, `42`), a
 * parameter or a context field (or one of the action's `inputs`) of another type
 * (`parameters.maxSeats`, an integer) or of a format no instant has, a call that gives another
 * type (`$millis()`), arithmetic or a comparison. Evaluated, such a bound fails every time
 * (`expression.failed`).
 */
export function neverAnInstant(text: string, names: ExpressionNames, inputs?: DeclaredNames): string | undefined {
  const ast = parseExpression(text)
  if (!ast) return undefined
  const constant = constantValue(ast)
  if (constant !== undefined) {
    const { value } = constant
    if (value === undefined || value === null) return undefined
    if (typeof value === 'string') {
      try {
        Temporal.Instant.from(value)
        return undefined
      } catch {
        return `it is the text ${JSON.stringify(value).slice(0, 100)}, not an RFC 3339 instant`
      }
    }
    return `it is ${typeWords(Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'object' ? 'object' : typeof value, 'one')}, not an instant`
  }
  if (ast.type === 'binary' && ARITHMETIC.has(String(ast.value))) return `it is arithmetic (\`${String(ast.value)}\`), which gives a number, not an instant`
  if (ast.type === 'binary' && LOGICAL.has(String(ast.value))) return `it is a comparison (\`${String(ast.value)}\`), which gives true or false, not an instant`
  const read = ast.type === 'path' ? readNames(ast, 'root') : undefined
  const [root, name] = read ?? []
  if (read?.length !== 2 || name === undefined) {
    // A call of a built-in that gives a number, or true or false (`$millis()`, `$toMillis($now())`).
    const known = argumentOf(ast, 'root', names, inputs)
    return known.call !== undefined && known.type !== 's' ? `\`${known.call}\` gives ${typeWords(known.json ?? '', 'one')}, not an instant` : undefined
  }
  if (root === 'inputs') {
    const known = argumentOf(ast, 'root', names, inputs)
    return known.field !== undefined && known.type !== 's' ? `\`${known.field}\` is ${typeWords(known.json ?? '', 'one')}, not an instant` : undefined
  }
  const type = root === 'parameters' ? names.parameterTypes.get(name) : undefined
  if (type !== undefined && type !== 'date-time' && type !== 'string') return `\`parameters.${name}\` is a parameter of type ${type}, not an instant`
  const field = root === 'context' ? names.context?.fields?.[name] as { readonly type?: unknown } | undefined : undefined
  const types = typeof field?.type === 'string' ? [field.type] : Array.isArray(field?.type) ? field.type.map(String) : undefined
  if (types !== undefined && !types.includes('string')) return `\`context.${name}\` is ${types.map((t) => typeWords(t, 'one')).join(' or ')}, not an instant`
  const format = (field as { readonly format?: unknown } | undefined)?.format
  if (typeof format === 'string' && NEVER_INSTANTS.has(format)) return `\`context.${name}\` is a text of \`format: ${format}\`, never an RFC 3339 instant`
  return undefined
}

/** The formats (ajv-formats') no text of which is an RFC 3339 instant: a date alone (2026-01-15), a time alone, an address, a name, a number of its own form. */
const NEVER_INSTANTS: ReadonlySet<string> = new Set(['date', 'time', 'iso-time', 'duration', 'email', 'idn-email', 'hostname', 'idn-hostname', 'ipv4', 'ipv6', 'uuid', 'uri', 'json-pointer', 'relative-json-pointer'])

/**
 * Whether `text` is a condition that can never hold, reading nothing that could make it (`false`,
 * `[]`, `1 = 2`): a `require` rule's `that` or a check's `assert` refusing every act.
 */
export function neverHolds(text: string): boolean {
  const ast = parseExpression(text)
  const constant = ast && constantValue(ast)
  return constant !== undefined && !isTrue(constant.value)
}

/**
 * The value of an expression that reads nothing (no name, variable or function): literals, `[...]`,
 * `{}`, `(...)`, a minus, comparisons, `and`, `or` and `? :` between them. Undefined when it reads
 * something, or is not of these; `{ value: undefined }` for JSONata's nothing (`()`).
 */
export function constantValue(ast: AstNode): { value: unknown } | undefined {
  const all = (nodes: readonly AstNode[] | undefined): unknown[] | undefined => {
    const values: unknown[] = []
    for (const node of nodes ?? []) {
      const constant = constantValue(node)
      if (constant === undefined) return undefined
      values.push(constant.value)
    }
    return values
  }
  switch (ast.type) {
    case 'value': case 'number': case 'string': return { value: ast.value }
    case 'block': {
      const values = all(ast.expressions)
      return values && { value: values.at(-1) }
    }
    case 'unary': {
      if (ast.value === '[') {
        const values = all(ast.expressions)
        return values && { value: values }
      }
      if (ast.value === '{' && Array.isArray(ast.lhs) && ast.lhs.length === 0) return { value: {} }
      const operand = ast.value === '-' && ast.expression ? constantValue(ast.expression) : undefined
      return operand && typeof operand.value === 'number' ? { value: -operand.value } : undefined
    }
    case 'condition': {
      const condition = ast.condition && constantValue(ast.condition)
      if (!condition) return undefined
      const branch = isTrue(condition.value) ? ast.then : ast.else
      return branch === undefined ? { value: undefined } : constantValue(branch)
    }
    case 'binary': {
      const [lhs, rhs] = [ast.lhs, ast.rhs].map((side) => (side && !Array.isArray(side) ? constantValue(side as AstNode) : undefined))
      if (!lhs || !rhs) return undefined
      const [a, b] = [lhs.value, rhs.value]
      const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')
      switch (ast.value) {
        case 'and': return { value: isTrue(a) && isTrue(b) }
        case 'or': return { value: isTrue(a) || isTrue(b) }
        case '=': case '!=': {
          if (!['string', 'number', 'boolean'].includes(typeof a) || !['string', 'number', 'boolean'].includes(typeof b)) return undefined
          return { value: (a === b) === (ast.value === '=') }
        }
        case '<': return comparable ? { value: (a as number) < (b as number) } : undefined
        case '<=': return comparable ? { value: (a as number) <= (b as number) } : undefined
        case '>': return comparable ? { value: (a as number) > (b as number) } : undefined
        case '>=': return comparable ? { value: (a as number) >= (b as number) } : undefined
        default: return undefined
      }
    }
    default: return undefined
  }
}
