import { Temporal } from 'temporal-polyfill'
import { describe, expect, it } from 'vitest'
import { compileProcess } from '../../../engine/index.js'
import { validityAt } from '../../../engine/runtime/validity.js'
import { ExpressionFailure } from '../../../engine/definition/expression.js'
import { compileForTest, decideAt, stateAfter } from '../../support/decide.js'

const ADMIN = { role: 'admin', subject: 'a-1' }
const ISV = { role: 'isv', subject: 'v-1' }
const T0 = '2026-01-01T00:00:00.000Z'

/** A subscription: the ISV states seats and a start; the period runs from the start for `term`. */
const subscription = (validity: string, extra = ''): string => `
id: subscription
version: 1
title: Subscription
timeZone: Asia/Shanghai
roles: [isv]
parameters:
  maxSeats: { type: integer, default: 10 }
  term: { type: duration, default: P1M }
context:
  type: object
  properties:
    placedAt: { type: string, format: date-time }
${validity}
steps:
  - id: enable
    title: Enable
    actor: isv
    actions:
      enable:
        end: enabled
        inputs:
          type: object
          required: [seats]
          properties:
            seats: { type: integer }
            startsAt: { type: string, format: date-time }
        checks:
          - input: /startsAt
            notBefore: context.placedAt
            notAfter: $addDuration($now(), 'P1D')
          - input: /seats
            assert: inputs.seats <= parameters.maxSeats
            message: must not exceed the seats bought
            description: The seats bought are the most that may be enabled.
        record:
          from: "inputs.startsAt ? $instant(inputs.startsAt) : $now()"
          until: $addDuration(values.from, parameters.term)
${extra}`

const VALIDITY = 'validity: { from: values.from, until: values.until }'
const start = { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { isv: 'v-1' }, context: { placedAt: '2026-01-01T00:00:00+08:00' } } as const
const enable = (inputs: Record<string, unknown>) => ({ type: 'act', by: ISV, action: 'enable', inputs } as const)

describe('checks of an action', () => {
  const process = compileForTest(subscription(VALIDITY))

  it('refuses an input out of its bounds or failing its assertion, each at its pointer with its rule', async () => {
    const begun = await stateAfter(process, [[T0, start]])
    const decided = await decideAt(process, begun, enable({ seats: 11, startsAt: '2025-12-31T15:59:59Z' }), T0)
    expect(decided.ok ? [] : decided.rejection.problems).toEqual([
      { pointer: '/inputs/startsAt', rule: 'notBefore', message: 'must not be before 2025-12-31T16:00:00.000Z (context.placedAt)' },
      { pointer: '/inputs/seats', rule: 'assert', message: 'must not exceed the seats bought. The seats bought are the most that may be enabled.' },
    ])
    const late = await decideAt(process, begun, enable({ seats: 10, startsAt: '2026-01-02T00:00:00.001Z' }), T0)
    expect(late.ok ? [] : late.rejection.problems).toMatchObject([{ pointer: '/inputs/startsAt', rule: 'notAfter' }])
    expect((await decideAt(process, begun, enable({ seats: 10, startsAt: '2026-01-02T00:00:00Z' }), T0)).ok).toBe(true)
    expect((await decideAt(process, begun, enable({ seats: 10 }), T0)).ok).toBe(true)
  })

  it('skips the bound a missing value gives: no order instant, no lower bound', async () => {
    const begun = await stateAfter(process, [[T0, { ...start, context: {} }]])
    expect((await decideAt(process, begun, enable({ seats: 1, startsAt: '2000-01-01T00:00:00Z' }), T0)).ok).toBe(true)
  })

  it('refuses with expression.failed when a bound is not an instant (the definition\'s fault)', async () => {
    // A text that is no instant, computed: a constant one is refused at load (below).
    const broken = compileForTest(subscription(VALIDITY).replace('notBefore: context.placedAt', 'notBefore: \'$lowercase("SOON")\''))
    const constant = compileProcess(subscription(VALIDITY).replace('notBefore: context.placedAt', 'notBefore: "\'soon\'"'), 'inline.yaml')
    expect(constant.ok ? [] : constant.errors.map((e) => [e.code, e.location.pointer])).toEqual([['definition.expression', '/steps/0/actions/enable/checks/0/notBefore']])
    const begun = await stateAfter(broken, [[T0, start]])
    const decided = await decideAt(broken, begun, enable({ seats: 1, startsAt: T0 }), T0)
    expect(decided.ok ? undefined : decided.rejection.code).toBe('expression.failed')
  })

  it('are checked at load: an unknown input, and a name an expression reads that the process lacks', () => {
    const text = subscription(VALIDITY).replace('input: /seats', 'input: /seat').replace('parameters.maxSeats', 'parameters.maxSeat')
    const result = compileProcess(text, 'inline.yaml')
    expect(result.ok ? [] : result.errors.map((e) => [e.code, e.location.pointer])).toEqual([
      ['definition.check-input', '/steps/0/actions/enable/checks/1/input'],
      ['definition.expression-reference', '/steps/0/actions/enable/checks/1/assert'],
    ])
  })

  it('are checked at load: instant bounds on an input that is not an instant, which every act would fail', () => {
    const bounded = (schema: string) => compileProcess(subscription(VALIDITY).replace('startsAt: { type: string, format: date-time }', `startsAt: ${schema}`), 'inline.yaml')
    for (const schema of ['{ type: integer }', '{ type: string }', '{ type: string, format: date }']) {
      const result = bounded(schema)
      expect(result.ok ? [] : result.errors.map((e) => [e.code, e.location.pointer, e.hint])).toEqual([
        ['definition.check-input', '/steps/0/actions/enable/checks/0/input', expect.stringContaining('format: date-time')],
        // A whole number is no text, which `$instant()` takes.
        ...schema.includes('integer') ? [['definition.expression-function', '/steps/0/actions/enable/record/from', expect.stringContaining('$instant')]] : [],
      ])
    }
    // A schema that says nothing of its type or format leaves it to the act.
    expect(bounded('{ description: when it starts }').ok).toBe(true)
  })
})

