import { expect, it } from 'vitest'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { closeObjects, compileAuthoredSchema, fieldProblems } from '../../../engine/definition/json-schema.js'
import { findSchemaFaults } from '../../../engine/definition/schema-faults.js'
import type { Validator } from '../../../engine/definition/json-schema.js'
import { checkTimeZone } from '../../../engine/definition/quantities.js'

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

it('refuses, rather than throws on, a schema of another dialect or one that comes back to itself for the same value, at the place to change', () => {
  for (const named of ['http://json-schema.org/draft-07/schema#', 1, {}]) {
    expect(compileAuthoredSchema({ $schema: named, type: 'object' })).toEqual([expect.objectContaining({
      pointer: '/$schema', message: expect.stringContaining('$schema must be https://json-schema.org/draft/2020-12/schema or be left out') as unknown,
    })])
  }
  expect(typeof compileAuthoredSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' })).toBe('function')
  const circle = compileAuthoredSchema({ type: 'object', properties: { x: { $ref: '#/$defs/a' } }, $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } } })
  expect(circle).toEqual([expect.objectContaining({ pointer: '/$defs/b/$ref', message: expect.stringContaining('leads back to the schema at "#/$defs/a" for the same value') as unknown })])
  // Through the keywords that apply a schema to the value itself, beside other keywords: ajv
  // compiles them, and checking any value overflowed the stack (a 500 on every start or act).
  const inPlace: Array<[Readonly<Record<string, unknown>>, string]> = [
    [{ type: 'object', allOf: [{ $ref: '#' }] }, '/allOf/0/$ref'],
    [{ type: 'object', properties: { x: { type: 'string', anyOf: [{ $ref: '#/properties/x' }] } } }, '/properties/x/anyOf/0/$ref'],
    [{ type: 'object', properties: { x: { $ref: '#/properties/x' } } }, '/properties/x/$ref'],
    [{ type: 'object', not: { if: { $ref: '#' } } }, '/not/if/$ref'],
    [{ type: 'object', dependentSchemas: { a: { $ref: '#/$defs/d' } }, $defs: { d: { oneOf: [{ $ref: '#' }] } } }, '/$defs/d/oneOf/0/$ref'],
  ]
  for (const [schema, pointer] of inPlace) expect(compileAuthoredSchema(schema), pointer).toEqual([expect.objectContaining({ pointer, message: expect.stringContaining('checking a value would never end') as unknown })])
  // Names Object.prototype has, which ajv found as keywords, and a pattern's words without a pattern.
  expect(compileAuthoredSchema({ type: 'integer', constructor: 1 })).toEqual([expect.objectContaining({ pointer: '/constructor', message: 'Not a valid JSON Schema (2020-12): "constructor" is not a keyword.' })])
  expect(compileAuthoredSchema({ type: 'string', patternErrorMessage: 'three letters' })).toEqual([expect.objectContaining({ pointer: '/patternErrorMessage', message: expect.stringContaining('this schema has no `pattern`') as unknown })])
  expect(typeof compileAuthoredSchema({ type: 'object', properties: { constructor: { type: 'string' } } })).toBe('function')
  // A schema that refers to itself for a part of the value is fine: a tree of any depth.
  expect(typeof compileAuthoredSchema({ type: 'object', properties: { child: { $ref: '#' } } })).toBe('function')
  expect(typeof compileAuthoredSchema({ $defs: { node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/$defs/node' } } } } }, $ref: '#/$defs/node' })).toBe('function')
})

it('refuses, at the place to change, a $ref that names nothing, an empty enum and a word limit that is not a whole number, where ajv only threw', () => {
  const $defs = { address: { type: 'string' } }
  const faults = (schema: Readonly<Record<string, unknown>>): Array<{ pointer: string; message: string; hint?: string | undefined }> => {
    const compiled = compileAuthoredSchema(schema)
    return typeof compiled === 'function' ? [] : compiled.map(({ pointer, message, hint }) => ({ pointer, message, hint }))
  }
  expect(faults({ type: 'object', properties: { a: { $ref: '#/$defs/adress' } }, $defs })).toEqual([
    { pointer: '/properties/a/$ref', message: '"#/$defs/adress" names nothing in this schema.', hint: expect.stringContaining('Did you mean "#/$defs/address"?') as string },
  ])
  expect(faults({ type: 'object', properties: { a: { $ref: '#home' } }, $defs })).toEqual([{ pointer: '/properties/a/$ref', message: '"#home" refers to a part by a name: a part is referred to by its place.', hint: expect.stringContaining('#/$defs/NAME') as string }])
  // Dynamic references, which ajv resolves wrongly in a schema that stands alone, are refused as anchors are.
  expect(faults({ type: 'object', properties: { child: { $dynamicRef: '#node' } }, $defs: { node: { $dynamicAnchor: 'node', type: 'string' } } }).map((f) => f.pointer))
    .toEqual(['/properties/child/$dynamicRef', '/$defs/node/$dynamicAnchor'])
  // Parts are referred to by their place: an `$anchor` is refused as `$id` is.
  expect(faults({ type: 'object', properties: { a: { $ref: '#/$defs/address' } }, $defs: { address: { $anchor: 'home', type: 'string' } } })).toEqual([
    { pointer: '/$defs/address/$anchor', message: expect.stringContaining('referred to by its place') as string, hint: expect.any(String) as string },
  ])
  expect(faults({ type: 'array', items: { enum: [] } })).toEqual([{ pointer: '/items/enum', message: expect.stringContaining('lists no value') as string, hint: expect.any(String) as string }])
  expect(faults({ type: 'object', properties: { a: { type: 'string', maxWords: 'many' }, b: { type: 'string', minWords: 1.5 } } }).map((f) => f.pointer)).toEqual(['/properties/a/maxWords', '/properties/b/minWords'])
  // What does resolve, by place or by anchor, compiles.
  expect(faults({ type: 'object', properties: { a: { $ref: '#/$defs/address' }, b: { $ref: '#' }, c: { type: 'string', maxWords: 0 } }, $defs })).toEqual([])
})

it('reads a field named as what every object inherits (constructor, toString) only where the value holds it, and refuses a field named __proto__', () => {
  const validate = compileAuthoredSchema({ type: 'object', properties: { constructor: { type: 'string' }, toString: { type: 'string' }, valueOf: { type: 'integer' } } })
  if (typeof validate !== 'function') throw new Error('did not compile')
  // Left out: not the functions Object.prototype holds under those names.
  expect(validate({})).toBe(true)
  expect(validate({ constructor: 'x', toString: 'y', valueOf: 1 })).toBe(true)
  expect(validate({ constructor: 5 })).toBe(false)
  expect(fieldProblems(validate.errors)).toEqual([expect.objectContaining({ pointer: '/constructor', rule: 'type' })])
  const proto = JSON.parse('{"type": "object", "properties": {"__proto__": {"type": "string"}}, "required": ["__proto__"]}') as Record<string, unknown>
  expect(compileAuthoredSchema(proto)).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/properties/__proto__', atKey: true, message: expect.stringContaining('may not be named `__proto__`') as string })]))
  expect(compileAuthoredSchema({ type: 'object', properties: { a: { $ref: '#/properties/__proto__' } } })).toEqual([expect.objectContaining({ pointer: '/properties/a/$ref', message: expect.stringContaining('names nothing') as string })])
})

it('accepts the fields an object takes from anyOf, a $ref or if/then, and refuses the others at their pointer', () => {
  const compiled = (schema: Readonly<Record<string, unknown>>): Validator => {
    const validate = compileAuthoredSchema(closeObjects(schema))
    if (typeof validate !== 'function') throw new Error(JSON.stringify(validate))
    return validate
  }
  const anyOf = compiled({ type: 'object', anyOf: [{ properties: { phone: { type: 'string' } }, required: ['phone'] }, { properties: { email: { type: 'string' } }, required: ['email'] }] })
  expect([anyOf({ phone: '1' }), anyOf({ email: 'a' }), anyOf({ phone: '1', fax: '2' })]).toEqual([true, true, false])
  expect(fieldProblems(anyOf.errors)).toEqual([{ pointer: '/fax', rule: 'additionalProperties', message: 'is not an accepted field' }])
  const referred = compiled({ type: 'object', $ref: '#/$defs/contact', $defs: { contact: { type: 'object', properties: { name: { type: 'string' } } } } })
  expect([referred({ name: 'x' }), referred({ nme: 'x' })]).toEqual([true, false])
  const conditional = compiled({ type: 'object', properties: { kind: { enum: ['person', 'company'] } }, if: { properties: { kind: { const: 'company' } }, required: ['kind'] }, then: { properties: { vat: { type: 'string' } }, required: ['vat'] } })
  expect([conditional({ kind: 'company', vat: 'v' }), conditional({ kind: 'person' }), conditional({ kind: 'person', vat: 'v' }), conditional({ kind: 'company' })]).toEqual([true, true, false, false])
  // Without composition, other fields are refused as before.
  expect(closeObjects({ type: 'object', properties: { a: { type: 'string' } } })).toMatchObject({ additionalProperties: false })
})

it('refuses a pattern written as a JavaScript literal, which would have to match its own slashes, and a time zone that is a fixed offset', () => {
  const faults = (pattern: string): string[] => {
    const compiled = compileAuthoredSchema({ type: 'string', pattern })
    return typeof compiled === 'function' ? [] : compiled.map((f) => `${f.pointer} ${f.hint ?? ''}`)
  }
  expect(faults('/^[A-Z]{3}$/i')).toEqual(['/pattern Write "^[A-Z]{3}$"; for letters of either case, list both, e.g. [A-Za-z].'])
  expect(faults('/^[0-9]+$/')).toEqual(['/pattern Write "^[0-9]+$".'])
  expect(faults('/docs/')).toEqual([])
  expect(faults('/api/v[0-9]+/users')).toEqual([])
  expect(faults('/docs/[a-z]+/is')).toEqual([])
  expect(checkTimeZone('Etc/GMT+8')).toContain('fixed offset')
  expect(checkTimeZone('Etc/UTC')).toBeUndefined()
  expect(checkTimeZone('Asia/Shanghai')).toBeUndefined()
})

it('refuses a schema no value can satisfy: a const or enum of another type, allOf of types no value has at once, an integer or a multiple between bounds that hold none, a required property whose schema is false, not of the whole type, contains beyond maxItems, a format beyond the length bounds, a required name propertyNames refuses or that asks for one never taken', () => {
  const pointers = (schema: Readonly<Record<string, unknown>>): string[] => {
    const compiled = compileAuthoredSchema(schema)
    return typeof compiled === 'function' ? [] : compiled.map((f) => f.pointer)
  }
  expect(pointers({ type: 'boolean', const: 'yes' })).toEqual(['/const'])
  expect(pointers({ type: 'integer', enum: ['1', '2'] })).toEqual(['/enum'])
  expect(pointers({ allOf: [{ type: 'string' }, { type: 'integer' }] })).toEqual(['/allOf'])
  expect(pointers({ type: 'integer', minimum: 1.2, maximum: 1.8 })).toEqual(['/minimum'])
  expect(pointers({ type: 'integer', minimum: 1, maximum: 9, multipleOf: 10 })).toEqual(['/multipleOf'])
  expect(pointers({ type: 'object', properties: { legacy: false, name: { type: 'string' } }, required: ['name', 'legacy'] })).toEqual(['/required/1'])
  // Each against ajv, on the values it might take.
  const ajv = new Ajv2020({ strict: false })
  const nothingTaken: Array<[Readonly<Record<string, unknown>>, string, unknown[]]> = [
    [{ type: 'string', const: 'a', enum: ['b', 'c'] }, '/const', ['a', 'b', 'c']],
    [{ type: 'string', const: 'abc', pattern: '^[0-9]+$' }, '/const', ['abc', '123']],
    [{ type: 'string', enum: ['abc', 'x1', 'é'], pattern: '^\\d+$' }, '/enum', ['abc', 'x1', 'é', '12']],
    [{ type: 'array', items: false, minItems: 1 }, '/minItems', [[], [1], [1, 2]]],
    [{ type: 'array', prefixItems: [{}, false], items: { type: 'string' }, minItems: 2 }, '/minItems', [[], [1], [1, 'a'], [1, 'a', 'b']]],
    [{ oneOf: [{ type: 'string', maxLength: 3 }, { maxLength: 3, type: 'string' }] }, '/oneOf/1', ['a', 'abcd', 1, null]],
    [{ type: 'string', not: { type: 'string' } }, '/not', ['a', '']],
    [{ type: 'integer', not: { type: 'number' } }, '/not', [0, 1]],
    [{ type: 'array', contains: { type: 'string' }, maxItems: 0 }, '/contains', [[], ['a']]],
    [{ type: 'array', contains: { type: 'string' }, minContains: 3, maxItems: 2 }, '/contains', [['a', 'b'], ['a', 'b', 'c']]],
    [{ type: 'object', properties: { abc: {} }, propertyNames: { maxLength: 2 }, required: ['abc'] }, '/required/0', [{ abc: 1 }, {}]],
    [{ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false, required: ['a'], dependentRequired: { a: ['b'] } }, '/dependentRequired/a/0', [{ a: 'x' }, { a: 'x', b: 1 }, {}]],
    [{ anyOf: [false, false] }, '/anyOf', [1, 'a', null]],
    [{ type: 'string', if: true, then: false }, '/then', ['a', '']],
    [{ type: 'string', if: false, else: false }, '/else', ['a', '']],
    [{ type: 'array', maxItems: 3, contains: false }, '/contains', [[], [1]]],
    [{ type: 'array', maxItems: 3, uniqueItems: true, minItems: 2, items: { enum: ['a'] } }, '/minItems', [['a', 'a'], ['a', 'b']]],
    [{ type: 'array', maxItems: 3, uniqueItems: true, minItems: 3, items: { type: 'boolean' } }, '/minItems', [[true, false, true], [true, false]]],
    [{ type: 'number', minimum: 1, maximum: 2, multipleOf: 5 }, '/multipleOf', [0, 1, 1.5, 2, 5]],
    [{ type: 'object', properties: { a: {} }, additionalProperties: false, const: { b: 1 } }, '/const', [{ b: 1 }, { a: 1 }]],
    [{ type: 'object', properties: { a: {} }, required: ['a'], enum: [{ b: 1 }, {}] }, '/enum', [{ b: 1 }, {}, { a: 1 }]],
  ]
  for (const [schema, pointer, candidates] of nothingTaken) {
    expect(pointers(schema), JSON.stringify(schema)).toEqual([pointer])
    expect(candidates.filter((value) => ajv.validate(schema, value)), JSON.stringify(schema)).toEqual([])
  }
  // A format's texts are of a length: ten characters for a date, at least twenty for an instant.
  expect(pointers({ type: 'string', format: 'date', maxLength: 5 })).toEqual(['/maxLength'])
  expect(pointers({ type: 'string', format: 'date', minLength: 11 })).toEqual(['/minLength'])
  expect(pointers({ type: 'string', format: 'date-time', maxLength: 19 })).toEqual(['/maxLength'])
  expect(pointers({ type: 'string', format: 'uuid', maxLength: 10 })).toEqual(['/maxLength'])
  expect(pointers({ type: 'string', format: 'ipv4', minLength: 16 })).toEqual(['/minLength'])
  expect(pointers({ type: 'string', format: 'ipv4', minLength: 15 })).toEqual([])
  // What `const` or `enum` lists must be of the format too.
  expect(pointers({ type: 'string', format: 'date', const: 'tomorrow' })).toEqual(['/const'])
  expect(pointers({ type: 'string', format: 'email', enum: ['nobody', 'x'] })).toEqual(['/enum'])
  expect(pointers({ type: 'string', format: 'email', enum: ['nobody', 'a@b.cn'] })).toEqual([])
  // A pattern is compiled once for all the values listed: 45,000 of them, against a pattern regexpu-core rewrites, in well under a second.
  const codes = [...Array.from({ length: 45_000 }, (_, i) => `v${i}`), 'Ab']
  expect(findSchemaFaults({ type: 'string', pattern: '^[\\p{Lu}\\p{Lt}][\\p{L}\\p{N}]*$', enum: codes }, ['date-time'])).toEqual([])
  // Repeated schemas that accept nothing, or values that only JSON would write alike, are no repeat.
  expect(pointers({ oneOf: [false, false, { type: 'number' }] })).toEqual([])
  expect(pointers({ oneOf: [{ const: Infinity }, { const: null }] })).toEqual([])
  // What some value satisfies compiles.
  for (const fine of [{ type: 'number', const: 2 }, { type: ['string', 'null'], enum: [null, 'a'] }, { allOf: [{ type: 'number' }, { type: 'integer' }] },
    { type: 'string', const: 'b', enum: ['b', 'c'] }, { type: 'string', enum: ['abc', '12'], pattern: '^\\d+$' }, { type: 'string', const: 'é', pattern: '^\\p{L}$' },
    { type: 'array', items: false, minItems: 0 }, { type: 'array', prefixItems: [{}, false], minItems: 1 }, { oneOf: [{ type: 'string', maxLength: 3 }, { type: 'string', maxLength: 4 }] },
    { type: 'integer', minimum: 1.2, maximum: 2 }, { type: 'integer', minimum: 1, maximum: 10, multipleOf: 10 }, { type: 'object', properties: { legacy: false } },
    { type: ['string', 'null'], not: { type: 'string' } }, { type: 'string', not: { type: 'string', maxLength: 2 } }, { type: 'array', contains: { type: 'string' }, maxItems: 1 },
    { type: 'string', format: 'date', maxLength: 10 }, { type: 'string', format: 'date-time', minLength: 24 },
    { type: 'object', properties: { ab: {} }, propertyNames: { maxLength: 2 }, required: ['ab'] }, { anyOf: [false, { type: 'string' }] }, { type: 'string', if: { minLength: 3 }, then: false },
    { type: 'array', maxItems: 3, uniqueItems: true, minItems: 2, items: { type: 'boolean' } }, { type: 'object', properties: { a: {} }, additionalProperties: false, const: { a: 1 } }, { type: 'number', minimum: 1, maximum: 5, multipleOf: 5 }, { type: 'number', minimum: 0.1, maximum: 0.2, multipleOf: 0.15 }, { type: 'object', properties: { a: {}, b: {} }, required: ['a'], dependentRequired: { a: ['b'] } }]) {
    expect(pointers(fine), JSON.stringify(fine)).toEqual([])
  }
})

it('names an unquoted null among the types once, at its place, saying to quote it', () => {
  const compiled = compileAuthoredSchema({ type: 'object', properties: { note: { type: ['string', null] } } })
  expect(typeof compiled === 'function' ? [] : compiled.map(({ pointer, hint }) => [pointer, hint])).toEqual([
    ['/properties/note/type/1', 'Write "null" in quotes: YAML reads an unquoted null as no value at all.'],
  ])
})

it('refuses a keyword that checks values of another type than the field takes, and a default of another type', () => {
  const faults = (schema: Readonly<Record<string, unknown>>): string[] => {
    const compiled = compileAuthoredSchema(schema)
    return typeof compiled === 'function' ? [] : compiled.map((f) => `${f.pointer} ${f.message}`)
  }
  expect(faults({ type: 'integer', format: 'date-time', maxWords: 3 })).toEqual([
    '/format `format` checks texts only, and this field takes whole numbers: it would check nothing.',
    '/maxWords `maxWords` checks texts only, and this field takes whole numbers: it would check nothing.',
  ])
  expect(faults({ type: 'string', minimum: 1 })).toEqual(['/minimum `minimum` checks numbers only, and this field takes texts: it would check nothing.'])
  expect(faults({ type: 'integer', default: 'many' })).toEqual(['/default The `default` "many" does not fit `type`, which takes whole numbers.'])
  for (const fine of [{ type: 'integer', format: 'int32', minimum: 0, default: 3 }, { type: 'number', multipleOf: 0.5, default: 1.5 }, { type: ['string', 'integer'], minLength: 1 }, { type: 'array', items: { type: 'string' }, maxItems: 3 }]) {
    expect(faults(fine), JSON.stringify(fine)).toEqual([])
  }
})

it('joins the parts of $defs an object takes with $ref, however they are joined, and refuses what none of them declares', () => {
  const compiled = (schema: Readonly<Record<string, unknown>>): Validator => {
    const validate = compileAuthoredSchema(closeObjects(schema))
    if (typeof validate !== 'function') throw new Error(JSON.stringify(validate))
    return validate
  }
  const $defs = { person: { type: 'object', properties: { name: { type: 'string' } } }, address: { type: 'object', properties: { city: { type: 'string' }, geo: { type: 'object', properties: { lat: { type: 'number' } } } } } }
  const beside = compiled({ type: 'object', $ref: '#/$defs/person', properties: { extra: { type: 'string' } }, $defs })
  expect([beside({ name: 'a', extra: 'b' }), beside({ name: 'a', other: 1 })]).toEqual([true, false])
  const both = compiled({ type: 'object', allOf: [{ $ref: '#/$defs/person' }, { $ref: '#/$defs/address' }], required: ['name', 'city'], $defs })
  expect([both({ name: 'a', city: 'b' }), both({ name: 'a', city: 'b', zip: 1 })]).toEqual([true, false])
  // A part used alone is closed where it is used, and what it nests is closed in itself.
  const alone = compiled({ type: 'object', properties: { home: { $ref: '#/$defs/address' } }, $defs })
  expect([alone({ home: { city: 'b', geo: { lat: 1 } } }), alone({ home: { city: 'b', zip: 1 } }), alone({ home: { city: 'b', geo: { lat: 1, lng: 2 } } })]).toEqual([true, false, false])
})

it('refuses bounds and values that the schemas allOf joins set apart, which no value meets at once, at the keyword closing the gap; what some value meets compiles', () => {
  const ajv = new Ajv2020({ strict: false })
  // Values of every type, the lengths, counts and numbers the bounds below play with.
  const probes: unknown[] = [null, true, false, {}, { a: 1 }, { a: 1, b: 2, c: 3 },
    ...Array.from({ length: 12 }, (_, n) => 'x'.repeat(n)), ...Array.from({ length: 12 }, (_, n) => Array.from({ length: n }, () => 1)),
    ...Array.from({ length: 61 }, (_, n) => n / 2 - 15), 'a', 'b', 'c']
  const faults = (schema: Readonly<Record<string, unknown>>): Array<[string, string]> => {
    const compiled = compileAuthoredSchema(schema)
    return typeof compiled === 'function' ? [] : compiled.map((f) => [f.pointer, f.message])
  }
  const refused: Array<[Readonly<Record<string, unknown>>, string, string]> = [
    [{ type: 'string', allOf: [{ minLength: 5 }, { maxLength: 3 }] }, '/allOf/1/maxLength', 'no text can satisfy them all'],
    [{ type: 'string', maxLength: 3, allOf: [{ minLength: 5 }] }, '/allOf/0/minLength', '`minLength` 5 in allOf/0 and `maxLength` 3 in this schema apply together'],
    [{ type: 'array', allOf: [{ maxItems: 1 }, { allOf: [{ minItems: 2 }] }] }, '/allOf/1/allOf/0/minItems', '`minItems` 2 in allOf/1/allOf/0 and `maxItems` 1 in allOf/0 apply together through `allOf`, and leave nothing between them: no list can satisfy them all.'],
    [{ type: 'number', allOf: [{ minimum: 10 }, { maximum: 5 }] }, '/allOf/1/maximum', 'no number can satisfy them all'],
    [{ type: 'number', allOf: [{ exclusiveMinimum: 5 }, { maximum: 5 }] }, '/allOf/1/maximum', '`exclusiveMinimum` 5'],
    [{ type: 'object', allOf: [{ minProperties: 3 }, { maxProperties: 1 }] }, '/allOf/1/maxProperties', 'no mapping can satisfy them all'],
    [{ allOf: [{ enum: ['a', 'b'] }, { const: 'c' }] }, '/allOf/1/const', 'share no value'],
    [{ enum: ['a', 'b'], allOf: [{ enum: ['b', 'c'] }, { enum: ['a', 'c'] }] }, '/allOf/1/enum', '`enum` in this schema, `enum` in allOf/0 and `enum` in allOf/1 apply'],
  ]
  for (const [schema, pointer, words] of refused) {
    expect(faults(schema), JSON.stringify(schema)).toEqual([[pointer, expect.stringContaining(words)]])
    const validate = ajv.compile(schema)
    expect(probes.filter((value) => validate(value)), JSON.stringify(schema)).toEqual([])
  }
  // One report where the gap lies within one branch, from that branch alone.
  expect(faults({ type: 'string', allOf: [{ allOf: [{ minLength: 5 }, { maxLength: 3 }] }, { minLength: 1 }] }).map(([pointer]) => pointer)).toEqual(['/allOf/0/allOf/1/maxLength'])
  expect(faults({ allOf: [{ allOf: [{ const: 'a' }, { const: 'b' }] }, { enum: ['a', 'b'] }] }).map(([pointer]) => pointer)).toEqual(['/allOf/0/allOf/1/const'])
  // At one number, an exclusive bound is the tighter, wherever it is among many.
  expect(faults({ allOf: [{ minimum: 5 }, { maximum: 5 }, { exclusiveMaximum: 5 }, { maximum: 6 }] }).map(([pointer]) => pointer)).toEqual(['/allOf/2/exclusiveMaximum'])
  // As many schemas as a definition's size allows are looked at in linear time (every pair would be billions).
  const many = [...Array.from({ length: 59_998 }, () => ({ minLength: 1, enum: ['a', 'b'] })), { maxLength: 0 }, { const: 'c' }]
  expect(findSchemaFaults({ allOf: many }, [])).toEqual([
    expect.objectContaining({ pointer: '/allOf/59998/maxLength' }),
    expect.objectContaining({ pointer: '/allOf/59999/const', message: expect.stringContaining('and 59,995 more apply') as string }),
  ])
  for (const fine of [{ type: 'string', allOf: [{ minLength: 3 }, { maxLength: 3 }] }, { type: 'number', allOf: [{ minimum: 5 }, { maximum: 5 }] },
    { allOf: [{ enum: ['a', 'b'] }, { enum: ['b', 'c'] }] }, { anyOf: [{ minLength: 5 }, { maxLength: 3 }] }, { allOf: [{ minimum: 1 }, { exclusiveMaximum: 1.5 }] }]) {
    expect(faults(fine), JSON.stringify(fine)).toEqual([])
    const validate = ajv.compile(fine)
    expect(probes.some((value) => validate(value)), JSON.stringify(fine)).toBe(true)
  }
})
