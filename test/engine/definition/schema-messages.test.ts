import { describe, expect, it } from 'vitest'
import { compileProcess } from '../../../engine/index.js'
import type { CompileResult } from '../../../engine/index.js'

/**
 * What the schema and input-schema problems say: the one mistake made, where it was made, and
 * what is accepted (the corpus pins codes and positions; these pin the words that matter).
 */

const HEAD = 'id: demo\nversion: 1\ntitle: Demo\nroles: [customer, isv]\n'
const step = (body: string): string => `${HEAD}steps:\n  - id: deliver\n    title: Deliver\n    actor: isv\n${body}`
const FINISH = '    actions:\n      finish:\n        end: completed\n'

function problemsOf(result: CompileResult): Array<{ code: string; line: number; column: number; message: string; hint: string | undefined }> {
  if (result.ok) return []
  return result.errors.map((e) => ({ code: e.code, line: e.location.line, column: e.location.column, message: e.message, hint: e.hint }))
}

const compile = (text: string): CompileResult => compileProcess(text, 'demo.yaml')

/** A raw regular expression, as ajv's default message shows it. */
const REGEX = /\^|\$"|\[0-9\]|\(\?/

describe('a key YAML reads as no name', () => {
  it('is named as such, at the key, with what a name may be', () => {
    for (const key of ['~', 'null']) {
      expect(problemsOf(compile(step(`    actions:\n      ${key}: { end: completed }\n`)))).toEqual([expect.objectContaining({
        code: 'definition.schema', line: 10, column: 7,
        message: expect.stringMatching(/^An empty name \(a key written `~` or `null`, or none before the colon, which YAML reads as no name\) is not accepted\. Use lower-case kebab-case/) as unknown,
      })])
    }
  })
})

describe('a misspelt key', () => {
  it('is the one problem, at the key, with Did you mean, and not also a missing property', () => {
    const text = `${HEAD}steps:\n  - id: deliver\n    titel: Deliver\n    actor: isv\n${FINISH}`
    expect(problemsOf(compile(text))).toEqual([{ code: 'definition.schema', line: 7, column: 5, message: 'Unknown property "titel" in "/steps/0".', hint: 'Did you mean "title"?' }])
  })

  it('at the top level and in a timeout too', () => {
    expect(problemsOf(compile(`id: demo\nverison: 1\ntitle: Demo\nroles: [isv]\n${step(FINISH).slice(HEAD.length)}`)))
      .toEqual([expect.objectContaining({ line: 2, column: 1, message: 'Unknown property "verison" in the process.', hint: 'Did you mean "version"?' })])
    expect(problemsOf(compile(step(`    timeout:\n      aftr: P1D\n      action: finish\n${FINISH}`))))
      .toEqual([expect.objectContaining({ line: 10, column: 7, hint: 'Did you mean "after"?' })])
  })

  it('but a missing property with an unrelated unknown key is reported as both', () => {
    const text = `${HEAD}steps:\n  - id: deliver\n    deadline: P1D\n    actor: isv\n${FINISH}`
    const messages = problemsOf(compile(text)).map((p) => p.message)
    expect(messages).toEqual(['"/steps/0" is missing the required property "title".', 'Unknown property "deadline" in "/steps/0".'])
  })
})

describe('a value of the wrong form states the accepted forms with an example, never a regular expression', () => {
  it.each([
    ['a size', step('    actions:\n      finish:\n        end: completed\n        attachments:\n          report: { types: [pdf], maxSize: 5 mb }\n'), /`5 MB`/],
    ['a step id', step(FINISH).replace('id: deliver', 'id: Deliver_Now'), /kebab-case.*`confirm-delivery`/],
    ['an action id', step('    actions:\n      Finish:\n        end: completed\n'), /kebab-case.*`confirm-delivery`/],
    ['a parameter name', `${HEAD}parameters:\n  confirm-window: { type: duration }\n${step(FINISH).slice(HEAD.length)}`, /camelCase.*`confirmWindow`/],
    ['a holiday', `${HEAD}calendars:\n  cn: { workingDays: [mon], holidays: [2026-1-1] }\n${step(FINISH).slice(HEAD.length)}`, /YYYY-MM-DD.*`2026-10-01`/],
    ['a base process', `${HEAD}extends: Basic\n${step(FINISH).slice(HEAD.length)}`, /`basic@2`/],
  ])('%s', (_, text, accepted) => {
    const [problem, ...others] = problemsOf(compile(text))
    expect(others).toEqual([])
    expect(problem?.message).toMatch(accepted)
    expect(problem?.message).not.toMatch(REGEX)
    expect(problem?.hint).toBeTruthy()
  })

  it('a weekday, with Did you mean', () => {
    const [problem] = problemsOf(compile(`${HEAD}calendars:\n  cn: { workingDays: [Mon, tue] }\n${step(FINISH).slice(HEAD.length)}`))
    expect(problem).toMatchObject({ message: expect.stringContaining('"mon", "tue"'), hint: 'Did you mean "mon"?' })
  })

  it('a duration written in words or in small letters', () => {
    const [words] = problemsOf(compile(step(`    timeout:\n      after: 14 days\n      action: finish\n${FINISH}`)))
    expect(words?.hint).toMatch(/P14D \(14 days\).*PT12H/)
    const [lower] = problemsOf(compile(step(`    timeout:\n      after: p14d\n      action: finish\n${FINISH}`)))
    expect(lower?.hint).toBe('Did you mean "P14D"? Durations are written in capitals.')
    const [badDefault] = problemsOf(compile(`${HEAD}parameters:\n  confirmWindow: { type: duration, default: 14 days }\n${step(FINISH).slice(HEAD.length)}`))
    expect(badDefault).toMatchObject({ code: 'definition.duration', hint: expect.stringMatching(/^Write an ISO 8601 duration.*P14D/) })
  })
})

