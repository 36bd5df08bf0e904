import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { expect, it } from 'vitest'

// The engine and the server compile their own schemas without checking them against the
// meta-schema at every start (ajv's `validateSchema: false`): it is checked here, for every file.
const DIR = join(import.meta.dirname, '../../schemas')
const FILES = readdirSync(DIR).filter((name) => name.endsWith('.schema.json'))

it('covers every schema the repository ships', () => {
  expect(FILES).toEqual(expect.arrayContaining(['api.schema.json', 'process.schema.json', 'scenario.schema.json']))
})

it.each(FILES)('schemas/%s is valid against the JSON Schema 2020-12 meta-schema', (name) => {
  const schema = JSON.parse(readFileSync(join(DIR, name), 'utf8')) as Record<string, unknown>
  expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema')
  const ajv = new Ajv2020({ strict: true })
  expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true)
  // The check can fail: a keyword of the wrong type is refused.
  expect(ajv.validateSchema({ ...schema, type: 7 })).toBe(false)
})
