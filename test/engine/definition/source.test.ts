import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR, compileProcess, MAX_DEFINITION_BYTES, MAX_NESTING_DEPTH } from '../../../engine/index.js'
import type { CompileResult } from '../../../engine/index.js'
import { readSource } from '../../../engine/definition/source.js'

/** Reading YAML: every problem located where a person must look, named in words, and bounded. */

const HEAD = 'id: demo\nversion: 1\ntitle: 演示\nroles: [customer, isv]\n'
const STEPS = `steps:
  - id: deliver
    title: Deliver
    actor: isv
    actions:
      finish: {}
  - id: confirm
    title: Confirm
    actor: customer
    actions:
      confirm:
        end: completed
`

function problemsOf(result: CompileResult): Array<{ code: string; line: number; column: number; message: string; hint: string | undefined }> {
  if (result.ok) return []
  return result.errors.map((e) => ({ code: e.code, line: e.location.line, column: e.location.column, message: e.message, hint: e.hint }))
}

const compile = (text: string): CompileResult => compileProcess(text, 'demo.yaml')

describe('an unclosed quote or bracket', () => {
  it('is reported once, where it was opened, not where the parser gave up', () => {
    const text = `${HEAD}${STEPS.replace('title: Deliver', 'title: "Deliver on time')}`
    expect(problemsOf(compile(text))).toEqual([expect.objectContaining({ code: 'definition.yaml-syntax', line: 7, column: 12, message: expect.stringContaining('never closed') })])
  })

  it('a single quote with an escaped quote inside', () => {
    const text = `${HEAD}${STEPS.replace('title: Deliver', "title: 'Don''t deliver")}`
    expect(problemsOf(compile(text))).toEqual([expect.objectContaining({ line: 7, column: 12, message: expect.stringContaining('single quote') })])
  })

  it('a [ or { opened and never closed, without the errors that follow from it', () => {
    for (const [broken, column] of [['actor: [isv, customer', 12], ['finish: { title: Finish', 15]] as const) {
      const text = `${HEAD}${STEPS.replace(broken.startsWith('actor') ? 'actor: isv' : 'finish: {}', broken)}`
      const problems = problemsOf(compile(text))
      expect(problems).toHaveLength(1)
      expect(problems[0]).toMatchObject({ code: 'definition.yaml-syntax', column, message: expect.stringMatching(/^The [[{] opened here is never closed with [\]}]\.$/) })
    }
  })

  it('but a closed quote over several lines and a closed bracket on the next line are fine', () => {
    const text = `${HEAD}${STEPS.replace('title: Deliver', 'title: "Deliver\n      on time"').replace('roles: [customer, isv]', 'roles: [customer,\n  isv]')}`
    expect(problemsOf(compile(text))).toEqual([])
  })
})

describe('a stray bracket that the parser recovers from', () => {
  it('locates every error on its own line, within it, however many lines the recovered token spans', () => {
    const text = `${HEAD}steps:\n  ]- id: a\n    title: b\n    actor: c\n`
    const problems = problemsOf(compile(text))
    expect(problems.length).toBeGreaterThanOrEqual(3)
    const lines = text.split('\n')
    for (const p of problems) expect(p.column, `${p.line}:${p.column} ${p.message}`).toBeLessThanOrEqual((lines[p.line - 1] ?? '').length + 1)
    expect(problems[0]).toMatchObject({ line: 6, column: 3 })
    expect(problems.map((p) => p.line)).toEqual(expect.arrayContaining([6, 7, 8]))
  })
})

