import { decide, iso, publicEventRefs } from '../../engine/index.js'
import type { Engine, Store } from '../../engine/index.js'

/**
 * A process whose timeout records `$number(parameters.amount) + 1`: started with an `amount` that
 * is not a number, its deadline fails every time it is fired (JSONata cannot cast "x"); started
 * with the default, it fires normally and ends `expired`. Customers may `accept` before the
 * deadline.
 */
export const FRAGILE = `id: fragile
version: 1
title: Fragile Delivery
roles: [customer, isv]
parameters:
  amount: { type: string, default: "5" }
steps:
  - id: confirm
    title: Confirm
    actor: customer
    timeout: { after: P1D, action: expire }
    actions:
      accept: { title: Accept, end: accepted }
      expire:
        title: Expire
        actor: system
        end: expired
        record:
          total: "$number(parameters.amount) + 1"
`

/** The parties of every fragile delivery. */
export const FRAGILE_PARTIES = { customer: 'c-1', isv: 'v-1' }

/** When a fragile delivery started at T0 falls due. */
export const FRAGILE_DUE = '2026-01-02T00:00:00.000Z'

/**
 * Marks an instance failed as the scheduler does after failed attempts at firing its due
 * deadline, though here nothing failed: as when the cause is gone by the time of a retry (an
 * expression cut off under load, say).
 */
export async function markFailed(engine: Engine, store: Store, id: string): Promise<void> {
  const stored = await store.instances.find(id)
  if (!stored) throw new Error(`no instance ${id}`)
  const process = await engine.processes.get(stored.state.processId, stored.state.processVersion)
  const decision = await decide(process, stored.state, { type: 'fail', code: 'expression.failed', message: 'cut off', attempts: 3 }, engine.clock.now())
  if (!decision.ok) throw new Error(decision.rejection.message)
  const outbox = { events: publicEventRefs(decision.state, decision.events, stored.lastSeq), recordedAt: iso(engine.clock.now()) }
  await store.instances.append(stored, decision.state, decision.events, { waiting: { started: [], stopped: [], none: false }, attachmentIds: [], outbox })
}

/** How many attempts in a row at firing the instance's due deadline have failed, as stored; undefined if there is no such instance. */
export async function fireFailures(store: Store, id: string): Promise<number | undefined> {
  return (await store.db.selectFrom('instance').select('fire_failures').where('id', '=', id).executeTakeFirst())?.fire_failures
}

/** Counts one failed attempt at firing `id` through a claim, as a round does; returns how the write went. */
export async function countFailure(store: Store, id: string): Promise<string | undefined> {
  const claim = await store.claims.one(id)
  const [claimed] = claim.instances
  if (!claimed) throw new Error(`no instance ${id}`)
  return (await claim.settle([{ kind: 'count-failure', claimed }])).get(id)?.kind
}
