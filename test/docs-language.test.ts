import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * docs/language.md kept in step with schemas/process.schema.json, the definitive reference of the
 * language. Reading two files and walking one JSON document: a few milliseconds.
 *
 * Why it fails when it should: `fieldsOf` walks the whole schema (the top level and every
 * `$defs` entry, with their nested objects: a step's `timeout` and `otherwise`, an action's
 * `onMaxRounds`, a window's `onExpiry`, a calendar, `businessDays`, ...) and collects every name
 * under a `properties`; the first test looks for each as `name` in backticks in the prose of the
 * document, code blocks left out. Adding a property to the schema (say `priority` to a step)
 * without writing `priority` in the prose leaves it out of `mentioned` and the test names it. So
 * it did for `businessDays`, `calendar` and `workingDays` when it was written: they appeared only
 * in a YAML example, and the calendar's table was added. The second test makes the table of
 * "The process" list exactly the schema's top-level properties, and every whole definition of
 * the document use none other, so a key the schema lacks (or a removed one) fails as well.
 */

const ROOT = join(import.meta.dirname, '..')
const doc = readFileSync(join(ROOT, 'docs/language.md'), 'utf8')
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/process.schema.json'), 'utf8')) as unknown

/** The document without its fenced code blocks: a name written only in an example is not explained. */
const prose = doc.replace(/^```[\s\S]*?^```$/gm, '')

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Every property name the schema defines, with where: `/$defs/step/properties/timeout: after`. */
function fieldsOf(node: unknown, path: string): { readonly where: string, readonly name: string }[] {
  if (Array.isArray(node)) return node.flatMap((item, index) => fieldsOf(item, `${path}/${index}`))
  if (!isObject(node)) return []
  const own = isObject(node['properties']) ? Object.keys(node['properties']).map((name) => ({ where: path, name })) : []
  return [...own, ...Object.entries(node).flatMap(([key, value]) => fieldsOf(value, `${path}/${key}`))]
}

/** The rows of the table under `## The process`: the first cell's name in backticks. */
function processTable(): string[] {
  const section = /^## The process\n([\s\S]*?)^## /m.exec(doc)?.[1] ?? ''
  return [...section.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((match) => match[1] as string)
}

describe('docs/language.md and schemas/process.schema.json', () => {
  it('every property the schema defines is named in the prose of the document', () => {
    const fields = fieldsOf(schema, '')
    // The walk reaches the nested objects, not only the top level (a change that stopped it would
    // make this test prove little).
    expect(fields.map((field) => field.name)).toEqual(expect.arrayContaining(['steps', 'onMaxRounds', 'maxSize', 'onExpiry', 'workingDates', 'businessDays']))
    const undocumented = fields.filter((field) => !prose.includes(`\`${field.name}\``)).map((field) => `${field.where}: ${field.name}`)
    expect(undocumented, 'properties of the schema that docs/language.md never names in backticks').toEqual([])
  })

  it('"The process" lists exactly the top-level properties, and the examples use no other', () => {
    const top = isObject(schema) && isObject(schema['properties']) ? Object.keys(schema['properties']) : []
    expect(top.length).toBeGreaterThan(5)
    expect(processTable().sort()).toEqual([...top].sort())
    const examples = [...doc.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((match) => match[1] as string).filter((block) => /^id:/m.test(block))
    expect(examples.length).toBeGreaterThanOrEqual(2)
    const keys = new Set(examples.flatMap((block) => [...block.matchAll(/^([A-Za-z][\w-]*):/gm)].map((match) => match[1] as string)))
    expect([...keys].filter((key) => !top.includes(key))).toEqual([])
  })
})
