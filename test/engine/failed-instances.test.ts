import { afterEach, describe, expect, it } from 'vitest'
import { Engine, ManualClock, Store } from '../../engine/index.js'
import type { Event } from '../../engine/index.js'
import { DIALECT, freshDatabase, snapshot } from '../support/database.js'
import { ADMIN, awaitingConfirmation, CUSTOMER, T0 } from '../support/engine.js'
import { countFailure, FRAGILE, FRAGILE_DUE, FRAGILE_PARTIES, fireFailures as storedFireFailures, markFailed } from '../support/fragile.js'

interface Harness {
  readonly engine: Engine
  readonly clock: ManualClock
  readonly store: Store
  readonly database: string
}

const opened: Array<{ store: Store; drop: () => Promise<void> }> = []
afterEach(async () => {
  for (const { store, drop } of opened.splice(0)) {
    await store.close()
    await drop()
  }
})

/** An engine on a fresh database with the built-in processes and `fragile`. */
async function open(options: { writerThread?: boolean; fireAttempts?: number } = {}): Promise<Harness> {
  const { location, drop } = await freshDatabase('dc-failed-')
  const store = await Store.open(location, { writerThread: options.writerThread === true })
  opened.push({ store, drop })
  const clock = new ManualClock(T0)
  const engine = new Engine({ store, clock, ...(options.fireAttempts === undefined ? {} : { fireAttempts: options.fireAttempts }) })
  await engine.processes.registerBuiltIns()
  await engine.processes.register(FRAGILE, 'fragile.yaml')
  return { engine, clock, store, database: location }
}

async function startFragile(h: Harness, amount?: string): Promise<string> {
  const view = await h.engine.instances.start({ process: 'fragile', parties: FRAGILE_PARTIES, ...(amount === undefined ? {} : { parameters: { amount } }) }, ADMIN)
  return view.id
}

async function fireFailures(h: Harness, id: string): Promise<number | undefined> {
  return storedFireFailures(h.store, id)
}

async function lastEvent(h: Harness, id: string): Promise<Event | undefined> {
  return (await h.engine.instances.history(id, ADMIN)).at(-1)?.event
}

/** Fires rounds until `id` is marked failed, checking it stays active and counted before. */
async function failAfterRounds(h: Harness, id: string, rounds: number): Promise<void> {
  for (let round = 1; round < rounds; round++) {
    expect(await h.engine.deadlines.advance()).toMatchObject({ failed: [id] })
    expect(await fireFailures(h, id)).toBe(round)
    expect((await h.engine.instances.get(id, ADMIN)).status).toBe('active')
  }
  expect(await h.engine.deadlines.advance()).toMatchObject({ failed: [id] })
  expect((await h.engine.instances.get(id, ADMIN)).status).toBe('failed')
}

const MODES = DIALECT === 'sqlite' ? [false, true] : [false]

