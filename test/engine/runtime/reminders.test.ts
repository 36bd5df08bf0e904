import { describe, expect, it } from 'vitest'
import { compileProcess, evolve, rebuildPublicEvents } from '../../../engine/index.js'
import type { Command, CompiledProcess, Decision, Event, InstanceState, Principal } from '../../../engine/index.js'
import { nextDeadline } from '../../../engine/runtime/transitions.js'
import { viewInstance } from '../../../engine/runtime/view.js'
import { builtIn, compileForTest, decideAt, historyAfter, stateAfter } from '../../support/decide.js'

// Reminders before deadlines (`remind`), on the pure runtime: when they are scheduled, sent once
// at their instant, left out, sent again in a new round, and what they say. No database.

const T0 = '2026-01-01T00:00:00.000Z'
const ADMIN: Principal = { role: 'admin', subject: 'a-1' }
const CUSTOMER: Principal = { role: 'customer', subject: 'c-1' }
const ISV: Principal = { role: 'isv', subject: 'v-1' }
const DEMAND = { contact: { name: 'Li Lei', phone: '+86 138 0000 0000', email: 'li@example.com' }, demands: 'A shop website' }
/** The instant `days` days (and `hours` hours) after T0. */
const day = (days: number, hours = 0): string => new Date(Date.UTC(2026, 0, 1 + days, hours)).toISOString()
const FIRE: Command = { type: 'fire-due' }

const basic = builtIn('basic')
const start: Command = { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }
/** Basic at Confirm Delivery, entered on day 1: the system confirms on day 15, reminders on days 12 and 14. */
const { state: atConfirm, history: toConfirm } = await historyAfter(basic, [[T0, start], [T0, { type: 'act', by: CUSTOMER, action: 'submit', inputs: DEMAND }], [day(1), { type: 'act', by: ISV, action: 'finish' }]])

function accepted(decision: Decision): Extract<Decision, { ok: true }> {
  if (!decision.ok) throw new Error(`${decision.rejection.code}: ${decision.rejection.message}`)
  return decision
}

/** Fires at `at` and checks that the decision's state is its events folded onto the state before. */
async function fire(process: CompiledProcess, state: InstanceState, at: string): Promise<Extract<Decision, { ok: true }>> {
  const decision = accepted(await decideAt(process, state, FIRE, at))
  if (decision.events.length > 0) expect({ ...decision.events.reduce(evolve, state), revision: state.revision + 1 }).toEqual(decision.state)
  return decision
}

const sent = (events: readonly Event[]): string[] => events.flatMap((e) => e.type === 'deadline-approaching' ? [`${e.remind} ${e.at}`] : [])

describe('scheduling reminders', () => {
  it('fixes each reminder\'s instant when the step is entered, before the deadline, and claims the earliest like a deadline', () => {
    expect(atConfirm.deadlines.timeout).toEqual({
      step: 'confirm-delivery', action: 'confirm', due: day(15),
      reminders: [{ offset: 'P3D', at: day(12) }, { offset: 'P1D', at: day(14) }],
    })
    expect(nextDeadline(atConfirm)).toBe(day(12))
  })

  it('counts on the calendar of the process\'s zone: P1M before 31 March is 28 February, P1D across a daylight-saving change is 23 hours', async () => {
    const zoned = compileForTest(`id: z
version: 1
title: Z
timeZone: Europe/Berlin
roles: [customer]
steps:
  - id: wait
    title: Wait
    actor: customer
    timeout: { after: P2M, action: done, remind: [P1M, P1D] }
    actions: { done: { end: completed } }`)
    // Entered at midnight in Berlin on 31 January: due 31 March (summer time from 29 March).
    const state = await stateAfter(zoned, [['2026-01-30T23:00:00Z', { type: 'start', instanceId: 'z', by: ADMIN, parties: { customer: 'c-1' } }]])
    expect(state.deadlines.timeout).toMatchObject({
      due: '2026-03-30T22:00:00.000Z',
      reminders: [{ offset: 'P1M', at: '2026-02-27T23:00:00.000Z' }, { offset: 'P1D', at: '2026-03-29T22:00:00.000Z' }],
    })
  })

  it('leaves out a reminder whose instant had already passed, or was now, when the deadline was set', async () => {
    const short = await stateAfter(basic, [[T0, { ...start, parameters: { confirmWindow: 'P3D' } }], [T0, { type: 'act', by: CUSTOMER, action: 'submit', inputs: DEMAND }], [day(1), { type: 'act', by: ISV, action: 'finish' }]])
    expect(short.deadlines.timeout?.reminders).toEqual([{ offset: 'P1D', at: day(3) }])
    const shorter = await stateAfter(basic, [[T0, { ...start, parameters: { confirmWindow: 'PT12H' } }], [T0, { type: 'act', by: CUSTOMER, action: 'submit', inputs: DEMAND }], [day(1), { type: 'act', by: ISV, action: 'finish' }]])
    // No reminder left: the step is entered exactly as before reminders existed.
    expect(shorter.deadlines.timeout).toEqual({ step: 'confirm-delivery', action: 'confirm', due: day(1, 12) })
    expect(accepted(await decideAt(basic, shorter, FIRE, day(1, 11))).events).toEqual([])
  })
})

