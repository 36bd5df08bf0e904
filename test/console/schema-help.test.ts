import { describe, expect, it } from 'vitest'
import processSchema from '../../schemas/process.schema.json' with { type: 'json' }
import { describeKey, keysAt, pathAt } from '../../console/browser/schema-help.js'
import type { Schema } from '../../console/browser/schema-help.js'

const schema = processSchema as Schema
const TEXT = `id: x
version: 1
steps:
  - id: a
    title: A
    actions:
      submit:
        title: Submit

  - id: b
    timeout:
      after: P1D
      
`
const lines = TEXT.split('\n')

describe('help from the language\'s schema while typing YAML', () => {
  it('finds the path of mappings and list items that holds the cursor', () => {
    expect(pathAt(lines, 8, 8)).toEqual(['steps', '[]', 'actions', 'submit'])
    expect(pathAt(lines, 10, 4)).toEqual(['steps', '[]'])
    expect(pathAt(lines, 12, 6)).toEqual(['steps', '[]', 'timeout'])
    expect(pathAt(lines, 2, 0)).toEqual([])
  })

  it('offers the keys the schema allows there, less those written', () => {
    const action = keysAt(schema, TEXT, 8, 8).map((k) => k.key)
    expect(action).toEqual(expect.arrayContaining(['inputs', 'attachments', 'goto', 'end']))
    expect(action).not.toContain('title')
    const step = keysAt(schema, TEXT, 10, 4).map((k) => k.key)
    expect(step).toEqual(expect.arrayContaining(['title', 'actor', 'actions']))
    // `id` is written on the item's dash line.
    expect(step).not.toContain('id')
    expect(keysAt(schema, TEXT, 12, 6).map((k) => k.key)).toEqual(expect.arrayContaining(['action', 'remind']))
    expect(keysAt(schema, TEXT, 12, 6).map((k) => k.key)).not.toContain('after')
    const root = keysAt(schema, TEXT, 2, 0)
    expect(root.map((k) => k.key)).not.toContain('version')
    expect(root.find((k) => k.key === 'timeZone')?.description).toMatch(/time zone/i)
  })

  it('explains a key by its schema description', () => {
    expect(describeKey(schema, TEXT, 5)?.description).toMatch(/actions the actor may take/)
    expect(describeKey(schema, TEXT, 11)?.key).toBe('after')
    expect(describeKey(schema, TEXT, 7)).toMatchObject({ key: 'title' })
    expect(describeKey(schema, TEXT, 9)).toMatchObject({ key: 'id' })
    expect(describeKey(schema, TEXT, 8)).toBeUndefined()
  })
})
