import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compileProcess, loadBuiltInProcesses } from '../../../engine/index.js'
import type { CompiledProcess } from '../../../engine/index.js'

// The four Delivery Center processes were written out in full at version 2
// (test/fixtures/processes-v2, copied from the repository as they were). Since version 3 three of
// them derive from `basic`; every rule of version 2 must still hold, and the only additions are
// the new rules: order details in `context`, the customer's dispute at Confirm Delivery (and at
// Confirm Warranty, double-check's final confirmation) with its administrator step, and the
// escalation of steps waiting on the ISV. Three rules changed since, on purpose: at version 4 the
// contact's phone number accepts every number version 2 accepted, and more (dots, slashes, a
// bracket first), and says so in words (version 5); at version 5 every text a person writes must
// show something (`format: text`, where `minLength: 1` accepted only spaces); at version 6 a phone
// number runs from a digit to a digit (or a closing bracket), where `(    )` passed.
const V2 = join(import.meta.dirname, '..', '..', 'fixtures', 'processes-v2')
const current = new Map(loadBuiltInProcesses().map((p) => [p.id, p]))

function v2(id: string): CompiledProcess {
  const result = compileProcess(readFileSync(join(V2, `${id}.yaml`), 'utf8'), `${id}.yaml`)
  if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
  return result.process
}

/** The phone pattern of `submit`'s contact, which version 4 widened and version 6 bounded by digits (compared on its own below). */
const PHONE = ['properties', 'contact', 'properties', 'phone', 'pattern'] as const

function withoutPhonePattern(schema: unknown): unknown {
  const copy = structuredClone(schema) as Record<string, unknown>
  let node: Record<string, unknown> | undefined = copy
  for (const key of PHONE.slice(0, -1)) node = node?.[key] as Record<string, unknown> | undefined
  if (node) {
    delete node['pattern']
    delete node['patternErrorMessage']
    delete node['maxLength']
  }
  return copy
}

/** A schema of version 2 with its texts as version 5 writes them: `format: text` for `minLength: 1` (the rule version 5 changed). */
function withTextFormat(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withTextFormat)
  if (typeof schema !== 'object' || schema === null) return schema
  const node = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, withTextFormat(value)]))
  if (node['type'] === 'string' && node['minLength'] === 1 && node['pattern'] === undefined) {
    delete node['minLength']
    node['format'] = 'text'
  }
  return node
}

function phonePattern(process: CompiledProcess): RegExp {
  let node: unknown = process.steps.get('submit-demand')?.actions.get('submit')?.inputs.schema
  for (const key of PHONE) node = (node as Record<string, unknown> | undefined)?.[key]
  return new RegExp(node as string, 'u')
}

/** What a step's rules are, in a form two compiled processes can be compared by. */
function rulesOf(process: CompiledProcess, stepId: string, actions?: readonly string[]): unknown {
  const step = process.steps.get(stepId)
  if (!step) return undefined
  return {
    title: step.title, description: step.description, actors: step.actors, windows: step.windows,
    actions: [...step.actions.values()].filter((a) => actions === undefined || actions.includes(a.id)).map((a) => ({
      id: a.id, title: a.title, target: a.target, actors: a.actors, inputs: withoutPhonePattern(process.version === 2 ? withTextFormat(a.inputs.schema) : a.inputs.schema), rounds: a.rounds,
      attachments: [...a.attachments.values()],
    })),
  }
}

const NEW_STEPS = /^(dispute|warranty-dispute|.*-escalated)$/

/** The current version of each: `double-check` one ahead (its warranty dispute moved into the warranty period at 6). */
const VERSION: Readonly<Record<string, number>> = { basic: 6, contract: 6, 'double-check': 7, 'step-by-step': 6 }