describe('sending reminders', () => {
  it('sends each reminder once, at its instant, to the step\'s actors, then the deadline fires', async () => {
    expect((await fire(basic, atConfirm, '2026-01-12T23:59:59.999Z')).events).toEqual([])
    const first = await fire(basic, atConfirm, day(12))
    expect(first.events).toEqual([{
      type: 'deadline-approaching', at: day(12), firedAt: day(12), deadline: { kind: 'timeout', step: 'confirm-delivery', action: 'confirm' },
      due: day(15), remind: 'P3D', parties: ['customer'],
    }])
    expect(nextDeadline(first.state)).toBe(day(14))
    expect((await fire(basic, first.state, day(13))).events).toEqual([])
    const second = await fire(basic, first.state, day(14, 1))
    // Sent late (the scheduler an hour behind): it takes effect at its instant, sent when it was.
    expect(second.events).toMatchObject([{ type: 'deadline-approaching', at: day(14), firedAt: day(14, 1), remind: 'P1D' }])
    expect(second.state.deadlines.timeout?.reminders).toEqual([
      { offset: 'P3D', at: day(12), sentAt: day(12), sentTo: ['customer'] },
      { offset: 'P1D', at: day(14), sentAt: day(14, 1), sentTo: ['customer'] },
    ])
    expect(nextDeadline(second.state)).toBe(day(15))
    const confirmed = await fire(basic, second.state, day(15))
    expect(confirmed.events.map((e) => e.type)).toEqual(['action-performed', 'instance-completed'])
  })

  it('sends the reminders that are due in one firing, in order, when the deadline is not', async () => {
    expect(sent((await fire(basic, atConfirm, day(14, 23))).events)).toEqual([`P3D ${day(12)}`, `P1D ${day(14)}`])
  })

  it('sends no reminder whose deadline is due by then: the deadline fires instead', async () => {
    const late = await fire(basic, atConfirm, day(16))
    expect(late.events.map((e) => e.type)).toEqual(['action-performed', 'instance-completed'])
    const afterOne = await fire(basic, atConfirm, day(12))
    expect((await fire(basic, afterOne.state, day(15))).events.map((e) => e.type)).toEqual(['action-performed', 'instance-completed'])
  })

  it('sends nothing once the actor has acted: the deadline went, and its reminders with it', async () => {
    const confirmed = accepted(await decideAt(basic, atConfirm, { type: 'act', by: CUSTOMER, action: 'confirm' }, day(13)))
    expect(nextDeadline(confirmed.state)).toBeUndefined()
  })

  it('schedules and sends a step\'s reminders again when a new round enters it', async () => {
    const loop = compileForTest(`id: loop
version: 1
title: Loop
roles: [customer, isv]
steps:
  - id: work
    title: Work
    actor: isv
    actions: { done: {} }
  - id: review
    title: Review
    actor: customer
    timeout: { after: P5D, action: accept, remind: [P2D] }
    actions:
      accept: { end: completed }
      reject: { goto: work }`)
    const entered = await stateAfter(loop, [[T0, { type: 'start', instanceId: 'l', by: ADMIN, parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }], [T0, { type: 'act', by: ISV, action: 'done' }]])
    const once = await fire(loop, entered, day(3))
    expect(sent(once.events)).toEqual([`P2D ${day(3)}`])
    const back = accepted(await decideAt(loop, once.state, { type: 'act', by: CUSTOMER, action: 'reject' }, day(4)))
    const again = accepted(await decideAt(loop, back.state, { type: 'act', by: ISV, action: 'done' }, day(6)))
    expect(again.state.deadlines.timeout).toEqual({ step: 'review', action: 'accept', due: day(11), reminders: [{ offset: 'P2D', at: day(9) }] })
    expect(sent((await fire(loop, again.state, day(9))).events)).toEqual([`P2D ${day(9)}`])
  })

  it('reminds of a window\'s expiry the actors of the step the instance is in, with what the expiry does', async () => {
    const warranty = compileForTest(`id: warranty
version: 1
title: Warranty
roles: [customer, isv]
windows:
  - { id: warranty, title: Warranty, steps: [use, fix], after: P30D, onExpiry: { end: expired }, remind: [P7D, P1D] }
steps:
  - id: use
    title: Use
    actor: customer
    actions:
      report: { goto: fix }
      close: { end: completed }
  - id: fix
    title: Fix
    actor: isv
    actions: { fixed: { goto: use } }`)
    const opened = await stateAfter(warranty, [[T0, { type: 'start', instanceId: 'w', by: ADMIN, parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }]])
    expect(opened.deadlines.windows['warranty']).toEqual({ openedAt: T0, due: day(30), reminders: [{ offset: 'P7D', at: day(23) }, { offset: 'P1D', at: day(29) }] })
    const first = await fire(warranty, opened, day(23))
    expect(first.events).toEqual([{
      type: 'deadline-approaching', at: day(23), firedAt: day(23), deadline: { kind: 'window', window: 'warranty', onExpiry: { kind: 'end', outcome: 'expired' } },
      due: day(30), remind: 'P7D', parties: ['customer'],
    }])
    const fixing = accepted(await decideAt(warranty, first.state, { type: 'act', by: CUSTOMER, action: 'report' }, day(24)))
    expect((await fire(warranty, fixing.state, day(29))).events).toMatchObject([{ type: 'deadline-approaching', remind: 'P1D', parties: ['isv'] }])
  })
})

