import jsonata from 'jsonata'
import { describe, expect, it } from 'vitest'
import { arityOf, BUILT_IN_SIGNATURES, ENGINE_SIGNATURES, mayCall, registerFunctions } from '../../../engine/definition/expression-functions.js'
import type { LiteralType } from '../../../engine/definition/expression-functions.js'

/** The function `$name` as JSONata binds it, with its parsed signature. */
async function boundFunction(name: string): Promise<{ signature?: { definition: string } }> {
  return await jsonata(`$${name}`).evaluate({}) as { signature?: { definition: string } }
}

/** The JSONata error code of evaluating `text` on `input`, or undefined when it succeeds. */
async function errorCode(text: string, input: unknown): Promise<string | undefined> {
  try {
    await jsonata(text).evaluate(input)
    return undefined
  } catch (error) {
    return (error as { code?: string }).code
  }
}

describe('function signatures', () => {
  it.each([...BUILT_IN_SIGNATURES])('$%s has the signature JSONata declares for it: %s', async (name, signature) => {
    expect((await boundFunction(name)).signature?.definition).toBe(signature)
  })

  it.each([...BUILT_IN_SIGNATURES].filter(([, s]) => arityOf(s).max !== Infinity))('$%s refuses one argument more than its arity allows when it runs', async (name, signature) => {
    const args = Array.from({ length: arityOf(signature).max + 1 }, () => '"x"').join(', ')
    expect(await errorCode(`$${name}(${args})`, {})).toBe('T0410')
  })

  it.each([...BUILT_IN_SIGNATURES].filter(([, s]) => arityOf(s).min > 0))('$%s refuses one argument fewer than its arity needs when it runs', async (name, signature) => {
    const args = Array.from({ length: arityOf(signature).min - 1 }, () => '[]').join(', ')
    expect(await errorCode(`$${name}(${args})`, {})).toBe('T0410')
  })

  it('refuses a call with literal arguments only when JSONata refuses it whatever the current value', async () => {
    // A mapping (`o`) is what a field declared as an object holds, a list (`a`) one declared as an array.
    const LITERAL = { s: '"x"', n: '1', b: 'true', l: 'null', o: '{ "a": 1 }', a: '["x", "y"]' } as const
    const lists: ReadonlyArray<ReadonlyArray<Exclude<LiteralType, undefined>>> = [[], ['s'], ['n'], ['b'], ['l'], ['o'], ['a'], ['b', 's'], ['l', 's'], ['s', 'n'], ['n', 'n'], ['s', 's'], ['n', 's'], ['o', 's'], ['s', 'o'], ['o', 'n'], ['a', 's'], ['s', 'a'], ['a', 'n'], ['a', 'a'], ['s', 'n', 'n'], ['s', 's', 's']]
    const contexts = ['abc', 3, true, { a: 1 }, [1, 2]]
    let refused = 0
    for (const [name, signature] of BUILT_IN_SIGNATURES) {
      if (['random', 'shuffle', 'eval', 'now', 'millis', 'error'].includes(name)) continue
      for (const types of lists) {
        if (mayCall(signature, types)) continue
        refused++
        const call = `$${name}(${types.map((t) => LITERAL[t]).join(', ')})`
        for (const context of contexts) expect(await errorCode(call, context), `${call} on ${JSON.stringify(context)}`).toMatch(/^T04/)
      }
    }
    expect(refused).toBeGreaterThan(150)
  })

  it('reads the arity of every form of parameter: optional, repeated, the current value, choices and subtypes', () => {
    expect(arityOf('<s-nn?:s>')).toEqual({ min: 1, max: 3, context: true })
    expect(arityOf('<s-f<s:o>n?:a<o>>')).toEqual({ min: 1, max: 3, context: true })
    expect(arityOf('<s-(sf)(sf)n?:s>')).toEqual({ min: 2, max: 4, context: true })
    expect(arityOf('<a+>')).toEqual({ min: 1, max: Infinity, context: false })
    expect(arityOf('<:n>')).toEqual({ min: 0, max: 0, context: false })
    expect(arityOf('<afj?:j>')).toEqual({ min: 2, max: 3, context: false })
  })

  it.each([...ENGINE_SIGNATURES])('the engine registers $%s with the signature the check reads: %s', async (name, signature) => {
    const expression = jsonata(`$${name}`)
    registerFunctions(expression, 'UTC')
    const bound = await expression.evaluate({}) as { signature?: { definition: string } }
    expect(bound.signature?.definition).toBe(signature)
  })
})