describe('indentation', () => {
  const located = (text: string): string[] => problemsOf(compileProcess(text, 'demo.yaml')).map((p) => `${p.line}:${p.column} ${p.message}`)

  it.each([
    ['a key of a list item indented one space deeper than the one above it', `${HEAD}steps:\n  - id: check\n     title: Check\n`, '7:6 `title:` is indented 5 spaces, deeper than `id:` on line 6 (4)'],
    ['a top-level key indented one space', `id: demo\nversion: 1\n title: Demo\n`, '3:2 `title:` is indented 1 space, deeper than `version:` on line 2 (0)'],
    ['a key of a mapping indented one space less than the one above it', `${HEAD}context:\n  type: object\n # the fields\n properties: {}\n`, '8:2 `properties:` is indented 1 space, less than `type:` on line 6 (2)'],
    ['a key of a list item indented one space less', `${HEAD}steps:\n  - id: check\n    title: Check\n   actor: customer\n    actions: { done: { end: completed } }\n`, '8:4 `actor:` is indented 3 spaces, less than `title:` on line 7 (4)'],
  ])('reports %s once, at that key, with the column to move it to', (_, text, first) => {
    const problems = located(text)
    expect(problems).toEqual([expect.stringContaining(first) as string])
  })

  it('reports a tab once on its line, with no other problem of that line', () => {
    const problems = located(`${HEAD}steps:\n  - id: check\n\ttitle: Check\n`)
    expect(problems[0]).toContain('7:1 Tabs are not allowed')
    expect(problems.filter((p) => p.startsWith('7:'))).toHaveLength(1)
  })

  it('names a tab that indents the lines of a block scalar as a tab', () => {
    expect(located(`${HEAD}description: |
	indented with a tab
steps: []
`)).toEqual([expect.stringContaining('6:1 Tabs are not allowed as indentation') as string])
  })
})