describe.each(MODES)(`instances whose due deadline keeps failing, on ${DIALECT} (writer thread: %s)`, (writerThread) => {
  it('are marked failed after three failed rounds in a row while the others fire normally, and are never claimed again', { timeout: 30_000 }, async () => {
    const h = await open({ writerThread })
    const good = await startFragile(h)
    const bad = await startFragile(h, 'x')
    const alsoGood = await startFragile(h)
    h.clock.set(FRAGILE_DUE)

    expect(await h.engine.deadlines.advance()).toEqual({ fired: 2, instances: 2, failed: [bad] })
    for (const id of [good, alsoGood]) expect(await h.engine.instances.get(id, ADMIN)).toMatchObject({ status: 'completed', outcome: 'expired', values: { total: 6 } })
    expect(await fireFailures(h, bad)).toBe(1)
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 0, instances: 0, failed: [bad] })
    expect(await fireFailures(h, bad)).toBe(2)
    expect((await h.engine.instances.get(bad, ADMIN)).status).toBe('active')
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 0, instances: 0, failed: [bad] })

    const event = await lastEvent(h, bad)
    expect(event).toMatchObject({ type: 'instance-failed', at: FRAGILE_DUE, code: 'expression.failed', attempts: 3, message: expect.any(String) })
    const view = await h.engine.instances.get(bad, ADMIN)
    expect(view).toMatchObject({ status: 'failed', step: { id: 'confirm' }, deadline: { due: FRAGILE_DUE }, actions: [] })
    expect(view.failure).toEqual({ code: 'expression.failed', message: expect.any(String), at: FRAGILE_DUE, attempts: 3 })
    expect((await h.engine.instances.get(bad, CUSTOMER)).failure).toBeUndefined()

    // No longer due: later rounds leave it alone.
    h.clock.set('2026-01-03T00:00:00Z')
    expect(await h.store.claims.dueVersions('2026-01-03T00:00:00.000Z')).toEqual([])
    expect(await h.engine.deadlines.advance()).toEqual({ fired: 0, instances: 0, failed: [] })
    expect(await h.engine.instances.get(bad, ADMIN)).toMatchObject({ status: 'failed', revision: view.revision })
    expect((await h.engine.instances.list({ status: 'failed' }, ADMIN)).items.map((i) => i.id)).toEqual([bad])
    expect((await h.engine.instances.list({ status: 'active' }, ADMIN)).items).toEqual([])
    expect((await h.engine.instances.list({ waitingOnMe: true }, CUSTOMER)).items).toEqual([])
  })

  it('are marked failed at the first failure with fireAttempts 1', async () => {
    const h = await open({ writerThread, fireAttempts: 1 })
    const bad = await startFragile(h, 'x')
    h.clock.set(FRAGILE_DUE)
    await failAfterRounds(h, bad, 1)
    expect(await lastEvent(h, bad)).toMatchObject({ type: 'instance-failed', attempts: 1 })
  })

  it('refuse acts and a retry that fails again, changing nothing, and may be terminated', { timeout: 30_000 }, async () => {
    const h = await open({ writerThread })
    const bad = await startFragile(h, 'x')
    h.clock.set('2026-01-01T12:00:00Z')
    const early = await startFragile(h, 'x') // not due yet, so not failed
    h.clock.set(FRAGILE_DUE)
    // Fired by hand, the failure is the answer; only the scheduler's rounds count attempts.
    await expect(h.engine.deadlines.advanceInstance(bad, ADMIN)).rejects.toMatchObject({ code: 'expression.failed' })
    expect(await fireFailures(h, bad)).toBe(0)
    await failAfterRounds(h, bad, 3)
    const before = await snapshot(h.database)

    await expect(h.engine.instances.act(bad, { action: 'accept' }, CUSTOMER)).rejects.toMatchObject({ code: 'instance.failed' })
    await expect(h.engine.instances.retry(bad, {}, CUSTOMER)).rejects.toMatchObject({ code: 'auth.forbidden' })
    await expect(h.engine.instances.retry(bad, {}, ADMIN)).rejects.toMatchObject({ code: 'expression.failed' })
    await h.engine.deadlines.advanceInstance(early, ADMIN)
    expect(await h.engine.instances.get(early, ADMIN)).toMatchObject({ status: 'active' })
    await expect(h.engine.instances.retry(early, {}, ADMIN)).rejects.toMatchObject({ code: 'instance.not-failed' })
    await h.engine.deadlines.advanceInstance(bad, ADMIN)
    expect(await h.engine.instances.get(bad, ADMIN)).toMatchObject({ status: 'failed' })
    expect(await snapshot(h.database)).toEqual(before)

    expect(await h.engine.instances.terminate(bad, { reason: 'The definition cannot be fixed' }, ADMIN)).toMatchObject({ status: 'terminated', outcome: 'terminated' })
    expect(await lastEvent(h, bad)).toMatchObject({ type: 'instance-terminated', by: ADMIN })
    await expect(h.engine.instances.retry(bad, {}, ADMIN)).rejects.toMatchObject({ code: 'instance.not-failed' })
  })

  it('are active again after a retry that fires their deadlines, with the count of failures reset', async () => {
    const h = await open({ writerThread })
    const [id] = await awaitingConfirmation(h.engine, 1) as [string]
    h.clock.set('2026-01-15T00:00:00Z')
    expect(await countFailure(h.store, id)).toBe('written')
    await markFailed(h.engine, h.store, id)
    expect((await h.engine.instances.get(id, ADMIN)).status).toBe('failed')

    h.clock.set('2026-01-16T00:00:00Z')
    expect(await h.engine.instances.retry(id, {}, ADMIN)).toMatchObject({ status: 'completed', outcome: 'completed' })
    const types = (await h.engine.instances.history(id, ADMIN)).map((r) => r.event.type)
    expect(types.slice(-4)).toEqual(['instance-failed', 'instance-retried', 'action-performed', 'instance-completed'])
    expect((await h.engine.instances.history(id, ADMIN)).at(-3)?.event).toEqual({ type: 'instance-retried', at: '2026-01-16T00:00:00.000Z', by: ADMIN })
    expect(await fireFailures(h, id)).toBe(0)
  })

  it('count failures only in a row: any write of the instance starts the count again', async () => {
    const h = await open({ writerThread })
    const ids = await awaitingConfirmation(h.engine, 2)
    for (const id of ids) {
      expect(await countFailure(h.store, id)).toBe('written')
      expect(await countFailure(h.store, id)).toBe('written')
      expect(await fireFailures(h, id)).toBe(2)
    }
    if (DIALECT === 'sqlite') {
      // Claims without row locks: two claimers read the same count, and only the first one's stands.
      const [id] = ids as [string]
      const first = await h.store.claims.one(id)
      const second = await h.store.claims.one(id)
      const count = (claim: typeof first) => claim.settle(claim.instances.map((claimed) => ({ kind: 'count-failure' as const, claimed })))
      expect((await count(first)).get(id)).toEqual({ kind: 'written' })
      expect((await count(second)).get(id)).toEqual({ kind: 'stale' })
      expect(await fireFailures(h, id)).toBe(3)
    }
    const [first, second] = ids as [string, string]
    await h.engine.instances.terminate(first, { reason: 'Order refunded' }, ADMIN)
    expect(await fireFailures(h, first)).toBe(0)
    // A deadline fired by a claim (many instances per statement on PostgreSQL).
    h.clock.set('2026-01-15T00:00:00Z')
    expect(await h.engine.deadlines.advance()).toMatchObject({ fired: 1, failed: [] })
    expect(await fireFailures(h, second)).toBe(0)
  })
})

describe('Engine options', () => {
  it('refuses a fireAttempts that is not a whole number from 1', async () => {
    const h = await open()
    expect(() => new Engine({ store: h.store, clock: h.clock, fireAttempts: 0 })).toThrow(RangeError)
    expect(() => new Engine({ store: h.store, clock: h.clock, fireAttempts: 1.5 })).toThrow(RangeError)
  })
})
