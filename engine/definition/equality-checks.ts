import { argumentOf, argumentWords, literalType, PARAMETER_JSON } from './argument-types.js'
import type { AstNode, Focus } from './expression-ast.js'
import { readNames } from './expression-ast.js'
import type { DeclaredNames, ExpressionNames } from './expression-names.js'
import { suggest } from './suggest.js'
import { typeWords } from './type-words.js'

/** A problem of an expression: `key` tells it from others at the same expression (one report each). */
export interface ExpressionProblem {
  readonly key: string
  readonly message: string
  readonly hint: string
}

/**
 * Why `=` or `!=` (`node`) is always false, or with `!=` always true, or undefined when it may
 * hold: a declared field against a literal it never holds (a value of another type,
 * `context.renewal = "false"`; one outside its `enum`; an action a step does not have,
 * `data.review.action = "rejected"`), or two fields or parameters declared with types no value
 * shares (`context.renewal = inputs.comment`). `inputs`: those of the action, in a `record` or check.
 */
export function equalityProblem(node: AstNode, focus: Focus, names: ExpressionNames, inputs: DeclaredNames | undefined): ExpressionProblem | undefined {
  const sides = [node.lhs, node.rhs].filter((side): side is AstNode => side !== undefined && !Array.isArray(side))
  if (sides.length !== 2) return undefined
  const literal = sides.find((side) => literalType(side) !== undefined)
  const always = node.value === '=' ? 'never true' : 'always true'
  if (!literal) {
    const [left, right] = sides.map((side) => argumentOf(side, focus, names, inputs))
    if (left?.field === undefined || right?.field === undefined || left.type === undefined || right.type === undefined || left.type === right.type) return undefined
    const written = `${left.field} ${String(node.value)} ${right.field}`
    return {
      key: `equality:${written}`,
      message: `\`${written}\` is ${always}: ${argumentWords([left])} and ${argumentWords([right])} are never equal.`,
      hint: 'Compare fields of one type, or convert one of them ($string(...), $number(...)).',
    }
  }
  const path = sides.find((side) => side.type === 'path')
  const read = path && readNames(path, focus)
  if (!read) return undefined
  const [root, name, field] = read
  const value = literal.value
  const written = `${read.join('.')} ${String(node.value)} ${JSON.stringify(value)}`
  if (root === 'data' && name !== undefined && field === 'action' && read.length === 3) {
    const actions = names.stepActions.get(name)
    if (!actions || (typeof value === 'string' && actions.includes(value))) return undefined
    return { key: `equality:${written}`, message: `\`${written}\` is ${always}: step "${name}" has no action ${JSON.stringify(value)}.`, hint: suggest(String(value), actions, 'actions') }
  }
  if (name === undefined || read.length !== 2) return undefined
  const fields = root === 'context' ? names.context?.fields : root === 'inputs' ? inputs?.fields : undefined
  // A parameter has the JSON type of its own type, and always a value.
  const parameter = root === 'parameters' ? PARAMETER_JSON[names.parameterTypes.get(name) ?? ''] : undefined
  const schema = (parameter === undefined ? fields?.[name] : { type: parameter }) as { readonly type?: unknown; readonly enum?: unknown; readonly const?: unknown } | undefined
  if (!schema) return undefined
  const only = schema.const
  if ('const' in schema && (typeof only !== 'object' || only === null) && only !== value) {
    return { key: `equality:${written}`, message: `\`${written}\` is ${always}: ${root}.${name} is always ${JSON.stringify(only)} where given.`, hint: `Compare it with ${JSON.stringify(only)}, or test that it is given: $exists(${root}.${name}).` }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => allowed === value)) {
    return {
      key: `equality:${written}`,
      message: `\`${written}\` is ${always}: ${root}.${name} is one of ${schema.enum.map((allowed) => JSON.stringify(allowed)).join(', ')}.`,
      hint: `Compare it with one of them.${typeof value === 'string' ? ` ${suggest(value, schema.enum.filter((v): v is string => typeof v === 'string'), 'values')}` : ''}`,
    }
  }
  const types = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type.map(String) : undefined
  const of = value === null ? 'null' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value
  if (types === undefined || types.includes(of) || (of === 'integer' && types.includes('number'))) return undefined
  return {
    key: `equality:${written}`,
    message: `\`${written}\` is ${always}: ${root}.${name} is ${types.map((type) => typeWords(type, 'one')).join(' or ')}, never ${typeWords(of, 'one')}.`,
    hint: value === null ? `To test that it is not given, write $not($exists(${root}.${name})).`
      : typeof value === 'string' && ['true', 'false'].includes(value) ? `Write ${value} without quotes: ${root}.${name} = ${value}.`
        : `Compare it with ${types.map((type) => typeWords(type, 'one')).join(' or ')}.`,
  }
}
