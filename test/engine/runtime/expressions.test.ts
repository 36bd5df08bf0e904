import { afterEach, describe, expect, it } from 'vitest'
import { Temporal } from 'temporal-polyfill'
import { compileProcess, decide, EngineError } from '../../../engine/index.js'
import type { CompiledProcess, Decision, InstanceState } from '../../../engine/index.js'
import { compileExpression, ExpressionFailure } from '../../../engine/definition/expression.js'
import { ADMIN, ISV, openHarness, snapshot, T0 } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

const NEVER_ENDS = '($f := function($x){ $f($x) }; $f(1))'

/** A process whose `finish` action (and the timeout's `expire`) records `value: RECORD`, and whose first step is entered when `WHEN`. */
function processWith({ record = '"ok"', when = 'true' }: { record?: string; when?: string }): string {
  return `id: failing
version: 1
title: Failing expressions
roles: [customer, isv]
steps:
  - id: deliver
    title: Deliver
    actor: isv
    when: ${JSON.stringify(when)}
    timeout: { after: P1D, action: expire }
    actions:
      finish:
        inputs: &inputs
          type: object
          properties:
            text: { type: string }
            width: { type: integer }
            from: { type: string }
            items: { type: array }
        record:
          value: ${JSON.stringify(record)}
        end: completed
      expire:
        inputs: *inputs
        record:
          value: ${JSON.stringify(record)}
        end: expired
    otherwise: { end: skipped }
`
}

function compiled(text: string): CompiledProcess {
  const result = compileProcess(text, 'failing.yaml')
  if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
  return result.process
}

const at = (iso: string): Temporal.Instant => Temporal.Instant.from(iso)

