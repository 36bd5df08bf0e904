import { expect, it } from 'vitest'
import { compileProcess } from '../../../engine/index.js'
import { fieldProblems } from '../../../engine/definition/json-schema.js'

// An input's pattern can say in words what it accepts (`patternErrorMessage`, as the language's
// own schema does for editors): a refusal says that, not the regular expression, to the people
// filling in the console's forms as much as to programs.

const definition = (phone: string): string => `id: contact
version: 1
title: Contact
roles: [customer]
steps:
  - id: give
    title: Give
    actor: customer
    actions:
      give:
        end: given
        inputs:
          type: object
          properties:
            phone: ${phone}
            code: { type: string, pattern: '^[A-Z]{3}$' }
`

it('refuses a value breaking a pattern in the pattern\'s own words, and in ajv\'s where it states none', () => {
  const result = compileProcess(definition("{ type: string, pattern: '^\\+?[0-9 ]{5,20}$', patternErrorMessage: 'must be a phone number, such as +86 138 0000 0000' }"), 'contact.yaml')
  if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
  const validate = result.process.steps.get('give')?.actions.get('give')?.inputs.validate
  if (!validate) throw new Error('no validator')
  expect(validate({ phone: 'call me', code: 'abc' })).toBe(false)
  expect(fieldProblems(validate.errors)).toEqual([
    { pointer: '/phone', rule: 'pattern', message: 'must be a phone number, such as +86 138 0000 0000' },
    { pointer: '/code', rule: 'pattern', message: 'must match pattern "^[A-Z]{3}$"' },
  ])
  expect(validate({ phone: '+86 138 0000 0000', code: 'ABC' })).toBe(true)
})

it('is a keyword of the language: misspelt, it is refused with the right spelling; not text, it is refused', () => {
  const misspelt = compileProcess(definition("{ type: string, pattern: '^[0-9]+$', patternErrorMesage: 'digits' }"), 'contact.yaml')
  expect(misspelt.ok ? [] : misspelt.errors.map((e) => `${e.code} ${e.hint ?? ''}`)).toEqual([expect.stringMatching(/^definition\.input-schema Did you mean "patternErrorMessage"\?/)])
  const notText = compileProcess(definition("{ type: string, pattern: '^[0-9]+$', patternErrorMessage: 7 }"), 'contact.yaml')
  expect(notText.ok).toBe(false)
})
