import type { AstNode, Focus } from './expression-ast.js'
import { readNames } from './expression-ast.js'
import type { LiteralType } from './expression-functions.js'
import type { DeclaredNames, ExpressionNames } from './expression-names.js'
import { typeWords } from './type-words.js'

/**
 * What the check knows of an argument of a call before it runs: the type letter of JSONata's
 * signatures (`s`, `n`, `b`, `l`) and the JSON type it stands for, for a literal (`'a'`, `2`,
 * `true`, `null`) or a declared scalar field or parameter (`context.seats`, read whole), which
 * holds that type whenever it is given; nothing (`type` undefined) for any other expression.
 */
export interface Argument {
  readonly type: LiteralType
  /** The JSON type, for a literal or a field: `string`, `integer`, `number`, `boolean` or `null`. */
  readonly json?: string
  /** The field or parameter read, as written (`context.seats`). */
  readonly field?: string
}

/** An argument only running the expression tells the type of. */
export const UNKNOWN: Argument = { type: undefined }

/** The type letter of each JSON type of a scalar. */
const LETTERS: Readonly<Record<string, Exclude<LiteralType, undefined>>> = { string: 's', number: 'n', integer: 'n', boolean: 'b', null: 'l' }
/** The JSON type a parameter of each type holds (a duration and an instant are texts). */
const PARAMETER_JSON: Readonly<Record<string, string>> = { string: 'string', duration: 'string', 'date-time': 'string', integer: 'integer', number: 'number', boolean: 'boolean' }

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
export function argumentOf(node: AstNode, focus: Focus, names: ExpressionNames, inputs: DeclaredNames | undefined): Argument {
  const literal = literalType(node)
  if (literal !== undefined) return { type: literal, json: { s: 'string', n: 'number', b: 'boolean', l: 'null' }[literal] }
  const read = node.type === 'path' && !node.steps?.some((step) => step.type !== 'name' || step.stages || step.predicate || step.group || step.focus || step.index)
    ? readNames(node, focus) : undefined
  if (read?.length !== 2 || read.length !== node.steps?.length) return UNKNOWN
  const [root, name] = read as [string, string]
  const json = root === 'parameters' ? PARAMETER_JSON[names.parameterTypes.get(name) ?? '']
    : schemaType((root === 'context' ? names.context : root === 'inputs' ? inputs : undefined)?.fields?.[name])
  const type = json === undefined ? undefined : LETTERS[json]
  return type === undefined || json === undefined ? UNKNOWN : { type, json, field: `${root}.${name}` }
}

/** The one JSON type of a scalar `schema` declares (`type: integer`, `type: [integer]`), else undefined. */
function schemaType(schema: unknown): string | undefined {
  const type = (schema as { readonly type?: unknown } | undefined)?.type
  const only = Array.isArray(type) && type.length === 1 ? type[0] as unknown : type
  return typeof only === 'string' && only in LETTERS && only !== 'null' ? only : undefined
}

/** The arguments in words: `an expression`, `a text`, `context.seats (a whole number)`. */
export function argumentWords(args: readonly Argument[]): string {
  return args.map(({ json, field }) => {
    const words = json === undefined ? 'an expression' : typeWords(json, 'one')
    return field === undefined ? words : `${field} (${words})`
  }).join(', ')
}