describe('a wrong role', () => {
  it('on a step is one problem: the steps after it are not also unreachable or endless', () => {
    const text = `${HEAD}steps:\n  - id: deliver\n    title: Deliver\n    actor: system\n    actions:\n      finish: {}\n  - id: confirm\n    title: Confirm\n    actor: customer\n    actions:\n      confirm:\n        end: completed\n`
    expect(problemsOf(compile(text)).map((p) => p.code)).toEqual(['definition.unknown-role'])
  })

  it('restricting an action to system with no timeout to perform it names the action', () => {
    const text = step('    actions:\n      finish:\n        actor: system\n        end: completed\n      cancel:\n        end: cancelled\n')
    expect(problemsOf(compile(text))).toEqual([expect.objectContaining({ code: 'definition.unknown-role', line: 11, column: 16, message: expect.stringContaining('no timeout') })])
  })

  it('a system action its timeout performs is fine', () => {
    const text = step('    timeout:\n      after: P1D\n      action: finish\n    actions:\n      finish:\n        actor: system\n        end: completed\n      cancel:\n        end: cancelled\n')
    expect(problemsOf(compile(text))).toEqual([])
  })
})

describe('input schemas are checked as a person means them', () => {
  const inputs = (schema: string): string => step(`    actions:\n      finish:\n        end: completed\n        inputs:\n${schema}`)

  it('a required property that is not declared, at that entry, with Did you mean', () => {
    const text = inputs('          type: object\n          required: [name, emial]\n          properties:\n            name: { type: string }\n            email: { type: string, format: email }\n')
    expect(problemsOf(compile(text))).toEqual([{
      code: 'definition.input-schema', line: 14, column: 28,
      message: '"emial" is required but not declared under `properties`, and this object accepts no other property: no input could ever be accepted.',
      hint: expect.stringMatching(/^Did you mean "email"\? Declare it under `properties`/),
    }])
  })

  it('but an object open to other properties may require one it does not list', () => {
    expect(problemsOf(compile(inputs('          type: object\n          additionalProperties: true\n          required: [anything]\n')))).toEqual([])
  })

  it('an unknown format, at the format, with the formats that exist, never "ignored"', () => {
    const [problem, ...others] = problemsOf(compile(inputs('          type: object\n          properties:\n            email: { type: string, format: e-mail }\n')))
    expect(others).toEqual([])
    expect(problem).toMatchObject({ code: 'definition.input-schema', line: 15, column: 44, hint: expect.stringMatching(/^Did you mean "email"\? Known formats: .*date-time.*uuid/) })
    expect(problem?.message).not.toMatch(/ignored/)
  })

  it('every invalid pattern, each at its value', () => {
    const text = inputs("          type: object\n          properties:\n            a: { type: string, pattern: '([a-z' }\n            b: { type: string, pattern: '^x{2,1}$' }\n")
    expect(problemsOf(compile(text))).toEqual([
      expect.objectContaining({ code: 'definition.input-schema', line: 15, column: 41, message: expect.stringContaining('not a valid regular expression') }),
      expect.objectContaining({ code: 'definition.input-schema', line: 16, column: 41 }),
    ])
  })

  it('a pattern that can backtrack exponentially, and an unbounded uniqueItems, each at its value', () => {
    const text = inputs("          type: object\n          properties:\n            a: { type: string, pattern: '^(a+)+$' }\n            b: { type: string, pattern: '^(a|a)*$' }\n            c: { type: string, pattern: '^[a-z]+(-[a-z0-9]+)?$' }\n            d: { type: array, uniqueItems: true }\n            e: { type: array, uniqueItems: true, maxItems: 100 }\n")
    expect(problemsOf(compile(text))).toEqual([
      expect.objectContaining({ code: 'definition.input-schema', line: 15, column: 41, message: expect.stringContaining('exponential time') }),
      expect.objectContaining({ code: 'definition.input-schema', line: 16, column: 41, message: expect.stringContaining('exponential time') }),
      expect.objectContaining({ code: 'definition.input-schema', line: 18, column: 44, hint: 'Give this array `maxItems` of at most 1000.' }),
    ])
  })

  it('a pattern with a backreference or a lookaround, which nothing can stop once it backtracks; a named group is fine', () => {
    const text = inputs("          type: object\n          properties:\n            a: { type: string, pattern: '^(\\d)\\d*\\d*\\1$' }\n            b: { type: string, pattern: '^(?=.*[0-9])[a-z0-9]+$' }\n            c: { type: string, pattern: '^(?<y>[0-9]{4})\\k<y>$' }\n            d: { type: string, pattern: '^(?<y>[0-9]{4})-[(?=]\\(?!$' }\n")
    expect(problemsOf(compile(text))).toEqual([
      expect.objectContaining({ code: 'definition.input-schema', line: 15, message: expect.stringContaining('backreference or a lookaround'), hint: expect.stringContaining('(?=') }),
      expect.objectContaining({ code: 'definition.input-schema', line: 16, message: expect.stringContaining('backreference or a lookaround') }),
      expect.objectContaining({ code: 'definition.input-schema', line: 17, message: expect.stringContaining('backreference or a lookaround') }),
    ])
  })

  it('the same wherever ajv applies a schema: under definitions, dependencies, or any part a $ref names', () => {
    const text = inputs([
      '          type: object',
      '          properties:',
      "            a: { $ref: '#/definitions/p' }",
      "            b: { $ref: '#/examples/0' }",
      "            c: { type: object, dependencies: { x: { properties: { y: { type: string, pattern: '(?=a)a' } } } } }",
      '          definitions:',
      "            p: { type: string, pattern: '^(\\d)\\d*\\d*\\1x$' }",
      '            u: { type: array, uniqueItems: true }',
      '          examples:',
      "            - { type: string, pattern: '^(a+)+$' }",
    ].join('\n') + '\n')
    expect(problemsOf(compile(text)).sort((x, y) => x.line - y.line)).toEqual([
      expect.objectContaining({ code: 'definition.input-schema', line: 17, message: expect.stringContaining('backreference or a lookaround') }),
      expect.objectContaining({ code: 'definition.input-schema', line: 19, message: expect.stringContaining('backreference or a lookaround') }),
      expect.objectContaining({ code: 'definition.input-schema', line: 20, hint: 'Give this array `maxItems` of at most 1000.' }),
      expect.objectContaining({ code: 'definition.input-schema', line: 22, message: expect.stringContaining('exponential time') }),
    ])
  })

  it('a lower bound above its upper, which no value satisfies, at the lower bound', () => {
    const text = inputs("          type: object\n          properties:\n            a: { type: string, minLength: 200, maxLength: 128 }\n            b: { type: integer, minimum: 5, maximum: 5 }\n            c: { type: array, minItems: 3, maxItems: 2 }\n")
    expect(problemsOf(compile(text))).toEqual([
      expect.objectContaining({ code: 'definition.input-schema', line: 15, message: '`minLength` 200 is more than `maxLength` 128: no text can satisfy both.' }),
      expect.objectContaining({ code: 'definition.input-schema', line: 17, message: '`minItems` 3 is more than `maxItems` 2: no list can satisfy both.' }),
    ])
  })

  it('numeric bounds with no number between them, exclusive ones included, word bounds crossed, and format: text with maxLength 0', () => {
    const text = inputs([
      '          type: object',
      '          properties:',
      '            a: { type: number, exclusiveMinimum: 5, exclusiveMaximum: 5 }',
      '            b: { type: number, minimum: 5, exclusiveMaximum: 5 }',
      '            c: { type: number, minimum: 5, exclusiveMaximum: 6 }',
      '            d: { type: string, minWords: 10, maxWords: 5 }',
      '            e: { type: string, format: text, maxLength: 0 }',
      '            f: { type: number, minimum: 7, maximum: 6 }',
    ].join('\n') + '\n')
    expect(problemsOf(compile(text)).map((p) => [p.line, p.message])).toEqual([
      [15, '`exclusiveMinimum` 5 and `exclusiveMaximum` 5 leave no number between them: no number can satisfy both.'],
      [16, '`minimum` 5 and `exclusiveMaximum` 5 leave no number between them: no number can satisfy both.'],
      [18, '`minWords` 10 is more than `maxWords` 5: no text can satisfy both.'],
      [19, '`format: text` asks for something to show, and `maxLength` 0 allows nothing: no value can satisfy both.'],
      [20, '`minimum` 7 and `maximum` 6 leave no number between them: no number can satisfy both.'],
    ])
  })

  it('the context schema alike', () => {
    const text = `${HEAD}context:\n  type: object\n  required: [orderId]\n  properties:\n    order-id: { type: string }\n${step(FINISH).slice(HEAD.length)}`
    expect(problemsOf(compile(text))).toEqual([expect.objectContaining({ code: 'definition.context-schema', line: 7, column: 14, hint: expect.stringContaining('Did you mean "order-id"?') })])
  })
})

