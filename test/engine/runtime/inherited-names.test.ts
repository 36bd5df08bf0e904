import { describe, expect, it } from 'vitest'
import type { Principal } from '../../../engine/index.js'
import { compileForTest, decideAt, file } from '../../support/decide.js'
import { ADMIN, T0 } from '../../support/engine.js'

// Names a process may choose that every JavaScript object inherits (`constructor`, `toString`,
// `hasOwnProperty`): a start's parameters, parties and attachments arrive as objects parsed from
// JSON, which answer such a name with Object.prototype's function unless it is looked up as their own.

const OWNER: Principal = { role: 'constructor', subject: 'k-1' }

const process = compileForTest(`
id: inherited
version: 1
title: Inherited names
roles: [customer, constructor]
parameters:
  constructor: { type: string, default: x }
  hasOwnProperty: { type: duration, default: P1D }
steps:
  - id: work
    title: Work
    actor: constructor
    timeout: { after: hasOwnProperty, action: lapse }
    actions:
      done:
        end: completed
        attachments: { constructor: { min: 0, max: 1, types: [pdf], maxSize: 5 MB } }
        record: { name: "parameters.constructor" }
      lapse: { end: lapsed, actor: system }
`)

describe('a process naming a parameter, a role or a slot as Object.prototype does', () => {
  it('starts with the defaults of its parameters and the parties given, and acts with no file in the slot', async () => {
    const started = await decideAt(process, undefined, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1', constructor: 'k-1' } }, T0)
    if (!started.ok) throw new Error(`${started.rejection.code}: ${started.rejection.message}`)
    expect(started.state.parameters).toEqual({ constructor: 'x', hasOwnProperty: 'P1D' })
    expect(started.state.deadlines.timeout?.due).toBe('2026-01-02T00:00:00.000Z')
    const acted = await decideAt(process, started.state, { type: 'act', by: OWNER, action: 'done', inputs: {}, attachments: {} }, T0)
    expect(acted).toMatchObject({ ok: true, state: { status: 'completed', values: { name: 'x' } } })
    const withFile = await decideAt(process, started.state, { type: 'act', by: OWNER, action: 'done', inputs: {}, attachments: { constructor: [file('f-1', 'pdf', OWNER)] } }, T0)
    expect(withFile).toMatchObject({ ok: true, state: { status: 'completed' } })
  })

  it('refuses a start that leaves out a party named constructor, rather than taking a function for its subject', async () => {
    const started = await decideAt(process, undefined, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1' } }, T0)
    expect(started).toMatchObject({ ok: false, rejection: { code: 'input.invalid' } })
  })
})

describe('a starter in a role named as Object.prototype names a member', () => {
  it('starts its own delivery with that role left out of the parties', async () => {
    const own = compileForTest(`
id: own-start
version: 1
title: Own start
roles: [constructor]
startedBy: [constructor]
steps:
  - { id: work, title: Work, actor: constructor, actions: { done: { end: completed } } }
`)
    const started = await decideAt(own, undefined, { type: 'start', instanceId: 'i-1', by: OWNER, parties: {} }, T0)
    expect(started).toMatchObject({ ok: true, state: { parties: { constructor: 'k-1' } } })
  })
})