describe.each(['basic', 'contract', 'double-check', 'step-by-step'])('%s, derived, keeps every rule of version 2', (id) => {
  const old = v2(id)
  const now = current.get(id) as CompiledProcess

  it('is the current version of the same process, with the same title, roles and first step', () => {
    expect(old.version).toBe(2)
    expect(now.version).toBe(VERSION[id])
    expect([now.title, now.roles, now.initialStep]).toEqual([old.title, old.roles, old.initialStep])
  })

  it('has the steps of version 2 in the same order, and only dispute and escalation steps besides', () => {
    const steps = [...now.steps.keys()]
    expect(steps.filter((s) => !NEW_STEPS.test(s))).toEqual([...old.steps.keys()])
    expect(steps.filter((s) => NEW_STEPS.test(s)).sort()).toEqual(
      ['dispute', ...(old.steps.has('confirm-warranty') ? ['warranty-dispute'] : []), ...[...old.steps.values()].filter((s) => s.actors.includes('isv')).map((s) => `${s.id}-escalated`)].sort())
  })

  it('accepts every phone number version 2 accepted, and numbers written with dots, slashes or a bracket first; not a text without digits', () => {
    const [before, after] = [phonePattern(old), phonePattern(now)]
    for (const phone of ['+86 138 0000 0000', '010-6552 9988', '12345', '555 (123) 4567']) expect([phone, before.test(phone), after.test(phone)]).toEqual([phone, true, true])
    for (const phone of ['(555) 123-4567', '555.123.4567', '+44 20/7946 0958']) expect([phone, before.test(phone), after.test(phone)]).toEqual([phone, false, true])
    for (const phone of ['call me', '1234', '+', '12345678901234567890123456789012345']) expect([phone, after.test(phone)]).toEqual([phone, false])
    // Version 6: from a first digit to a last (or a closing bracket), so never without digits; a
    // digit followed by separators only, which version 2 took, is no number either.
    for (const phone of ['(    )', '(----', '+((((((', '1----', '(010)']) expect([phone, after.test(phone)]).toEqual([phone, false])
  })

  it('keeps each step: title, description, actor, windows and every action with its target, inputs and files', () => {
    for (const step of old.steps.values()) {
      expect(rulesOf(now, step.id, [...step.actions.keys()]), step.id).toEqual(rulesOf(old, step.id))
    }
  })

  it('keeps the confirmation timeout and its reminders; adds only the escalation timeout to steps waiting on the ISV', () => {
    for (const step of old.steps.values()) {
      const timeout = now.steps.get(step.id)?.timeout
      if (step.timeout) expect(timeout, step.id).toEqual(step.timeout)
      else if (step.actors.includes('isv')) expect(timeout, step.id).toMatchObject({ after: { kind: 'parameter', name: 'isvResponseTime' }, action: 'escalate', remind: [{ offset: 'P1D' }] })
      else expect(timeout, step.id).toBeUndefined()
    }
  })

  it('adds only the dispute (at each confirmation that ends the delivery) and escalate actions to the steps of version 2', () => {
    for (const step of old.steps.values()) {
      const added = [...(now.steps.get(step.id)?.actions.keys() ?? [])].filter((a) => !step.actions.has(a))
      expect(added, step.id).toEqual(step.timeout || step.id === 'confirm-warranty' ? ['dispute'] : step.actors.includes('isv') ? ['escalate'] : [])
    }
  })

  it('keeps the parameters and windows, adding the ISV response time and the escalation steps to the windows', () => {
    expect([...now.parameters.values()].filter((p) => p.name !== 'isvResponseTime')).toEqual([...old.parameters.values()])
    expect(now.parameters.get('isvResponseTime')).toMatchObject({ type: 'duration', default: 'P7D' })
    for (const window of old.windows.values()) {
      const mine = now.windows.get(window.id)
      expect({ ...mine, steps: [...(mine?.steps ?? [])].filter((s) => !NEW_STEPS.test(s)) }).toEqual({ ...window, steps: [...window.steps] })
    }
  })

  it('requires the order details in context, where version 2 took any object', () => {
    expect(old.context.validate({})).toBe(true)
    expect(now.context.validate({})).toBe(false)
    expect(now.context.validate({ orderId: 'o-1', specification: 'Standard', productId: 'p-1', amount: 12 })).toBe(true)
  })
})