describe('attachment slots an act could never fill', () => {
  it('a slot taking more files than one act may attach to it, or more slots than one act may fill, is refused where it is written', () => {
    const slot = (max: number): string => `          f: { types: [pdf], maxSize: 1 MB, max: ${max} }\n`
    const withSlots = (slots: string): string => step(`    actions:\n      finish:\n        end: completed\n        attachments:\n${slots}`)
    expect(compile(withSlots(slot(50))).ok).toBe(true)
    expect(problemsOf(compile(withSlots(slot(51))))).toEqual([expect.objectContaining({ code: 'definition.schema', line: 13, message: expect.stringContaining('50') })])
    const many = Array.from({ length: 21 }, (_, i) => `          s${i}: { types: [pdf], maxSize: 1 MB }\n`).join('')
    expect(problemsOf(compile(withSlots(many)))).toEqual([expect.objectContaining({ code: 'definition.schema', line: 13, message: expect.stringContaining('20') })])
  })
})

describe('a value of the wrong kind or size', () => {
  it.each([
    ['a number where a text is expected, with the advice to quote it', `id: demo\nversion: 1\ntitle: 1.10\nroles: [customer, isv]\nsteps:\n  - { id: deliver, title: Deliver, actor: isv, actions: { finish: { end: completed } } }\n`, '"/title" is the number 1.1, not a text. Put it in quotes to keep it as text.'],
    ['a number where a duration is expected', step(`    timeout: { after: 14, action: finish }\n${FINISH}`), '"/steps/0/timeout/after" is the number 14, which has none of the accepted forms.'],
    ['both goto and end', step(`    when: "true"\n    otherwise: { goto: deliver, end: skipped }\n${FINISH}`), '"/steps/0/otherwise" holds `goto` and `end`: give only one of them.'],
    ['an empty mapping where one key is needed', `${HEAD}windows:\n  - { id: w, steps: [deliver], after: P1D, onExpiry: {} }\nsteps:\n  - id: deliver\n    title: Deliver\n    actor: isv\n${FINISH}`, '"/windows/0/onExpiry" is empty: give one of its keys.'],
    ['too many reminders', step(`    timeout: { after: P30D, action: finish, remind: [P1D, P2D, P3D, P4D, P5D, P6D, P7D, P8D, P9D, P10D, P11D] }\n${FINISH}`), '"/steps/0/timeout/remind" lists 11 items; at most 10 are accepted.'],
  ])('names %s, and the value', (_, text, message) => {
    expect(problemsOf(compile(text)).map((p) => p.message)).toEqual([message])
  })
})

