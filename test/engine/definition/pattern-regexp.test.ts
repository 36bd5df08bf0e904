import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileProcess } from '../../../engine/index.js'
import { linearWherePossible, patternRegExp, UnsafePatternError, withoutIgnoreCase } from '../../../engine/definition/pattern-regexp.js'
import { propertyEscapes, repetitions } from '../../../engine/definition/backtracking.js'
import { MAX_PROPERTY_ESCAPES } from '../../../engine/definition/limits.js'

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

// None of these answers is timed: on the backtracking engine each would run far past the test's
// 30 s timeout (hours for the shared-out digits, about 70 s for the search of 200,000 letters).
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
    expect(valid({ x: '1'.repeat(200) })).toBe(false)
    expect(valid({ x: '12x' })).toBe(true)
  })

  it('searches a long text in one pass, where a pattern that is not anchored took its length squared', () => {
    // The backtracking engine tries each place in turn, each to the end: 2.9 s on 40,000 letters, about 70 s on 200,000.
    const valid = validator(String.raw`{ x: { type: string, pattern: '[a-z]+[0-9]' }, y: { type: string, pattern: '\w+@\w+' } }`)
    expect(valid({ x: 'a'.repeat(200_000), y: 'a'.repeat(200_000) })).toBe(false)
    expect(valid({ x: `${'a'.repeat(200_000)}1`, y: 'me@example' })).toBe(true)
  })

  it('answers at once with a pattern only the u flag reads, and with a plain one on text beyond the BMP', () => {
    const valid = validator(String.raw`{ letters: { type: string, pattern: '\p{L}*\p{L}*\p{L}*\p{L}*\p{L}*\p{L}*\p{L}*\p{L}*x' }, digits: { type: string, pattern: '\d*\d*\d*\d*\d*\d*\d*\d*x' } }`)
    // With the u flag, six of these took 146 ms on 40 letters, and the time grows as the sixth power of the length.
    expect(valid({ letters: 'é'.repeat(200) + '!' })).toBe(false)
    expect(valid({ digits: '1'.repeat(200) + '😀' })).toBe(false)
    expect(valid({ letters: 'éabc标题x', digits: '😀12x' })).toBe(true)
  })

  it('answers at once with . or a negated class on text beyond the BMP or with a lone surrogate, whose rewriting matched lone surrogates by lookarounds', () => {
    const valid = validator(String.raw`{ any: { type: string, pattern: '^.*.*.*.*.*.*.*x$' }, other: { type: string, pattern: '^[^x]*[^x]*[^x]*[^x]*[^x]*[^x]*[^x]*y$' } }`)
    // Before, 5.6 s for the first on 46 characters: the lookarounds kept it on the backtracking engine.
    expect(valid({ any: `😀${'a'.repeat(60)}` })).toBe(false)
    expect(valid({ other: `😀${'a'.repeat(60)}` })).toBe(false)
    expect(valid({ any: `\ud83d${'a'.repeat(60)}`, other: `a\ude00${'a'.repeat(60)}` })).toBe(false)
    expect(valid({ any: '😀ax', other: 'a😀y' })).toBe(true)
  })

  it('matches what the pattern matches with the u flag, whatever the text', () => {
    const patterns = ['^.$', '^.{2}$', '^[^a]$', String.raw`^\p{L}+$`, String.raw`^\P{L}$`, String.raw`^\u{1F600}+$`, '^[😀-😂]$', String.raw`^\p{Script=Han}{2,4}$`,
      String.raw`^[a-z\p{Emoji_Presentation}]+$`, String.raw`^\S+$`, String.raw`^[\s\S]$`, String.raw`^\d{2}\D$`, String.raw`^(?<word>\p{Lu})\p{Ll}*$`, '^.*b$', '^[^a]*$', String.raw`^\W+$`]
    const texts = ['😀', '😁', '😃', 'a', 'b', 'ab', '中文', '中文标题的', 'é', 'É', 'ÉÉ', '\ud83d', '\ude00', 'a\ud83d', '12x', '12😀', ' ', 'a😀b', '', '😀\ud83db', '\ude00😀', 'b\ud83d😀']
    for (const pattern of patterns) {
      const ours = patternRegExp(pattern, 'u')
      const theirs = new RegExp(pattern, 'u')
      for (const text of texts) expect([pattern, text, ours.test(text)]).toEqual([pattern, text, theirs.test(text)])
    }
  })
})