describe('what a reminder shows', () => {
  it('is the public event delivery.deadline-approaching, with the deadline, when it is due, the offset and the parties', async () => {
    const first = await fire(basic, atConfirm, day(12))
    expect(toConfirm).toHaveLength(6)
    const published = rebuildPublicEvents(basic, [...toConfirm, ...first.events], new Map([[7, first.state.revision]])).events.get(7)
    expect(published).toMatchObject({
      id: 'i-1.7', type: 'delivery.deadline-approaching', timestamp: day(12),
      data: {
        deadline: { kind: 'timeout', step: 'confirm-delivery', action: 'confirm' }, due: day(15), remind: 'P3D', parties: ['customer'], firedAt: day(12),
        delivery: { phase: { id: 'confirm-delivery' }, deadline: { due: day(15), kind: 'timeout', name: 'confirm' } },
      },
    })
  })

  it('is in the view of the parties it was for, the latest first, and in no other view', async () => {
    expect(viewInstance(basic, atConfirm, CUSTOMER).reminder).toBeUndefined()
    const first = await fire(basic, atConfirm, day(12))
    expect(viewInstance(basic, first.state, CUSTOMER).reminder).toEqual({ kind: 'timeout', name: 'confirm', due: day(15), remind: 'P3D', sentAt: day(12) })
    expect(viewInstance(basic, first.state, ISV).reminder).toBeUndefined()
    expect(viewInstance(basic, first.state, ADMIN).reminder).toBeUndefined()
    const second = await fire(basic, first.state, day(14))
    expect(viewInstance(basic, second.state, CUSTOMER).reminder).toMatchObject({ remind: 'P1D' })
  })
})