describe('anchors and aliases', () => {
  it('used as intended, they compile, and a merge key (<<) merges a mapping', () => {
    const text = `${HEAD}steps:
  - &customer-step
    id: deliver
    title: Deliver
    actor: isv
    actions:
      finish:
        inputs: &note
          type: object
          properties:
            note: { type: string, maxLength: 100 }
  - <<: *customer-step
    id: confirm
    title: Confirm
    actor: customer
    actions:
      confirm:
        inputs: *note
        end: completed
`
    const result = compile(text)
    expect(problemsOf(result)).toEqual([])
    if (result.ok) expect(result.process.steps.get('confirm')?.actions.get('confirm')?.inputs.validate({ note: 'x'.repeat(101) })).toBe(false)
  })

  it('a mistake inside a merged or aliased mapping is located where it is written, once', () => {
    const text = `${HEAD}steps:
  - &step
    id: deliver
    title: Deliver
    actr: isv
    actions:
      finish: {}
  - <<: *step
    id: confirm
  - *step
`
    const problems = problemsOf(compile(text))
    expect(problems.filter((p) => p.message.includes('"actr"'))).toEqual([expect.objectContaining({ code: 'definition.schema', line: 9, column: 5, hint: 'Did you mean "actor"?' })])
  })

  it('an unknown alias is reported at the alias, with the anchors that exist', () => {
    const text = `${HEAD}${STEPS.replace('actor: isv', 'actor: &executor isv').replace('actor: customer', 'actor: *exeuctor')}`
    expect(problemsOf(compile(text))).toEqual([{ code: 'definition.unknown-alias', line: 13, column: 12, message: 'The alias *exeuctor names no anchor &exeuctor before it.', hint: 'Did you mean *executor? Anchors defined before it: &executor.' }])
  })

  it('an alias before its anchor is told so', () => {
    const text = `${HEAD}${STEPS.replace('actor: isv', 'actor: *who').replace('actor: customer', 'actor: &who customer')}`
    expect(problemsOf(compile(text))).toEqual([expect.objectContaining({ code: 'definition.unknown-alias', line: 8, hint: expect.stringContaining('comes later') })])
  })

  it('a billion laughs is refused with a clear message, not expanded', () => {
    const lines = ['x-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
    for (let i = 1; i < 10; i++) lines.push(`x-${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`)
    const problems = problemsOf(compile(`${HEAD}${lines.join('\n')}\n${STEPS}`))
    expect(problems).toEqual([expect.objectContaining({ code: 'definition.alias-limit', message: expect.stringContaining('more than 10,000 values') })])
  })

  it('an alias inside the node it repeats is refused, not followed for ever', () => {
    expect(problemsOf(compile(`${HEAD.replace('roles: [customer, isv]', 'roles: &r [customer, *r]')}${STEPS}`))).toEqual([expect.objectContaining({ code: 'definition.alias-limit', line: 4, column: 22 })])
  })

  it('aliases that nest a value too deeply are refused at the alias', () => {
    const lines = ['x-0: &d0 [x]']
    for (let i = 1; i <= MAX_NESTING_DEPTH; i++) lines.push(`x-${i}: &d${i} [*d${i - 1}]`)
    const problems = problemsOf(compile(`${HEAD}${lines.join('\n')}\n${STEPS}`))
    expect(problems).toEqual([expect.objectContaining({ code: 'definition.too-deep', line: 4 + MAX_NESTING_DEPTH })])
  })

  it('a merge key whose value is not a mapping is named', () => {
    const text = `${HEAD}${STEPS.replace('    title: Confirm', '    <<: *who\n    title: Confirm').replace('actor: isv', 'actor: &who isv')}`
    expect(problemsOf(compile(text))).toEqual([expect.objectContaining({ code: 'definition.yaml-syntax', line: 12, column: 9, message: expect.stringContaining('merge key') })])
  })
})

describe('bounds', () => {
  it('10,000 levels of nesting are refused as too deep, in flow and block style, not as a stack overflow', () => {
    for (const deep of [' ['.repeat(10_000) + ']'.repeat(10_000), '\n  ' + '- '.repeat(10_000) + 'x', ' ' + '{a: '.repeat(10_000) + '1' + '}'.repeat(10_000)]) {
      const problems = problemsOf(compile(`${HEAD}x:${deep}\n${STEPS}`))
      expect(problems).toEqual([expect.objectContaining({ code: 'definition.too-deep', message: expect.stringContaining(`${MAX_NESTING_DEPTH} levels`) })])
    }
  })

  it('text over 1 MiB is refused before it is parsed', () => {
    const problems = problemsOf(compile(`${HEAD}${STEPS}description: "${'字'.repeat(MAX_DEFINITION_BYTES / 3)}"\n`))
    expect(problems).toEqual([expect.objectContaining({ code: 'definition.too-large', line: 1, column: 1 })])
  })

  it('1 MiB of tiny values is refused by its number of tokens', () => {
    const problems = problemsOf(compile(`${HEAD}${STEPS}x: [${'1,'.repeat(400_000)}1]\n`))
    expect(problems).toEqual([expect.objectContaining({ code: 'definition.too-large', message: expect.stringContaining('YAML tokens') })])
  })

  it('a file of many mistakes lists the first 100', () => {
    const steps = Array.from({ length: 500 }, (_, i) => `  - { id: Step${i} }`).join('\n')
    const result = compile(`${HEAD}steps:\n${steps}\n`)
    expect(problemsOf(result)).toHaveLength(100)
    expect(problemsOf(result)[0]).toMatchObject({ line: 6 })
  })
})

describe('what is not a process definition is named', () => {
  it.each([
    ['an empty file', '', 'The file is empty.'],
    ['blank lines', '\n\n  \n', 'The file is empty.'],
    ['comments only', '# yaml-language-server: $schema=../schemas/process.schema.json\n# to do\n', 'The file holds only comments (or document markers), no process.'],
  ])('%s', (_, text, message) => {
    expect(problemsOf(compile(text))).toEqual([expect.objectContaining({ code: 'definition.empty', line: 1, column: 1, message })])
  })

  it('binary text and control characters, at the character', () => {
    expect(problemsOf(compile(`${HEAD}x: "a\u0000b"\n`))).toEqual([expect.objectContaining({ code: 'definition.encoding', line: 5, column: 6, message: expect.stringContaining('binary') })])
    expect(problemsOf(compile(`${HEAD}x: "a\u001bb"\n`))).toEqual([expect.objectContaining({ code: 'definition.encoding', line: 5, column: 6, message: expect.stringContaining('U+001B') })])
  })

  it('a list or a plain value instead of a mapping', () => {
    expect(problemsOf(compile('- id: demo\n'))).toEqual([expect.objectContaining({ code: 'definition.schema', message: expect.stringContaining('holds a list, not a process') })])
    expect(problemsOf(compile('just some text\n'))).toEqual([expect.objectContaining({ code: 'definition.schema', message: expect.stringContaining('holds only the text "just some text", not a process') })])
  })

  it('a second document', () => {
    expect(problemsOf(compile(`${HEAD}${STEPS}---\nid: other\n`))).toEqual([expect.objectContaining({ code: 'definition.yaml-syntax', line: 17, column: 1, message: expect.stringContaining('second YAML document') })])
    // After `...`, which ends a document, the hint names that marker.
    expect(problemsOf(compile(`---\n${HEAD}${STEPS}...\nid: other\n`))).toEqual([expect.objectContaining({ code: 'definition.yaml-syntax', line: 19, hint: expect.stringContaining('Remove the `...` line') })])
    expect(problemsOf(compile(`${HEAD}${STEPS}---\nid: other\n`))).toEqual([expect.objectContaining({ hint: expect.stringContaining('Remove the `---` line') })])
    // The first document after empty ones; one holding only a tag or an anchor holds a value (null).
    expect(problemsOf(compile(`${HEAD}${STEPS}---\n---\n# note\n---\nid: other\n`))).toEqual([expect.objectContaining({ code: 'definition.yaml-syntax', line: 20, column: 1 })])
    expect(problemsOf(compile(`${HEAD}${STEPS}--- !!null\n`))).toEqual([expect.objectContaining({ code: 'definition.yaml-syntax', line: 17 })])
    expect(problemsOf(compile(`${HEAD}${STEPS}---\n&a\n`))).toEqual([expect.objectContaining({ code: 'definition.yaml-syntax', line: 17 })])
  })

  it('accepts documents holding nothing after the process: a `---` or `...` line, comments', () => {
    for (const tail of ['---\n', '---', '...\n', '---\n# the end\n', '--- # the end\n...\n---\n\n']) {
      const result = compile(`${HEAD}${STEPS}${tail}`)
      expect(result.ok, JSON.stringify(tail)).toBe(true)
    }
  })
})

describe('reading never throws', () => {
  it.each([
    '[', '{', '"', "'", '&a', '*a', '<<: 1', '<<: *a', '? [a, b]\n: c', '!!binary x', '\uFEFF', '%YAML 1.1\n---\na: 1', 'a: !foo x',
    '\ta: 1', 'a:\n\t- b', '- - - - -', ': : :', '@foo', '`x`', '|\n  text', 'a: &x\n  b: *x', '--- !!map\n? a', '\r\r\r', '\u2028', 'a: b\n...\n...',
    '{a: 1, a: 2}', '[*a, &a 1]', '&a [*a]', 'x: &a {<<: *a}', '__proto__: {polluted: true}\nconstructor: 1',
  ])('%j gives located problems with a code and a hint', (text) => {
    const result = compile(text)
    expect(result.ok).toBe(false)
    for (const problem of problemsOf(result)) {
      expect(problem.code).toMatch(/^definition\./)
      expect(problem.line).toBeGreaterThanOrEqual(1)
      expect(problem.hint).toBeTruthy()
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})

describe('the data read from YAML', () => {
  it('is what yaml itself makes of it, for every built-in process and a file using merge keys', () => {
    const texts = readdirSync(BUILT_IN_PROCESS_DIR).filter((name) => name.endsWith('.yaml')).map((name) => readFileSync(join(BUILT_IN_PROCESS_DIR, name), 'utf8'))
    texts.push('base: &base { a: 1, b: [x, y], c: { d: ~ } }\nmore: &more { b: 2, e: .inf }\nuse:\n  <<: [*base, *more]\n  a: 3\nlist: [*base, *more]\nkeys: { 1: one, true: yes, null: nothing, "<<": quoted }\n')
    for (const text of texts) expect(readSource(text, 'x.yaml').value).toEqual(parse(text, { merge: true }))
  })
})

describe('keys', () => {
  it('takes a null key (~) and "" as the one key they both become, and reports it twice', () => {
    const problems = problemsOf(compileProcess(`${HEAD}context:\n  type: object\n  properties:\n    ~: { type: string }\n    "": { type: integer }\n${STEPS}`, 'demo.yaml'))
    expect(problems.map((p) => [p.code, p.line, p.column])).toEqual([['definition.duplicate-key', 9, 5]])
  })
})
