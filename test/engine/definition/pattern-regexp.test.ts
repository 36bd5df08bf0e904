import { describe, expect, it } from 'vitest'
import { compileProcess } from '../../../engine/index.js'

// The patterns of input schemas, run without the u flag where that means the same (so that V8 can
// leave a match that backtracks too much for its linear engine), still mean what they say.

function validator(properties: string): (inputs: unknown) => boolean {
  const text = `id: p\nversion: 1\ntitle: P\nroles: [customer]\nsteps:\n  - id: a\n    title: A\n    actor: customer\n    actions:\n      go:\n        title: Go\n        end: done\n        inputs: { type: object, properties: ${properties} }\n`
  const compiled = compileProcess(text, 'p.yaml')
  if (!compiled.ok) throw new Error(compiled.errors.map(String).join('\n'))
  const validate = compiled.process.steps.get('a')?.actions.get('go')?.inputs?.validate
  if (!validate) throw new Error('no inputs')
  return (inputs) => validate(inputs) === true
}

describe('input patterns', () => {
  it('checks each pattern of a schema against its own property', () => {
    const valid = validator(String.raw`{ code: { type: string, pattern: '^[0-9]{6}$' }, name: { type: string, pattern: '^[a-z]+$' } }`)
    expect(valid({ code: '123456', name: 'abc' })).toBe(true)
    expect(valid({ code: 'abc', name: 'abc' })).toBe(false)
    expect(valid({ code: '123456', name: '123456' })).toBe(false)
  })

  it('counts a character beyond the BMP as one, as the u flag does, and keeps \\p{...}', () => {
    const valid = validator(String.raw`{ one: { type: string, pattern: '^.$' }, letters: { type: string, pattern: '^\p{L}+$' } }`)
    expect(valid({ one: '😀' })).toBe(true)
    expect(valid({ one: 'ab' })).toBe(false)
    expect(valid({ letters: '标题' })).toBe(true)
    expect(valid({ letters: '标题1' })).toBe(false)
  })

  it('answers at once on an input that makes a backtracking engine share digits out every way', () => {
    const valid = validator(String.raw`{ x: { type: string, pattern: '\d*\d*\d*\d*\d*\d*\d*\d*x' } }`)
    const started = performance.now()
    expect(valid({ x: '1'.repeat(200) })).toBe(false)
    expect(valid({ x: '12x' })).toBe(true)
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
