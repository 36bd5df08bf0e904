import { describe, expect, it } from 'vitest'
import { compileProcess, fieldProblems, TEXT_RULE } from '../../../engine/index.js'
import { MAX_FIELD_PROBLEMS, MAX_VALUES_CHECKED_IN_FULL } from '../../../engine/definition/json-schema.js'

/** The validator of an action whose inputs are `properties`. */
function inputsOf(properties: string): (inputs: unknown) => ReturnType<typeof fieldProblems> {
  const result = compileProcess(`
id: bounds
version: 1
title: Bounds
roles: [customer]
steps:
  - id: send
    title: Send
    actor: customer
    actions:
      send:
        end: sent
        inputs:
          type: object
          properties:
${properties}
`, 'bounds.yaml')
  if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
  const validate = result.process.steps.get('send')?.actions.get('send')?.inputs.validate
  if (!validate) throw new Error('no validator')
  return (inputs) => validate(inputs) ? [] : fieldProblems(validate.errors)
}

describe('checking what an actor sends costs what the schema bounds, whatever is sent', () => {
  it('compares the items of a uniqueItems list only once it is within maxItems', () => {
    const problems = inputsOf('            list: { type: array, maxItems: 20, uniqueItems: true, items: { type: object, properties: { a: { type: integer } } } }')
    expect(problems({ list: [{ a: 1 }, { a: 1 }] })).toEqual([{ pointer: '/list', rule: 'uniqueItems', message: 'must not hold the same item twice (items 0 and 1 are the same)' }])
    // 2,000 items, every one the same: too many, and that is all that is said (the pairs were never compared).
    expect(problems({ list: Array.from({ length: 2_000 }, () => ({ a: 1 })) })).toEqual([{ pointer: '/list', rule: 'maxItems', message: 'must have at most 20 items' }])
  })

  it('says what a bound accepts, in words', () => {
    const problems = inputsOf('            name: { type: string, minLength: 2, maxLength: 3 }\n            count: { type: number, exclusiveMinimum: 0, maximum: 10 }\n            tags: { type: array, minItems: 1, items: { type: string } }')
    expect(problems({ name: 'x', count: 0, tags: [] }).map((p) => `${p.pointer} ${p.message}`)).toEqual([
      '/name must be at least 2 characters long', '/count must be more than 0', '/tags must have at least 1 item',
    ])
    expect(problems({ name: 'long', count: 11 }).map((p) => `${p.pointer} ${p.message}`)).toEqual(['/name must be at most 3 characters long', '/count must be at most 10'])
  })

  it(`lists at most ${MAX_FIELD_PROBLEMS} problems, the first found`, () => {
    const problems = inputsOf('            names: { type: array, items: { type: string } }')
    const found = problems({ names: Array.from({ length: 1_000 }, (_, i) => i) })
    expect(found).toHaveLength(MAX_FIELD_PROBLEMS)
    expect(found[0]).toEqual({ pointer: '/names/0', rule: 'type', message: 'must be string' })
  })

  it(`checks an input of more than ${MAX_VALUES_CHECKED_IN_FULL.toLocaleString('en')} values up to its first problem, and accepts a valid one`, () => {
    const problems = inputsOf('            rows: { type: array, items: { type: object, required: [name], properties: { name: { type: string } } } }')
    const many = Array.from({ length: MAX_VALUES_CHECKED_IN_FULL }, () => ({}))
    expect(problems({ rows: many })).toEqual([{ pointer: '/rows/0/name', rule: 'required', message: 'is required' }])
    expect(problems({ rows: many.map((_, i) => ({ name: `n-${i}` })) })).toEqual([])
    // A megabyte of empty objects (340,000), as a body may hold.
    expect(problems({ rows: Array.from({ length: 340_000 }, () => ({})) })).toEqual([{ pointer: '/rows/0/name', rule: 'required', message: 'is required' }])
    // Just within the bound, every problem is looked for (and the first hundred listed).
    expect(problems({ rows: many.slice(0, MAX_VALUES_CHECKED_IN_FULL / 2 - 1) })).toHaveLength(MAX_FIELD_PROBLEMS)
  })
})

describe('format: text, for what a person must write', () => {
  it('accepts any text that shows something, line breaks and tabs included', () => {
    const problems = inputsOf('            note: { type: string, format: text, maxLength: 100 }')
    for (const note of ['x', '  Alice  ', 'Line one\nline two\twith a tab', '需求说明', '\u200bvisible']) expect(problems({ note }), note).toEqual([])
  })

  it('refuses text that shows nothing, or holds control characters, saying so at the field', () => {
    const problems = inputsOf('            note: { type: string, format: text, maxLength: 100 }')
    for (const note of ['', ' ', '   \n\t ', '\u200b\u200e', 'bell\u0007', 'nul\u0000', 'esc\u001b[2J']) {
      expect(problems({ note }), JSON.stringify(note)).toEqual([{ pointer: '/note', rule: 'format', message: TEXT_RULE }])
    }
  })
})