describe('the language', () => {
  const withRemind = (remind: string): string => `id: r
version: 1
title: R
roles: [customer]
steps:
  - id: wait
    title: Wait
    actor: customer
    timeout: { after: P5D, action: done, remind: ${remind} }
    actions: { done: { end: completed } }`

  it('refuses a reminder that is not a positive duration, or is listed twice, located at the entry', () => {
    const result = compileProcess(withRemind('[P1D, PT0S, -P1D, soon, P1D]'), 'r.yaml')
    expect(result.ok ? [] : result.errors.map((e) => `${e.code} ${e.location.pointer}`)).toEqual([
      'definition.duration /steps/0/timeout/remind/1', 'definition.duration /steps/0/timeout/remind/2',
      'definition.duration /steps/0/timeout/remind/3', 'definition.duplicate-reminder /steps/0/timeout/remind/4',
    ])
    expect(compileProcess(withRemind('[]'), 'r.yaml')).toMatchObject({ ok: false, errors: [{ code: 'definition.schema' }] })
  })

  it('refuses a reminder listed twice as another name for the same length (P1Y and P12M)', () => {
    const result = compileProcess(withRemind('[P1Y, P12M, P1Y1M, P13M]').replace('after: P5D', 'after: P3Y'), 'r.yaml')
    expect(result.ok ? [] : result.errors.map((e) => `${e.code} ${e.location.pointer} ${e.message}`)).toEqual([
      'definition.duplicate-reminder /steps/0/timeout/remind/1 The reminder "P12M" is listed twice for this deadline (as "P1Y", which lasts as long).',
      'definition.duplicate-reminder /steps/0/timeout/remind/3 The reminder "P13M" is listed twice for this deadline (as "P1Y1M", which lasts as long).',
    ])
  })

  it('refuses a reminder listed twice under another name (P1W and P7D), and durations written in lower case', () => {
    const result = compileProcess(withRemind('[P1W, P7D, PT168H, p1d]').replace('after: P5D', 'after: P30D').replace('id: r\n', 'id: r\nparameters:\n  wait: { type: duration, default: p14d }\n'), 'r.yaml')
    expect(result.ok ? [] : result.errors.map((e) => `${e.code} ${e.location.pointer} ${e.message}`)).toEqual([
      'definition.duration /parameters/wait/default The default of parameter "wait" is invalid: "p14d" is written in lower case: durations are written in capitals, "P14D".',
      'definition.duplicate-reminder /steps/0/timeout/remind/1 The reminder "P7D" is listed twice for this deadline (as "P1W", which lasts as long).',
      'definition.duration /steps/0/timeout/remind/3 "p1d" is written in lower case: durations are written in capitals, "P1D".',
    ])
  })

  it('refuses a reminder as long as a fixed deadline or longer, counting a month as 28 to 31 days and a day as 23 to 25 hours', () => {
    // PT120H is accepted where daylight saving time changes: five days across the change last 121 hours.
    const berlin = (remind: string): string => withRemind(remind).replace('roles: [customer]', 'timeZone: Europe/Berlin\nroles: [customer]')
    expect(compileProcess(berlin('[PT120H]'), 'r.yaml').ok).toBe(true)
    // In UTC five days last 120 hours, always.
    expect(compileProcess(withRemind('[PT120H]'), 'r.yaml').ok).toBe(false)
    expect(compileProcess(withRemind('[PT119H]'), 'r.yaml').ok).toBe(true)
    const result = compileProcess(withRemind('[P4DT23H59M, P5D, PT122H, P6D, P1M]'), 'r.yaml')
    expect(result.ok ? [] : result.errors.map((e) => `${e.code} ${e.location.pointer}`)).toEqual([
      'definition.reminder-too-long /steps/0/timeout/remind/1', 'definition.reminder-too-long /steps/0/timeout/remind/2',
      'definition.reminder-too-long /steps/0/timeout/remind/3', 'definition.reminder-too-long /steps/0/timeout/remind/4',
    ])
    const monthly = (after: string, remind: string): boolean => compileProcess(withRemind(`[${remind}]`).replace('after: P5D', `after: ${after}`), 'r.yaml').ok
    // A month may last 31 days, so 28 days before it can fall after it was set; a year lasts at most
    // 366 days, and twelve months exactly as long, whatever the calendar's year.
    expect([monthly('P1M', 'P28D'), monthly('P1M', 'P31D'), monthly('P1Y', 'P12M'), monthly('P1Y', 'P366D'), monthly('P1Y', 'P365D'), monthly('P2Y', 'P1Y11M'), monthly('P1Y', 'P11M')])
      .toEqual([true, false, false, false, true, true, true])
  })

  it('accepts a long reminder of a deadline set from a parameter, which each delivery may set longer', () => {
    expect(compileProcess(withRemind('[P30D]').replace('id: r\n', 'id: r\nparameters:\n  wait: { type: duration, default: P60D }\n').replace('after: P5D', 'after: wait'), 'r.yaml').ok).toBe(true)
  })

  it('is inherited with a timeout by a derived process, and replaced when the step is written again', () => {
    const base = { text: withRemind('[P2D]'), file: 'r.yaml' }
    const derive = (steps: string): CompiledProcess => {
      const result = compileProcess(`id: d\nversion: 1\ntitle: D\nextends: r\n${steps}`, 'd.yaml', { base: () => base })
      if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
      return result.process
    }
    expect(derive('').steps.get('wait')?.timeout?.remind.map((r) => r.offset)).toEqual(['P2D'])
    const replaced = derive(`steps:
  - id: wait
    title: Wait
    actor: customer
    timeout: { after: P5D, action: done, remind: [P1D, PT6H] }
    actions: { done: { end: completed } }`)
    expect(replaced.steps.get('wait')?.timeout?.remind.map((r) => r.offset)).toEqual(['P1D', 'PT6H'])
  })
})