async function startedIn(process: CompiledProcess): Promise<InstanceState> {
  const decision = await decide(process, undefined, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1', isv: 'v-1' } }, at(T0))
  if (!decision.ok) throw new Error(decision.rejection.message)
  return decision.state
}

async function finish(record: string, inputs: Record<string, unknown> = {}): Promise<Decision> {
  const process = compiled(processWith({ record }))
  return decide(process, await startedIn(process), { type: 'act', by: ISV, action: 'finish', inputs }, at(T0))
}

const PLACE = 'The expression at /steps/0/actions/finish/record/value (line 21, column 18) failed:'

describe('evaluating expressions', () => {
  it('cuts off an expression that never ends and refuses the act, naming where it is written', async () => {
    expect(await finish(NEVER_ENDS)).toEqual({
      ok: false,
      rejection: { code: 'expression.failed', message: `${PLACE} it took more than 50000 steps and was cut off (a loop or recursion that does not end?).` },
    })
  })

  it.each([
    ['a recursion that only deepens', '($f := function($x){ 1 + $f($x) }; $f(1))', {}, 'nested deeper than 1000 levels'],
    ['a string that doubles', '($f := function($s){ $f($s & $s) }; $f("x"))', {}, 'string of'],
    ['an array that doubles', '($f := function($a){ $f($append($a, $a)) }; $f([1]))', {}, 'more than 1000 items'],
    ['a huge range', '$count([1..100000000])', {}, 'more than 1000 items'],
    ['a long input array', '$sort(inputs.items)', { items: Array.from({ length: 5000 }, (_, i) => 5000 - i) }, '5000 items'],
    ['a padding of any width', '$pad("x", inputs.width)', { width: 1_000_000_000 }, 'width of 1000000000'],
    ['a value nested without end', '($f := function($a, $n){ $n = 0 ? $a : $f({ "a": $a }, $n - 1) }; $f({}, 500))', {}, 'nests more than 100 levels'],
    ['a function given arguments it cannot use', '$addDuration(inputs.from, "P1D")', { from: 'not an instant' }, '$addDuration() was given arguments it cannot use'],
    // An item of a list, whose type the definition's check does not know (it does refuse a declared number, and a list).
    ['a built-in function given the wrong type', '$uppercase(inputs.items[0])', { items: [1, 2] }, 'does not match function signature (JSONata T0410'],
    ['a function as the value to record', 'function($x){ $x }', {}, 'yields a function'],
    ['an error raised on purpose', '$error("no validity without an order")', {}, 'no validity without an order'],
  ])('refuses %s as a failed expression', async (_, record, inputs, reason) => {
    const decision = await finish(record, inputs)
    expect(decision.ok).toBe(false)
    if (decision.ok) return
    expect(decision.rejection.code).toBe('expression.failed')
    expect(decision.rejection.message.startsWith(PLACE)).toBe(true)
    expect(decision.rejection.message).toContain(reason)
  })

  it('records results as plain JSON values', async () => {
    const decision = await finish('{ "items": inputs.items.{ "n": $ }, "padded": $pad("7", -3, "0") }', { items: [1, 2] })
    if (!decision.ok) throw new Error(decision.rejection.message)
    const value = decision.state.values['value'] as { items: unknown[] }
    expect(value).toEqual({ items: [{ n: 1 }, { n: 2 }], padded: '007' })
    // A JSONata sequence carries flags of its own; what is recorded is the array alone.
    expect(Object.keys(value.items)).toEqual(['0', '1'])
  })

  it('refuses the start when the first step\'s condition fails', async () => {
    const decision = await decide(compiled(processWith({ when: NEVER_ENDS })), undefined, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1', isv: 'v-1' } }, at(T0))
    expect(decision).toMatchObject({ ok: false, rejection: { code: 'expression.failed', message: expect.stringContaining('/steps/0/when (line 9, column 11)') as string } })
  })

  it('refuses to fire a deadline whose action records a failing expression', async () => {
    const process = compiled(processWith({ record: NEVER_ENDS }))
    const decision = await decide(process, await startedIn(process), { type: 'fire-due' }, at('2026-01-02T00:00:00Z'))
    expect(decision).toMatchObject({ ok: false, rejection: { code: 'expression.failed', message: expect.stringContaining('/steps/0/actions/expire/record/value') as string } })
  })

  it('counts every expression of one decision against one budget: deadlines overdue many times over cannot add up past it', async () => {
    // The timeout leads back to its own step: each firing records a value of about 3,000 steps
    // (well within the limit on its own), and the instance is 30 periods overdue.
    const heavy = '$reduce([1..1000], function($a, $b){ $a + $b })'
    const process = compiled(`id: looping
version: 1
title: Looping timeout
roles: [isv]
steps:
  - id: wait
    title: Wait
    actor: isv
    timeout: { after: PT1H, action: tick }
    actions:
      tick:
        record:
          n: ${JSON.stringify(heavy)}
        goto: wait
      finish: { end: completed }
`)
    const started = await decide(process, undefined, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { isv: 'v-1' } }, at(T0))
    if (!started.ok) throw new Error(started.rejection.message)
    const once = await decide(process, started.state, { type: 'fire-due' }, at(T0).add({ hours: 1 }))
    expect(once).toMatchObject({ ok: true })
    const overdue = await decide(process, started.state, { type: 'fire-due' }, at(T0).add({ hours: 30 }))
    expect(overdue).toMatchObject({ ok: false, rejection: { code: 'expression.failed', message: expect.stringContaining('steps') as string } })
  })

  it('makes $random, $shuffle and $eval fail at run time too', async () => {
    const place = { file: 'x.yaml', line: 1, column: 1, pointer: '/steps/0/when' }
    for (const text of ['$random()', '$shuffle([1, 2, 3])', '$eval("1")']) {
      const expression = compileExpression(text, 'UTC', place)
      if ('reason' in expression) throw new Error(expression.reason)
      await expect(expression.evaluate({}, T0)).rejects.toThrow(ExpressionFailure)
      await expect(expression.evaluate({}, T0)).rejects.toThrow(/may not be called/)
    }
  })
})

describe('a failed expression through the engine', () => {
  let h: Harness | undefined
  afterEach(async () => {
    await h?.close()
    h = undefined
  })

  it('refuses the act with expression.failed and leaves the database unchanged', async () => {
    h = await openHarness()
    await h.engine.processes.register(processWith({ record: NEVER_ENDS }), 'failing.yaml')
    const { id } = await h.engine.instances.start({ process: 'failing', parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)
    const before = await snapshot(h.database)
    const error = await h.engine.instances.act(id, { action: 'finish' }, ISV).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(EngineError)
    expect(error).toMatchObject({ code: 'expression.failed', message: expect.stringContaining('/steps/0/actions/finish/record/value') as string })
    expect(await snapshot(h.database)).toEqual(before)
    expect(await h.engine.instances.get(id, ADMIN)).toMatchObject({ status: 'active', revision: 1 })
  })
})
