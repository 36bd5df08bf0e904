import type { AstNode, Focus } from './expression-ast.js'
import { readNames } from './expression-ast.js'
import { BUILT_IN_SIGNATURES, ENGINE_SIGNATURES, REFUSED_FUNCTIONS, resultOf } from './expression-functions.js'
import type { LiteralType } from './expression-functions.js'
import type { DeclaredNames, ExpressionNames } from './expression-names.js'
import { typeWords } from './type-words.js'

/**
 * What the check knows of an argument of a call before it runs: the type letter of JSONata's
 * signatures (`s`, `n`, `b`, `l`, `o`, `a`) and the JSON type it stands for, for a literal (`'a'`, `2`,
 * `true`, `null`) or a declared scalar, mapping or list field or parameter (`context.seats`, read whole), which
 * holds that type whenever it is given; nothing (`type` undefined) for any other expression.
 */
export interface Argument {
  readonly type: LiteralType
  /** The JSON type, for a literal or a field: `string`, `integer`, `number`, `boolean`, `null`, `object` or `array`. */
  readonly json?: string
  /** The field or parameter read, as written (`context.seats`). */
  readonly field?: string
  /** A call of a built-in function whose result is always of `type`, as written (`$now()`, `$string(1)`). */
  readonly call?: string
  /** For a list: the type letter of every item it holds, where one is known (`["a", "b"]`, a field declared with `items: { type: string }`). */
  readonly items?: Exclude<LiteralType, undefined>
}

/** An argument only running the expression tells the type of. */
export const UNKNOWN: Argument = { type: undefined }

/** The type letter of each JSON type a field may be declared with. */
const LETTERS: Readonly<Record<string, Exclude<LiteralType, undefined>>> = { string: 's', number: 'n', integer: 'n', boolean: 'b', null: 'l', object: 'o', array: 'a' }
/** The JSON type of each kind of literal. */
const LITERAL_JSON: Readonly<Record<Exclude<LiteralType, undefined>, string>> = { s: 'string', n: 'number', b: 'boolean', l: 'null', o: 'object', a: 'array' }
/** The JSON type a parameter of each type holds (a duration and an instant are texts). */
export const PARAMETER_JSON: Readonly<Record<string, string>> = { string: 'string', duration: 'string', 'date-time': 'string', integer: 'integer', number: 'number', boolean: 'boolean' }

/** The type of a literal argument (`'a'`, `2`, `true`, `null`), or undefined when only running the expression tells. */
export function literalType(node: AstNode): LiteralType {
  if (node.type === 'string') return 's'
  if (node.type === 'number') return 'n'
  if (node.type === 'value') return node.value === null ? 'l' : typeof node.value === 'boolean' ? 'b' : undefined
  return undefined
}

/**
 * What `node`, an argument, is known to hold: a literal's type, or the one type a field of the
 * context, of the action's `inputs` or a parameter is declared with (a field whose schema admits
 * several types, or none said, is unknown). A field not given is nothing, which every function
 * takes; a field given holds its type, as its schema was checked.
 */
