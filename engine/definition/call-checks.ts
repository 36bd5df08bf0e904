import { argumentWords, UNKNOWN, whenRefused } from './argument-types.js'
import type { Argument } from './argument-types.js'
import type { ExpressionProblem } from './equality-checks.js'
import { arityOf, mayCall } from './expression-functions.js'
import type { LiteralType } from './expression-functions.js'

/** Where a hint sends the author to read a signature. */
const SIGNATURES = 'https://docs.jsonata.org/embedding-extending#function-signature-syntax'

/**
 * Why JSONata would refuse a call of `$name` (of `signature`) given these arguments, or
 * undefined when it may run: fewer or more arguments than the function takes, or a literal, a
 * field or a parameter of a type it does not take (T0410); or a first argument left to the
 * current value (`current`: the instance, a mapping, outside a path), which cannot stand for it
 * (T0411).
 */
export function callProblem(name: string, signature: string, typed: readonly Argument[], current: LiteralType): ExpressionProblem | undefined {
  const items = typed.map((arg) => arg.items)
  if (mayCall(signature, typed.map((arg) => arg.type), current, items)) return undefined
  if (mayCall(signature, typed.map((arg) => arg.type), undefined, items)) {
    const given = typed.length === 0 ? 'no argument' : `${argumentWords(typed)}, which does not fit its first parameter`
    return {
      key: `current:${name}:${typed.length}`,
      message: `\`$${name}()\` is given ${given}, so JSONata passes the current value as the first: here the whole instance (a mapping), which it does not take. JSONata would refuse the call ${whenRefused(typed)}.`,
      hint: `Pass the first argument yourself, $${name}(FIELD${typed.length === 0 ? '' : ', ...'}), or call the function on it, FIELD.$${name}(${typed.length === 0 ? '' : '...'}), where FIELD is a field of the type it takes. JSONata's signature of \`$${name}\` is ${signature} (${SIGNATURES}).`,
    }
  }
  // What literals alone make JSONata refuse is said without the fields: it refuses it whatever they hold.
  const literals = typed.map((arg) => (arg.field === undefined ? arg : UNKNOWN))
  const args = mayCall(signature, literals.map((arg) => arg.type), undefined, literals.map((arg) => arg.items)) ? typed : literals
  const given = args.length
  const { min, max, context } = arityOf(signature)
  if (given >= min && given <= max) {
    return {
      key: `arguments:${name}:${args.map((arg) => arg.field ?? arg.type).join()}`,
      message: `\`$${name}()\` cannot take what it is given (${argumentWords(args)}): JSONata would refuse the call ${whenRefused(args)}.`,
      hint: `JSONata's signature of \`$${name}\` is ${signature} (${SIGNATURES}): s is a text, n a number, b true or false, l null, o a mapping, a a list, x any value. After \`~>\`, the value on its left is the first argument.`,
    }
  }
  const takes = max === Infinity ? `at least ${plural(min, 'argument')}` : min === max ? plural(min, 'argument') : `${min} to ${plural(max, 'argument')}`
  const leftOut = context ? ', the first of which may be left out to use the current value (as in `name.$uppercase()`)' : ''
  return {
    key: `arguments:${name}:${given}`,
    message: `\`$${name}()\` is given ${plural(given, 'argument')}; it takes ${takes}${leftOut}.`,
    hint: `JSONata's signature of \`$${name}\` is ${signature} (${SIGNATURES}). After \`~>\`, the value on its left is the first argument.`,
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
