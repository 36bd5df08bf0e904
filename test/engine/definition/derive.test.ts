import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compileProcess } from '../../../engine/index.js'

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

describe('merge: true', () => {
  it('changes one action of an inherited step and its description, keeping the rest of the step', () => {
    const result = compile(`
id: warranty-basic
version: 1
title: Basic with a Warranty
extends: basic
steps:
  - id: confirm-delivery
    merge: true
    description: Confirm, and the warranty starts.
    actions:
      confirm: { title: Confirm, goto: warranty }
      withdraw: { end: withdrawn }
  - id: warranty
    title: Warranty
    actor: customer
    actions: { close: { end: completed } }
`)
    if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
    const step = result.process.steps.get('confirm-delivery')
    expect(step?.description).toBe('Confirm, and the warranty starts.')
    expect([step?.title, step?.actors]).toEqual(['Confirm Delivery', ['customer']])
    expect(step?.timeout).toMatchObject({ action: 'confirm', after: { kind: 'parameter', name: 'confirmWindow' } })
    expect([...(step?.actions.keys() ?? [])]).toEqual(['confirm', 'withdraw'])
    expect(step?.actions.get('confirm')?.target).toEqual({ kind: 'step', step: 'warranty' })
    expect([...result.process.steps.keys()]).toEqual(['submit-demand', 'project-delivery', 'confirm-delivery', 'warranty'])
  })

  it('locates a problem of a merged step where it is written, and of its inherited part at extends', () => {
    const written = compile(`id: x
version: 1
title: X
extends: basic
steps:
  - id: confirm-delivery
    merge: true
    actions:
      confirm: { goto: nowhere }
`)
    expect(!written.ok && written.errors.map((e) => [e.code, e.location.line, e.location.pointer])).toEqual([['definition.unknown-step', 9, '/steps/0/actions/confirm/goto']])
    const inherited = compile(`id: x
version: 1
title: X
extends: basic
steps:
  - id: project-delivery
    remove: true
  - id: confirm-delivery
    merge: true
    title: Confirm
`)
    // submit-demand now leads to confirm-delivery; nothing is wrong. A timeout naming a removed action is.
    expect(inherited.ok).toBe(true)
    const broken = compile(`id: x
version: 1
title: X
extends: basic
steps:
  - id: confirm-delivery
    merge: true
    timeout: { after: P1D, action: accept }
`)
    expect(!broken.ok && broken.errors.map((e) => [e.code, e.location.line])).toEqual([['definition.unknown-timeout-action', 8]])
  })

  it('refuses what it would otherwise ignore: more than an id on a removed step, and a step placed both after and before', () => {
    const result = compile(`id: x
version: 1
title: X
extends: basic
steps:
  - id: confirm-delivery
    remove: true
    actor: nobody
  - id: kick-off
    title: Kick-off Call
    actor: isv
    after: submit-demand
    before: confirm-delivery
    actions: { held: {} }
`)
    expect(!result.ok && result.errors.map((e) => [e.code, e.location.line, e.location.pointer])).toEqual([
      ['definition.derivation', 8, '/steps/0/actor'],
      ['definition.derivation', 13, '/steps/1/before'],
    ])
  })

  it('refuses a step written twice (added twice, changed then removed, or changed twice): the second entry would silently undo the first', () => {
    for (const [first, second] of [
      ['  - { id: kick-off, title: Kick-off, actor: isv, after: submit-demand, actions: { held: {} } }', '  - { id: kick-off, title: Kick-off 2, actor: isv, after: submit-demand, actions: { held: {} } }'],
      ['  - { id: confirm-delivery, merge: true, title: Confirm }', '  - { id: confirm-delivery, remove: true }'],
      ['  - { id: submit-demand, merge: true, title: Tell us }', '  - { id: submit-demand, merge: true, description: What you need }'],
    ]) {
      const result = compile(`id: x\nversion: 1\ntitle: X\nextends: basic\nsteps:\n${first}\n${second}\n`)
      expect(!result.ok && result.errors.map((e) => [e.code, e.location.line, e.location.pointer, e.message]), second).toEqual([
        ['definition.duplicate-step', 7, '/steps/1/id', expect.stringMatching(/is written already, at step entry 1 of this file\.$/)],
      ])
    }
  })

  it('says a step placed after itself is, rather than that there is no such step', () => {
    const result = compile('id: x\nversion: 1\ntitle: X\nextends: basic\nsteps:\n  - { id: confirm-delivery, merge: true, after: confirm-delivery }\n')
    expect(!result.ok && result.errors.map((e) => [e.location.line, e.message])).toEqual([[6, 'Step "confirm-delivery" is placed after itself.']])
  })

  it('refuses a process left with no step once every inherited one is removed, which no delivery could start in', () => {
    const result = compile('id: x\nversion: 1\ntitle: X\nextends: basic\nsteps:\n  - { id: submit-demand, remove: true }\n  - { id: project-delivery, remove: true }\n  - { id: confirm-delivery, remove: true }\n')
    expect(!result.ok && result.errors.map((e) => [e.code, e.location.pointer, e.message])).toEqual([
      ['definition.derivation', '/steps', expect.stringContaining('no step for a delivery to start in') as string],
    ])
  })

  it('refuses otherwise merged onto a step without when, as it refuses it on a step written whole', () => {
    const result = compile('id: x\nversion: 1\ntitle: X\nextends: basic\nsteps:\n  - id: confirm-delivery\n    merge: true\n    otherwise: { end: auto-confirmed }\n')
    expect(!result.ok && result.errors.map((e) => [e.code, e.location.line, e.location.pointer])).toEqual([['definition.derivation', 8, '/steps/0/otherwise']])
    expect(compile('id: x\nversion: 1\ntitle: X\nextends: basic\nsteps:\n  - id: confirm-delivery\n    merge: true\n    when: "$not(context.skip = true)"\n    otherwise: { end: auto-confirmed }\n').ok).toBe(true)
  })

  it('proposes the inherited step meant by a misspelt merge or after, and says remove takes true', () => {
    const result = compile(`id: x\nversion: 1\ntitle: X\nextends: basic\nsteps:\n  - { id: confirm-delivry, merge: true, title: Confirm }\n  - { id: kick-off, title: Kick-off, actor: isv, after: submit-demnd, actions: { held: {} } }\n`)
    expect(!result.ok && result.errors.map((e) => [e.location.line, e.message, e.hint])).toEqual([
      [6, 'There is no inherited step "confirm-delivry" to merge into.', 'Did you mean "confirm-delivery"?'],
      [7, 'There is no step "submit-demnd" to place "kick-off" after.', 'Did you mean "submit-demand"?'],
    ])
    const kept = compile(`id: x\nversion: 1\ntitle: X\nextends: basic\nsteps:\n  - { id: project-delivery, remove: false }\n`)
    expect(!kept.ok && kept.errors.map((e) => [e.location.line, e.message])).toEqual([[6, '"/steps/0/remove" must be true.']])
  })

  it('is refused without extends, and for a step the base does not have', () => {
    const unknown = compile(`id: x
version: 1
title: X
extends: basic
steps:
  - id: confirm-deliveries
    merge: true
    title: Confirm
`)
    expect(!unknown.ok && unknown.errors.map((e) => [e.code, e.location.line])).toEqual([['definition.derivation', 6]])
    const alone = compileProcess(`id: x
version: 1
title: X
roles: [isv]
steps:
  - id: a
    title: A
    actor: isv
    merge: true
    actions: { done: { end: completed } }
`, 'x.yaml')
    expect(!alone.ok && alone.errors.map((e) => [e.code, e.location.line])).toEqual([['definition.derivation', 9]])
  })
})