export function argumentOf(node: AstNode, focus: Focus, names: ExpressionNames, inputs: DeclaredNames | undefined, bound: ReadonlySet<string> = new Set()): Argument {
  const literal = literalType(node)
  if (literal !== undefined) return { type: literal, json: LITERAL_JSON[literal] }
  // A list written out, of literals of one type: `["a", "b"]`.
  if (node.type === 'unary' && node.value === '[') {
    const items = new Set((node.expressions ?? []).map(literalType))
    const [item] = items
    return items.size === 1 && item !== undefined ? { type: 'a', json: 'array', items: item } : UNKNOWN
  }
  const call = callOf(node, bound)
  if (call !== undefined) return call
  // Read whole, from the instance: `context.seats`, `$$.context.seats`, or `$.context.seats` where `$` is the instance.
  const steps = node.steps ?? []
  const rooted = steps[0]?.type === 'variable' ? 1 : 0
  const plain = node.type === 'path' && steps.every((step, i) => (i < rooted || step.type === 'name') && !step.stages && !step.predicate && !step.group && !step.focus && !step.index)
  const read = plain ? readNames(node, focus) : undefined
  if (read?.length !== 2 || read.length !== steps.length - rooted) return UNKNOWN
  const [root, name] = read as [string, string]
  const json = root === 'parameters' ? PARAMETER_JSON[names.parameterTypes.get(name) ?? '']
    : schemaType((root === 'context' ? names.context : root === 'inputs' ? inputs : undefined)?.fields?.[name])
  const type = json === undefined ? undefined : LETTERS[json]
  if (type === undefined || json === undefined) return UNKNOWN
  // A list field whose items declare one type.
  const itemJson = type === 'a' && root !== 'parameters' ? schemaType(((root === 'context' ? names.context : inputs)?.fields?.[name] as { readonly items?: unknown } | undefined)?.items) : undefined
  const items = itemJson === undefined ? undefined : LETTERS[itemJson]
  return { type, json, field: `${root}.${name}`, ...(items === undefined ? {} : { items }) }
}

/**
 * A call of a built-in or engine function (not one the expression binds with :=) on literals,
 * lists of them, or such calls, alone (`$now()`, `$count([1, 2])`, `$addDuration($now(), "P1D")`): it always
 * returns what its signature says, when that is a text, a number, or true or false (a list may be
 * empty, which JSONata gives as nothing). Undefined for any other expression.
 */
function callOf(node: AstNode, bound: ReadonlySet<string>): Argument | undefined {
  if (node.type !== 'function' || node.procedure?.type !== 'variable') return undefined
  const name = String(node.procedure.value)
  const signature = bound.has(name) || REFUSED_FUNCTIONS.has(name) ? undefined : BUILT_IN_SIGNATURES.get(name) ?? ENGINE_SIGNATURES.get(name)
  const result = signature === undefined ? undefined : resultOf(signature)
  if (result !== 's' && result !== 'n' && result !== 'b') return undefined
  const args: string[] = []
  for (const arg of node.arguments ?? []) {
    const literal = literalType(arg)
    // A list written out of literals, not empty (`$max([])` is nothing).
    const items = arg.type === 'unary' && arg.value === '[' ? arg.expressions ?? [] : undefined
    const list = items !== undefined && items.length > 0 && items.every((item) => literalType(item) !== undefined) ? `[${items.map((item) => JSON.stringify(item.value ?? null)).join(', ')}]` : undefined
    const written = literal !== undefined ? JSON.stringify(arg.value ?? null) : list ?? callOf(arg, bound)?.call
    if (written === undefined) return undefined
    args.push(written)
  }
  return { type: result, json: LITERAL_JSON[result], call: `$${name}(${args.join(', ')})` }
}

/** The one JSON type a field's `schema` declares (`type: integer`, `type: [object]`, `type: array`), else undefined. */
function schemaType(schema: unknown): string | undefined {
  const type = (schema as { readonly type?: unknown } | undefined)?.type
  const only = Array.isArray(type) && type.length === 1 ? type[0] as unknown : type
  return typeof only === 'string' && only in LETTERS && only !== 'null' ? only : undefined
}

/**
 * When JSONata refuses what is given these arguments: `when it runs`, or `whenever context.seats
 * is given` where a field of the context or of the inputs, which may be left out, is among them
 * (a parameter always has its value).
 */
export function whenRefused(args: readonly Argument[]): string {
  const fields = args.flatMap(({ field }) => (field === undefined || field.startsWith('parameters.') ? [] : [field]))
  return fields.length === 0 ? 'when it runs' : `whenever ${fields.join(' and ')} ${fields.length === 1 ? 'is' : 'are'} given`
}

/** The arguments in words: `an expression`, `a text`, `context.seats (a whole number)`. */
export function argumentWords(args: readonly Argument[]): string {
  return args.map(({ json, field, call, items }) => {
    const words = json === undefined ? 'an expression' : items === undefined ? typeWords(json, 'one') : `a list of ${typeWords(LITERAL_JSON[items], 'plural')}`
    const written = field ?? call
    return written === undefined ? words : `${written} (${words})`
  }).join(', ')
}