describe('the i flag, written out', () => {
  it('matches what the i flag matches, for any expression of ASCII and any text', () => {
    const part = fc.oneof(
      fc.constantFrom('a', 'B', 'z', 'Q', '_', '-', '0', '.', '^', '$', '|', '(', ')', '(?:', '*', '+', '?', '{2}', '{1,3}', String.raw`\d`, String.raw`\w`, String.raw`\W`, String.raw`\b`, String.raw`\-`, String.raw`\]`, '[]', '[^]'),
      fc.tuple(fc.boolean(), fc.constantFrom('a-f', 'X-b', '-q', 'z-', 'A', String.raw`\d`, ']', '_-a', 'Z-a', String.raw`\]a`)).map(([negated, body]) => `[${negated ? '^' : ''}${body}]`),
    )
    const texts = fc.array(fc.constantFrom('a', 'A', 'b', 'B', 'f', 'F', 'q', 'Q', 'x', 'X', 'z', 'Z', '-', '_', '[', ']', '`', '\\', '0', ' '), { maxLength: 6 }).map((chars) => chars.join(''))
    fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 8 }).map((parts) => parts.join('')), fc.array(texts, { minLength: 1, maxLength: 8 }), (source, samples) => {
      let withFlag: RegExp
      try {
        withFlag = new RegExp(source, 'i')
      } catch {
        return
      }
      const written = new RegExp(withoutIgnoreCase(source) as string)
      for (const text of samples) expect([source, text, written.exec(text)?.[0]]).toEqual([source, text, withFlag.exec(text)?.[0]])
    }), { numRuns: 3000 })
  })

  it('is not written out for a character beyond ASCII or a character given by its code, whose cases it does not read', () => {
    expect(withoutIgnoreCase('é+')).toBeUndefined()
    expect(withoutIgnoreCase(String.raw`\x41+`)).toBeUndefined()
    expect(withoutIgnoreCase(String.raw`\\x+`)).toBe(String.raw`\\[xX]+`)
  })

  it('lets a case-insensitive expression run on the linear engine: stacked repeats on a long text answer at once', () => {
    const linear = linearWherePossible('a*a*a*a*a*a*a*b', 'i')
    expect(linear.flags).toContain('l')
    // On the backtracking engine, past 30 s for 3,000 letters (the i flag kept it from leaving for the linear one).
    expect(linear.test('A'.repeat(3000))).toBe(false)
    expect(linear.test('aAaB')).toBe(true)
  })
})

it('counts repeats of a length the match chooses, those without a bound and optional parts: not a fixed count, a lazy mark, a group opening, or what a class or an escape holds', () => {
  expect(repetitions(String.raw`^a*b+?c{2}d{1,5}e{3,}f?g{0,1}h{1}[*+?]\*(?:x)+(?<n>y)?$`)).toEqual({ repeats: 5, unbounded: 4, optional: 3 })
})

describe('the last guard', () => {
  it('refuses to compile a pattern that needs backtracking or repeats a repetition, wherever ajv meets it', () => {
    for (const source of ['^(\\d)\\d*\\1$', '(?=a)a', '^(a+)+$', '[a-z]{1,100000}[0-9]']) expect(() => patternRegExp(source, 'u')).toThrow(UnsafePatternError)
    expect(patternRegExp('^[a-z]+$', 'u').test('abc')).toBe(true)
  })
})

it('counts property escapes inside classes and out, not an escaped backslash before p', () => {
  expect(propertyEscapes(String.raw`^\p{L}[\p{N}\P{Script=Han}_]\\p{x}\pL$`)).toBe(3)
  // A pattern past the limit is refused where ajv would compile it, before any rewriting.
  expect(() => patternRegExp(String.raw`\p{L}`.repeat(MAX_PROPERTY_ESCAPES + 1), 'u')).toThrow(UnsafePatternError)
  expect(patternRegExp(String.raw`^\p{L}{2,30}$`, 'u').test('Zoë')).toBe(true)
})
