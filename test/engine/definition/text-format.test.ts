import { describe, expect, it } from 'vitest'
import { compileProcess, fieldProblems, TEXT_RULE } from '../../../engine/index.js'

const definition = `
id: note
version: 1
title: Note
roles: [customer]
steps:
  - id: write
    title: Write
    actor: customer
    actions:
      send:
        end: sent
        inputs:
          type: object
          required: [note]
          properties:
            note: { type: string, format: text, maxLength: 100 }
`

function validator(): (inputs: unknown) => ReturnType<typeof fieldProblems> {
  const result = compileProcess(definition, 'note.yaml')
  if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
  const validate = result.process.steps.get('write')?.actions.get('send')?.inputs.validate
  if (!validate) throw new Error('no validator')
  return (inputs) => validate(inputs) ? [] : fieldProblems(validate.errors)
}

describe('format: text, for what a person must write', () => {
  it('accepts any text that shows something, line breaks and tabs included', () => {
    const problems = validator()
    for (const note of ['x', '  Alice  ', 'Line one\nline two\twith a tab', '需求说明', '\u200bvisible']) expect(problems({ note }), note).toEqual([])
  })

  it('refuses text that shows nothing, or holds control characters, saying so at the field', () => {
    const problems = validator()
    for (const note of ['', ' ', '   \n\t ', '\u200b\u200e', 'bell\u0007', 'nul\u0000', 'esc\u001b[2J']) {
      expect(problems({ note }), JSON.stringify(note)).toEqual([{ pointer: '/note', rule: 'format', message: TEXT_RULE }])
    }
  })
})