describe('hints for what an author meant', () => {
  it('a goto to end: end the process with end', () => {
    const text = step(`    actions:\n      finish: { goto: end }\n`)
    expect(problemsOf(compile(text))).toEqual([expect.objectContaining({ code: 'definition.unknown-step', hint: expect.stringContaining('write `end: OUTCOME`') as string })])
  })

  it('a misspelt time zone of a calendar, as of the process', () => {
    const text = `${HEAD}calendars:\n  cn: { workingDays: [mon], timeZone: Asia/Shangai }\nsteps:\n  - id: deliver\n    title: Deliver\n    actor: isv\n    timeout: { after: { businessDays: 1, calendar: cn }, action: finish }\n${FINISH}`
    expect(problemsOf(compile(text))).toEqual([expect.objectContaining({ code: 'definition.time-zone', hint: 'Did you mean "Asia/Shanghai"?' })])
  })

  it('a line indented with a no-break space or an ideographic space, named at that space', () => {
    for (const space of ['\u00a0', '\u3000']) {
      const text = `${HEAD}steps:\n  - id: deliver\n    title: Deliver\n${space}${space}actor: isv\n${FINISH}`
      expect(problemsOf(compile(text)), space).toEqual([expect.objectContaining({ code: 'definition.yaml-syntax', line: 8, column: 1, message: expect.stringContaining(`U+${space.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`) as string })])
    }
  })
})
