import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR, compileProcess } from '../../../engine/index.js'

// A fixed base: basic as shipped at version 2 (the built-in one changes with its versions).
const basic = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'processes-v2', 'basic.yaml'), 'utf8')
const base = (ref: { id: string }) => ref.id === 'basic' ? { text: basic, file: 'basic@1' } : undefined
const compile = (text: string) => compileProcess(text, 'custom.yaml', { base })

describe('extends', () => {
  it('derives a process in a few lines: a step added, the confirmation window shortened', () => {
    const result = compile(`
id: custom-basic
version: 1
title: Customised Basic Delivery
extends: basic
parameters:
  confirmWindow: { default: P7D }
steps:
  - id: kick-off
    title: Kick-off Call
    actor: isv
    after: submit-demand
    actions: { held: {} }
`)
    if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
    expect([...result.process.steps.keys()]).toEqual(['submit-demand', 'kick-off', 'project-delivery', 'confirm-delivery'])
    expect(result.process.parameters.get('confirmWindow')).toMatchObject({ type: 'duration', default: 'P7D' })
    expect(result.process.roles).toEqual(['customer', 'isv'])
    expect(result.process.title).toBe('Customised Basic Delivery')
  })

  it('replaces a step in place and removes one', () => {
    const result = compile(`
id: custom-basic
version: 1
title: Customised
extends: basic
steps:
  - id: project-delivery
    title: Delivery with Acceptance Report
    actor: isv
    actions:
      finish: { inputs: { type: object, required: [report], properties: { report: { type: string } } } }
  - id: confirm-delivery
    remove: true
  - id: done
    title: Done
    actor: customer
    actions: { close: { end: completed } }
`)
    if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
    expect([...result.process.steps.keys()]).toEqual(['submit-demand', 'project-delivery', 'done'])
    expect(result.process.steps.get('project-delivery')?.title).toBe('Delivery with Acceptance Report')
  })

  it('locates problems of the derived file in it, and inherited ones at extends', () => {
    const result = compile(`id: custom-basic
version: 1
title: Customised
extends: basic
steps:
  - id: extra
    title: Extra
    actor: vendor
    before: nowhere
    actions: { go: {} }
`)
    expect(!result.ok && result.errors.map((e) => `${e.location.line} ${e.code}`)).toEqual(['9 definition.derivation'])
    const removed = compile(`id: custom-basic
version: 1
title: Customised
extends: basic
steps:
  - { id: confirm-delivery, remove: true }
`)
    // Without its last step, the inherited project-delivery's finish leads nowhere: reported at \`extends\`.
    expect(!removed.ok && removed.errors.map((e) => `${e.location.line} ${e.code}`)).toEqual(['4 definition.missing-target'])
  })
})
