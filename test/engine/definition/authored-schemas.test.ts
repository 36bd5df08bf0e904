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
})

it('refuses $id and a reference outside the schema, which ajv would resolve against a base the checks never saw', () => {
  const examples = [{ type: 'array', uniqueItems: true }]
  expect(compileAuthoredSchema({ $id: 'http://x.test/dir/root.json', type: 'object', properties: { a: { $ref: 'root.json#/examples/0' } }, examples }))
    .toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/$id', atKey: true }), expect.objectContaining({ pointer: '/properties/a/$ref' })]))
  expect(compileAuthoredSchema({ type: 'object', properties: { a: { $ref: './root.json#/examples/0' } }, examples }))
    .toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/properties/a/$ref', message: expect.stringContaining('refers outside this schema') as string })]))
  // A pointer into the schema is followed wherever it leads.
  expect(compileAuthoredSchema({ type: 'object', properties: { a: { $ref: '#/examples/0' } }, examples }))
    .toEqual([expect.objectContaining({ pointer: '/examples/0/uniqueItems' })])
})

it('refuses, rather than throws on, a schema of another dialect or a $ref circle, at the place to change', () => {
  for (const named of ['http://json-schema.org/draft-07/schema#', 1, {}]) {
    expect(compileAuthoredSchema({ $schema: named, type: 'object' })).toEqual([expect.objectContaining({
      pointer: '/$schema', message: expect.stringContaining('$schema must be https://json-schema.org/draft/2020-12/schema or be left out') as unknown,
    })])
  }
  expect(typeof compileAuthoredSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' })).toBe('function')
  const circle = compileAuthoredSchema({ type: 'object', properties: { x: { $ref: '#/$defs/a' } }, $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } } })
  expect(circle).toEqual([expect.objectContaining({ pointer: '', message: expect.stringContaining('lead back to where they start') as unknown })])
  // A schema that refers to itself through a keyword of its own is fine: a tree of any depth.
  expect(typeof compileAuthoredSchema({ type: 'object', properties: { child: { $ref: '#' } } })).toBe('function')
})
