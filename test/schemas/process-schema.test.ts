import { describe, expect, it } from 'vitest'
import schema from '../../schemas/process.schema.json' with { type: 'json' }

/** Every `properties` entry of every subschema, with its JSON Pointer. */
function propertiesOf(node: unknown, pointer = ''): Array<{ pointer: string; property: Record<string, unknown> }> {
  if (typeof node !== 'object' || node === null) return []
  const found: Array<{ pointer: string; property: Record<string, unknown> }> = []
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' && typeof value === 'object' && value !== null) {
      for (const [name, property] of Object.entries(value)) {
        found.push({ pointer: `${pointer}/properties/${name}`, property: property as Record<string, unknown> })
      }
    }
    found.push(...propertiesOf(value, `${pointer}/${key}`))
  }
  return found
}

describe('schemas/process.schema.json', () => {
  it('describes every property so editors can show help', () => {
    const properties = propertiesOf(schema)
    expect(properties.length).toBeGreaterThan(40)
    const undocumented = properties.filter(({ property }) => typeof property['description'] !== 'string' || property['description'] === '')
    expect(undocumented.map(({ pointer }) => pointer)).toEqual([])
  })

  it('states the accepted forms of every pattern in words, with an example (patternErrorMessage)', () => {
    const patterns: Array<{ pointer: string; message: unknown }> = []
    const walk = (node: unknown, pointer: string): void => {
      if (typeof node !== 'object' || node === null) return
      const schema = node as Record<string, unknown>
      if (typeof schema['pattern'] === 'string') patterns.push({ pointer, message: schema['patternErrorMessage'] })
      for (const [key, value] of Object.entries(schema)) walk(value, `${pointer}/${key}`)
    }
    walk(schema, '')
    expect(patterns.length).toBeGreaterThanOrEqual(8)
    expect(patterns.filter(({ message }) => typeof message !== 'string' || !/e\.g\. `[^`]+`/.test(message)).map(({ pointer }) => pointer)).toEqual([])
  })

  it('describes every shared definition', () => {
    const undocumented = Object.entries(schema.$defs).filter(([, def]) => typeof (def as { description?: unknown }).description !== 'string')
    expect(undocumented.map(([name]) => name)).toEqual([])
  })
})