/** JSONata's operators on numbers only. */
const ARITHMETIC = new Set(['+', '-', '*', '/', '%'])
/** JSONata's order comparisons: of two numbers or two texts. */
const ORDERING = new Set(['<', '<=', '>', '>='])

/** One known operand in words: `context.seats (a whole number)`, `"5" (a text)`. */
function operandWords(arg: Argument, node: AstNode): string {
  const words = typeWords(arg.json ?? '', 'one')
  return `${arg.field ?? arg.call ?? JSON.stringify(node.value ?? null)} (${words})`
}

/** `words` for the first list among `operands`, named by its field (`context.seats`); for a list written out, by an example field. */
function listHint(operands: ReadonlyArray<readonly [Argument, AstNode]>, words: (list: string) => string): string {
  const field = operands.find(([arg]) => arg.type === 'a')?.[0].field
  return field === undefined ? `${words('inputs.seats')} (a field of yours in place of inputs.seats)` : words(field)
}

/**
 * What makes an operator fail whenever its operands are given, from what is known of them
 * (`left`, `right`; a unary minus has `left` only): arithmetic on a text, true or false, null or
 * a mapping or a list (JSONata T2001, T2002, D1002), an order comparison of true or false, null,
 * a mapping or a list, or of a number with a text (T2009, T2010). Undefined when nothing known
 * makes it fail.
 */
export function operatorProblem(operator: string, operands: ReadonlyArray<readonly [Argument, AstNode]>): { readonly message: string; readonly hint: string } | undefined {
  const known = operands.filter(([arg]) => arg.type !== undefined)
  const given = whenRefused(known.map(([arg]) => arg))
  if (ARITHMETIC.has(operator)) {
    const wrong = known.filter(([arg]) => arg.type !== 'n')
    if (wrong.length === 0) return undefined
    return {
      message: `\`${operator}\` takes numbers, and is given ${wrong.map(([arg, node]) => operandWords(arg, node)).join(' and ')}: JSONata would refuse it ${given}.`,
      hint: operator === '+' && wrong.some(([arg]) => arg.type === 's') ? 'Join texts with &, or read a text as a number with $number(...).'
        : wrong.some(([arg]) => arg.type === 'a') ? `Compute with what the list holds: ${listHint(wrong, (list) => `$sum(${list}), $count(${list}), or one item of it (${list}[0])`)}.`
          : 'Read a text as a number with $number(...), or compute with numeric fields.',
    }
  }
  if (!ORDERING.has(operator)) return undefined
  const unordered = known.filter(([arg]) => arg.type === 'b' || arg.type === 'l' || arg.type === 'o' || arg.type === 'a')
  const [left, right] = known
  if (unordered.length === 0 && !(known.length === 2 && left && right && left[0].type !== right[0].type)) return undefined
  return {
    message: unordered.length > 0
      ? `\`${operator}\` orders numbers or texts, and is given ${unordered.map(([arg, node]) => operandWords(arg, node)).join(' and ')}: JSONata would refuse it ${given}.`
      : `\`${operator}\` orders two numbers or two texts, and is given ${known.map(([arg, node]) => operandWords(arg, node)).join(' and ')}: JSONata would refuse it ${given}.`,
    hint: unordered.some(([arg]) => arg.type === 'o') ? 'Compare a field of the mapping (context.address.floor), not the mapping itself.'
      : unordered.some(([arg]) => arg.type === 'a') ? `Compare ${listHint(unordered, (list) => `an item of the list (${list}[0]) or how many it holds ($count(${list}))`)}, not the list itself.`
      : unordered.length > 0 ? 'Test true or false with = or as a condition itself (context.renewal, $not(context.renewal)).'
        : 'Compare values of one type: read a text as a number with $number(...), or a number as a text with $string(...).',
  }
}
