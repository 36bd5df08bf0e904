import jsonata from 'jsonata'
import { describe, expect, it } from 'vitest'
import { operatorProblem } from '../../../engine/definition/argument-types.js'
import type { Argument } from '../../../engine/definition/argument-types.js'
import type { AstNode } from '../../../engine/definition/expression-ast.js'

// The operators the check refuses for what they are given, against JSONata itself: an operator
// refused must fail whenever it runs on values of those types, and one accepted must not.

/** A value of each type the check knows, as written in an expression. */
const VALUES: ReadonlyArray<readonly [Argument, string]> = [
  [{ type: 's', json: 'string' }, '"7"'],
  [{ type: 'n', json: 'number' }, '7'],
  [{ type: 'b', json: 'boolean' }, 'true'],
  [{ type: 'l', json: 'null' }, 'null'],
  [{ type: 'o', json: 'object' }, '{ "a": 1 }'],
  [{ type: 'a', json: 'array' }, '["7", "8"]'],
]
const NODE: AstNode = { type: 'path' }

async function fails(expression: string): Promise<boolean> {
  return jsonata(expression).evaluate({}).then(() => false, () => true)
}

describe('operatorProblem', () => {
  it.each(['+', '-', '*', '/', '%', '<', '<=', '>', '>='])('refuses `%s` exactly for the operands on which JSONata fails', async (operator) => {
    for (const [left, leftText] of VALUES) {
      for (const [right, rightText] of VALUES) {
        const expression = `(${leftText}) ${operator} (${rightText})`
        expect(operatorProblem(operator, [[left, NODE], [right, NODE]]) !== undefined, expression).toBe(await fails(expression))
      }
    }
  })

  it('refuses a minus sign exactly before what JSONata cannot negate', async () => {
    for (const [value, text] of VALUES) expect(operatorProblem('-', [[value, NODE]]) !== undefined, `-(${text})`).toBe(await fails(`-(${text})`))
  })

  it('names a field given, which may be left out, and not a parameter, which always has its value', () => {
    const field: Argument = { type: 's', json: 'string', field: 'inputs.seats' }
    const parameter: Argument = { type: 's', json: 'string', field: 'parameters.window' }
    expect(operatorProblem('*', [[field, NODE], [{ type: undefined }, NODE]])?.message).toBe('`*` takes numbers, and is given inputs.seats (a text): JSONata would refuse it whenever inputs.seats is given.')
    expect(operatorProblem('*', [[parameter, NODE], [{ type: undefined }, NODE]])?.message).toBe('`*` takes numbers, and is given parameters.window (a text): JSONata would refuse it when it runs.')
  })
})