describe('validity', () => {
  const process = compileForTest(subscription(VALIDITY))
  const at = (text: string) => Temporal.Instant.from(text)

  it('counts the period in the process\'s zone, includes from and excludes until', async () => {
    const enabled = await stateAfter(process, [[T0, start], ['2026-01-30T16:00:00.000Z', enable({ seats: 1, startsAt: '2026-01-31T00:00:00+08:00' })]])
    expect(await validityAt(process, enabled, at('2026-02-27T23:59:59+08:00'))).toMatchObject({ valid: true, untilLocal: '2026-02-28T00:00:00+08:00', remaining: 'PT1S' })
    expect(await validityAt(process, enabled, at('2026-01-31T00:00:00+08:00'))).toMatchObject({ valid: true, remaining: 'P28D' })
    expect(await validityAt(process, enabled, at('2026-02-28T00:00:00+08:00'))).toMatchObject({ valid: false, reason: 'expired' })
  })

  it('has no end when until gives nothing, and is pending while from gives nothing', async () => {
    const open = compileForTest(subscription('validity: { from: values.from, until: values.never }', '').replace('until: $addDuration', 'never: $addDuration'))
    const begun = await stateAfter(open, [[T0, start]])
    expect(await validityAt(open, begun, at(T0))).toMatchObject({ valid: false, reason: 'pending' })
    const enabled = await stateAfter(open, [[T0, start], [T0, enable({ seats: 1 })]])
    // `never` is recorded, so this process has an end; one without a value for `until` has none:
    const endless = { ...enabled, values: { from: T0 } }
    const answer = await validityAt(open, endless, at('2030-01-01T00:00:00Z'))
    expect(answer).toMatchObject({ valid: true, from: T0 })
    expect(answer.until).toBeUndefined()
    expect(answer.remaining).toBeUndefined()
  })

  it('fails when a bound is not an instant', async () => {
    const broken = compileForTest(subscription('validity: { from: \'$lowercase("SOON")\', until: values.until }'))
    const constant = compileProcess(subscription('validity: { from: "\'soon\'", until: values.until }'), 'inline.yaml')
    expect(constant.ok ? [] : constant.errors.map((e) => [e.code, e.location.pointer])).toEqual([['definition.expression', '/validity/from']])
    await expect(validityAt(broken, await stateAfter(broken, [[T0, start]]), at(T0))).rejects.toBeInstanceOf(ExpressionFailure)
  })

  it('is checked at load like other expressions, located', () => {
    const result = compileProcess(subscription('validity:\n  from: values.form\n  until: values.until'), 'inline.yaml')
    expect(result.ok ? [] : result.errors.map((e) => [e.code, e.location.pointer, e.location.line])).toEqual([['definition.expression-reference', '/validity/from', 15]])
    const inputs = compileProcess(subscription('validity: { from: values.from, until: inputs.until }'), 'inline.yaml')
    expect(inputs.ok ? [] : inputs.errors.map((e) => [e.code, e.location.pointer, e.hint])).toEqual([['definition.expression-reference', '/validity/until', expect.stringContaining('A `validity` sees no `inputs`')]])
  })
})
