import { assign, createActor, createMachine, initialTransition, transition } from 'xstate'
import type { Actor, AnyMachineSnapshot } from 'xstate'
import { DEMAND } from '../lib/deliveries.js'

const FOURTEEN_DAYS_MS = 14 * 24 * 3600 * 1000

/** The basic delivery as an XState v5 machine: three states, a 14-day `after` on the last. */
export const basicMachine = createMachine({
  id: 'basic',
  initial: 'submitDemand',
  types: {} as { context: { demand: unknown }; events: { type: 'SUBMIT'; inputs: unknown } | { type: 'FINISH' } | { type: 'CONFIRM' } },
  context: { demand: undefined },
  states: {
    submitDemand: { on: { SUBMIT: { target: 'projectDelivery', actions: assign({ demand: ({ event }) => event.inputs }) } } },
    projectDelivery: { on: { FINISH: 'confirmDelivery' } },
    confirmDelivery: { after: { [FOURTEEN_DAYS_MS]: 'completed' }, on: { CONFIRM: 'completed' } },
    completed: { type: 'final' },
  },
})

const EVENTS = [{ type: 'SUBMIT', inputs: DEMAND }, { type: 'FINISH' }, { type: 'CONFIRM' }] as const

/**
 * Runs one actor to its end, persisting (`getPersistedSnapshot` and `JSON.stringify`) after its
 * start and after each event. Returns the length of the persisted snapshot on the last task.
 */
export function completeWithXState(): number {
  const actor = createActor(basicMachine).start()
  let waiting = persist(actor)
  for (const event of EVENTS) {
    actor.send(event)
    const length = persist(actor)
    if (event.type === 'FINISH') waiting = length
  }
  if (actor.getSnapshot().status !== 'done') throw new Error('The XState actor did not reach its final state.')
  return waiting
}

function persist(actor: Actor<typeof basicMachine>): number {
  return JSON.stringify(actor.getPersistedSnapshot()).length
}

/** Runs one actor to its end without persisting: 4 transitions (the start and 3 events). */
export function runXStateActor(): void {
  const actor = createActor(basicMachine).start()
  for (const event of EVENTS) actor.send(event)
}

/** The same 4 transitions through XState's pure `initialTransition` and `transition`. */
export function runXStatePure(): AnyMachineSnapshot {
  let [snapshot] = initialTransition(basicMachine)
  for (const event of EVENTS) [snapshot] = transition(basicMachine, snapshot, event)
  return snapshot
}

/** Starts an actor and leaves it waiting on the last state, its 14-day timer pending. */
export function parkXStateActor(): Actor<typeof basicMachine> {
  const actor = createActor(basicMachine).start()
  actor.send(EVENTS[0])
  actor.send(EVENTS[1])
  return actor
}
