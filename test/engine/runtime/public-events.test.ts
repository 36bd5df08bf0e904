import { describe, expect, it } from 'vitest'
import { evolve, publicEventRefs, rebuildPublicEvents, summarise } from '../../../engine/index.js'
import type { Command, Event, InstanceState, Principal } from '../../../engine/index.js'
import { compileForTest, decideAt } from '../../support/decide.js'

// A delivery's public events are kept by reference (their place in its history and the revision
// the change made) and rebuilt from that history when read. Rebuilt from any longer history, each
// shows the delivery right after its change, as the decision that made it saw it. No database.

const T0 = '2026-01-01T00:00:00.000Z'
const ADMIN: Principal = { role: 'admin', subject: 'a-1' }
const CUSTOMER: Principal = { role: 'customer', subject: 'c-1' }

const counter = compileForTest(`
id: counter
version: 3
title: Counter
roles: [customer]
steps:
  - id: count
    title: Count
    actor: customer
    timeout: { after: P1D, action: stop }
    actions:
      again: { title: Again, goto: count, record: { times: "(values.times ? values.times : 0) + 1" } }
      stop: { title: Stop, end: stopped, record: { stoppedAt: "$now()" } }
`)

/** The history of `commands`, each decided at its instant, with the refs each decision's public events were written with and the state right after each of its events. */
async function run(commands: ReadonlyArray<readonly [string, Command]>) {
  let state: InstanceState | undefined
  const history: Event[] = []
  const refs: ReturnType<typeof publicEventRefs> = []
  const expected = new Map<number, { state: InstanceState; revision: number }>()
  for (const [at, command] of commands) {
    const decision = await decideAt(counter, state, command, at)
    if (!decision.ok) throw new Error(decision.rejection.message)
    const made = publicEventRefs(decision.state, decision.events, history.length)
    refs.push(...made)
    // The state after each public event, with the values its action recorded (they follow it).
    let after = state
    decision.events.forEach((event, i) => {
      after = evolve(after, event)
      const seq = history.length + i + 1
      if (made.some((ref) => ref.seq === seq)) {
        const recorded = decision.events[i + 1]?.type === 'values-recorded' ? evolve(after, decision.events[i + 1] as Event) : after
        expected.set(seq, { state: recorded as InstanceState, revision: decision.state.revision })
      }
    })
    history.push(...decision.events)
    state = decision.state
  }
  return { history, refs, expected }
}

describe('public events rebuilt from a delivery\'s history', () => {
  it('show the delivery as each change left it, its recorded values and revision included, however much history follows', async () => {
    const { history, refs, expected } = await run([
      [T0, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1' } }],
      ['2026-01-01T01:00:00.000Z', { type: 'act', by: CUSTOMER, action: 'again' }],
      ['2026-01-01T02:00:00.000Z', { type: 'act', by: CUSTOMER, action: 'again' }],
      ['2026-01-02T02:00:00.000Z', { type: 'fire-due' }],
    ])
    expect(refs.map((ref) => [ref.type, ref.revision])).toEqual([
      ['delivery.started', 1], ['delivery.step-entered', 1],
      ['delivery.action-performed', 2], ['delivery.step-entered', 2],
      ['delivery.action-performed', 3], ['delivery.step-entered', 3],
      ['delivery.action-performed', 4], ['delivery.completed', 4],
    ])
    const wanted = new Map(refs.map((ref) => [ref.seq, ref.revision]))
    const { events: rebuilt, replayed } = rebuildPublicEvents(counter, history, wanted)
    expect(replayed?.seq).toBe(Math.max(...wanted.keys()))
    expect([...rebuilt.keys()]).toEqual(refs.map((ref) => ref.seq))
    for (const ref of refs) {
      const { state, revision } = expected.get(ref.seq) as { state: InstanceState; revision: number }
      expect(rebuilt.get(ref.seq)).toMatchObject({ id: ref.id, type: ref.type, timestamp: ref.timestamp, data: { delivery: { ...summarise(counter, state), revision } } })
    }
    expect(rebuilt.get(refs[2]?.seq as number)?.data.delivery?.values).toEqual({ times: 1 })
    expect(rebuilt.get(refs[6]?.seq as number)?.data).toMatchObject({ trigger: 'timeout', delivery: { values: { times: 2, stoppedAt: '2026-01-02T02:00:00.000Z' } } })

    // One event alone, from the history up to it and the one after (its recorded values): the same.
    const one = refs[4] as (typeof refs)[number]
    expect(rebuildPublicEvents(counter, history.slice(0, one.seq + 1), new Map([[one.seq, one.revision]])).events.get(one.seq)).toEqual(rebuilt.get(one.seq))

    // Going on from where a replay stopped, with only the history after it: the same again.
    const { replayed: stopped, before } = rebuildPublicEvents(counter, history, new Map([[one.seq, one.revision]]))
    expect(stopped?.seq).toBe(one.seq)
    // And the state right before it, to read it again from there.
    expect(before).toEqual({ seq: one.seq - 1, state: history.slice(0, one.seq - 1).reduce<InstanceState | undefined>(evolve, undefined) })
    expect(rebuildPublicEvents(counter, history.slice(one.seq - 1), new Map([[one.seq, one.revision]]), before).events.get(one.seq)).toEqual(rebuilt.get(one.seq))
    const later = refs.slice(5)
    const resumed = rebuildPublicEvents(counter, history.slice(one.seq), new Map(later.map((ref) => [ref.seq, ref.revision])), stopped)
    expect([...resumed.events.values()]).toEqual(later.map((ref) => rebuilt.get(ref.seq)))
    expect(resumed.replayed?.seq).toBe(history.length)
  })

  it('rebuild nothing for numbers that are no public event\'s', async () => {
    const { history, refs } = await run([[T0, { type: 'start', instanceId: 'i-1', by: ADMIN, parties: { customer: 'c-1' } }], ['2026-01-01T01:00:00.000Z', { type: 'act', by: CUSTOMER, action: 'again' }]])
    const recorded = history.findIndex((event) => event.type === 'values-recorded') + 1
    expect(recorded).toBeGreaterThan(0)
    expect(refs.some((ref) => ref.seq === recorded)).toBe(false)
    expect(rebuildPublicEvents(counter, history, new Map([[recorded, 2], [history.length + 5, 2]])).events.size).toBe(0)
    expect(rebuildPublicEvents(counter, history, new Map())).toEqual({ events: new Map(), replayed: undefined, before: undefined })
  })
})
