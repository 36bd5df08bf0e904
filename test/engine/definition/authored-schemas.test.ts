import { expect, it } from 'vitest'
import { compileAuthoredSchema } from '../../../engine/definition/json-schema.js'

// Authors' schemas are compiled by ajv, which keeps what it compiled for as long as its instance
// lives: a server checking definitions for anyone who asks must not keep them all.

it('compiles a schema written the same way once, wherever it comes from', () => {
  const first = compileAuthoredSchema({ type: 'object', properties: { a: { type: 'string' } } })
  const again = compileAuthoredSchema({ type: 'object', properties: { a: { type: 'string' } } })
  expect(typeof first).toBe('function')
  expect(again).toBe(first)
  expect(compileAuthoredSchema({ type: 'object', properties: { a: { type: 'integer' } } })).not.toBe(first)
})

it('keeps every validator working after thousands of other schemas, each compiled once', () => {
  const early = compileAuthoredSchema({ type: 'string', maxLength: 3 })
  if (typeof early !== 'function') throw new Error('did not compile')
  for (let i = 0; i < 2500; i++) {
    const validate = compileAuthoredSchema({ type: 'object', properties: { [`p${i}`]: { type: 'integer', maximum: i } }, required: [`p${i}`] })
    if (typeof validate !== 'function') throw new Error(`schema ${i} did not compile`)
    expect(validate({ [`p${i}`]: i })).toBe(true)
    expect(validate({ [`p${i}`]: i + 1 })).toBe(false)
  }
  expect(early('abc')).toBe(true)
  expect(early('abcd')).toBe(false)
  // A schema with an $id, compiled again after its instance was replaced, is no duplicate.
  for (let i = 0; i < 2; i++) expect(typeof compileAuthoredSchema({ $id: 'https://example.com/schemas/once.json', type: 'string', minLength: i })).toBe('function')
})
