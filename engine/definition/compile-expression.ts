import type { CompileContext } from './context.js'
import { checkExpression } from './check-expressions.js'
import type { ExpressionSite } from './check-expressions.js'
import type { ExpressionNames } from './expression-names.js'
import { compileExpression } from './expression.js'
import type { CompiledExpression } from './expression.js'

/** What compiling an expression needs to know of the process: its time zone and the names expressions may read. */
export interface ExpressionScope {
  readonly timeZone: string
  readonly expressionNames: ExpressionNames
}

/**
 * Compiles a JSONata expression, located at `pointer` for the messages of failed evaluations, and
 * checks it against the process; reports `definition.expression` with the parser's explanation,
 * at the line and column of the mistake where the text is written as it reads.
 */
export function expressionAt(ctx: CompileContext, scope: ExpressionScope, text: string, pointer: string, site: ExpressionSite): CompiledExpression | undefined {
  const expression = compileExpression(text, scope.timeZone, ctx.locate(pointer))
  if (!('reason' in expression)) {
    checkExpression(ctx, scope.expressionNames, text, pointer, site)
    return expression
  }
  ctx.reportWithin('definition.expression', pointer, expression.index, `Not a valid JSONata expression: ${expression.reason}.`, syntaxHint(text))
  return undefined
}

/** What the operators of other languages are in JSONata, for a text that uses them, else where the syntax is described. */
function syntaxHint(text: string): string {
  const hints = [
    /==|===/.test(text) ? 'JSONata compares with a single = (context.renewal = true), and != for not equal.' : undefined,
    /&&|\|\|/.test(text) ? 'JSONata joins conditions with `and` and `or`.' : undefined,
    /(^|[^!<>=])!(?!=)/.test(text) ? 'JSONata negates with $not(...), as in $not(context.renewal = true).' : undefined,
    [...text.matchAll(/\/(?:[^/\\\s]|\\.)+\/([a-z]+)/g)].some((match) => /[^im]/.test(match[1] ?? '')) ? 'A regular expression takes the flags i and m only, as in /^abc$/i.' : undefined,
  ].filter((hint): hint is string => hint !== undefined)
  return hints.length > 0 ? hints.join(' ') : 'See https://docs.jsonata.org for the syntax; strings are quoted, fields are dotted paths such as context.renewal.'
}

