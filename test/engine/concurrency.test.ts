import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { Temporal } from 'temporal-polyfill'
import { evolve, Store } from '../../engine/index.js'
import type { InstanceState } from '../../engine/index.js'
import { ADMIN, awaitingConfirmation, CUSTOMER, openHarness } from '../support/engine.js'
import type { Harness } from '../support/engine.js'
import { Worker } from '../support/processes.js'
import { DIALECT, freshDatabase } from '../support/database.js'

let h: Harness
const workers: Worker[] = []
beforeEach(async () => { h = await openHarness() })
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()))
  await Promise.all(shared.map((w) => w.request({ op: 'close' })))
  await h.close()
})

/**
 * Two worker processes started once for the whole file (each start loads the engine: about a
 * second of CPU), told to open each test's fresh database.
 */
const shared: Worker[] = []
beforeAll(() => { shared.push(new Worker(), new Worker()) })
afterAll(async () => { await Promise.all(shared.splice(0).map((w) => w.stop())) })

/** The two shared workers, on this test's database. */
async function pair(writerThread: boolean): Promise<[Worker, Worker]> {
  await Promise.all(shared.map((w) => w.request({ op: 'open', database: h.database, writerThread })))
  return shared as [Worker, Worker]
}

/** Checks an instance's stored state is exactly what replaying its history gives: nothing half-applied. */
async function expectConsistent(store: Store, id: string): Promise<InstanceState> {
  const stored = await store.instances.find(id)
  const history = await store.instances.history(id)
  expect(history.map((r) => r.seq)).toEqual(history.map((_, i) => i + 1))
  expect(stored?.lastSeq).toBe(history.length)
  const replayed = history.map((r) => r.event).reduce<InstanceState | undefined>(evolve, undefined)
  expect({ ...replayed, revision: stored?.state.revision }).toEqual(stored?.state)
  return stored?.state as InstanceState
}

const DUE = '2026-01-15T00:00:00.000Z'
const JUST_BEFORE = Temporal.Instant.from(DUE).subtract({ milliseconds: 1 }).toString()

// On SQLite, as served by default and with the writer thread (`serve --writer-thread`).
const MODES = DIALECT === 'sqlite' ? [false, true] : [false]
describe.each(MODES)(`two OS processes on one ${DIALECT} database (writer thread: %s)`, (writerThread) => {
  it('confirm and auto-confirm racing at the deadline: never both, never neither, one confirmation in the history', { timeout: 120_000 }, async () => {
    const ids = await awaitingConfirmation(h.engine, 40)
    const [customer, scheduler] = await pair(writerThread)
    const outcomes = new Map<string, number>()
    for (const id of ids) {
      // The customer clicks Confirm a millisecond before the deadline while the scheduler fires it.
      customer.send({ op: 'act', id, action: 'confirm', by: CUSTOMER, now: JUST_BEFORE })
      scheduler.send({ op: 'advance-instance', id, now: DUE })
      const [acted, advanced] = await Promise.all([customer.next<{ ok: boolean; code?: string }>(), scheduler.next<{ fired: number }>()])
      const winner = acted.ok ? 'customer' : 'system'
      expect(acted.ok ? advanced.fired : 1 - advanced.fired, `${id}: customer ${JSON.stringify(acted)}, scheduler fired ${advanced.fired}`).toBe(0)
      if (!acted.ok) expect(['conflict.stale', 'instance.ended']).toContain(acted.code)
      const confirmations = (await h.store.instances.history(id)).filter((r) => r.event.type === 'action-performed' && r.event.action === 'confirm')
      expect(confirmations).toHaveLength(1)
      expect(confirmations[0]?.event).toMatchObject(winner === 'customer' ? { by: CUSTOMER, trigger: 'actor' } : { by: { role: 'system' }, trigger: 'timeout', due: DUE })
      expect((await expectConsistent(h.store, id)).status).toBe('completed')
      outcomes.set(winner, (outcomes.get(winner) ?? 0) + 1)
    }
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(ids.length)
  })

  it('a person acting exactly at the deadline instant is always refused: the system confirms', { timeout: 60_000 }, async () => {
    const ids = await awaitingConfirmation(h.engine, 10)
    const [customer, scheduler] = await pair(writerThread)
    for (const id of ids) {
      customer.send({ op: 'act', id, action: 'confirm', by: CUSTOMER, now: DUE })
      scheduler.send({ op: 'advance-instance', id, now: DUE })
      const [acted, advanced] = await Promise.all([customer.next<{ ok: boolean; code?: string }>(), scheduler.next<{ fired: number }>()])
      expect(acted).toMatchObject({ ok: false })
      expect(['deadline.passed', 'instance.ended']).toContain(acted.code)
      expect(advanced.fired).toBe(1)
    }
  })

  it('hammering the same and many instances: every acknowledged act is in the history exactly once, revisions gap-free', { timeout: 120_000 }, async () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await h.engine.instances.start({ process: 'step-by-step', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)).id)
    const [a, b] = await pair(writerThread)
    const acks = new Map<string, number[]>()
    const refusals: string[] = []
    const collect = async (w: Worker): Promise<void> => {
      for (;;) {
        const line = await w.next<{ ack?: string; revision?: number; refused?: string; code?: string; done?: boolean }>()
        if (line.done) return
        if (line.ack !== undefined) acks.set(line.ack, [...(acks.get(line.ack) ?? []), line.revision as number])
        else refusals.push(line.code as string)
      }
    }
    a.send({ op: 'hammer', ids, iterations: 300, now: '2026-01-02T00:00:00Z', seed: 1 })
    b.send({ op: 'hammer', ids: ids.slice(0, 1), iterations: 150, now: '2026-01-02T00:00:00Z', seed: 2 })
    b.send({ op: 'hammer', ids, iterations: 150, now: '2026-01-02T00:00:00Z', seed: 3 })
    await Promise.all([collect(a), collect(b), collect(b)])
    expect(refusals.length).toBeGreaterThan(0) // the two really did collide
    expect(new Set(refusals)).toEqual(new Set(['conflict.stale']))
    for (const id of ids) {
      const state = await expectConsistent(h.store, id)
      const acked = (acks.get(id) ?? []).sort((x, y) => x - y)
      expect(acked).toEqual(acked.map((_, i) => i + 2)) // revisions 2, 3, 4, ... with no gap and no repeat
      expect(state.revision).toBe(acked.length + 1)
      const performed = (await h.store.instances.history(id)).filter((r) => r.event.type === 'action-performed')
      expect(performed).toHaveLength(acked.length)
    }
  })

  it('both processes running advance on 300 due deadlines: each fires exactly once', { timeout: 120_000 }, async () => {
    const ids = await awaitingConfirmation(h.engine, 300)
    const [a, b] = await pair(writerThread)
    a.send({ op: 'advance', now: DUE })
    b.send({ op: 'advance', now: DUE })
    const [ra, rb] = await Promise.all([a.next<{ fired: number }>(), b.next<{ fired: number }>()])
    expect(ra.fired + rb.fired).toBe(300)
    for (const id of ids) {
      const timeouts = (await h.store.instances.history(id)).filter((r) => r.event.type === 'action-performed' && r.event.trigger === 'timeout')
      expect(timeouts).toHaveLength(1)
    }
  })

  it('a process killed with SIGKILL mid-run loses no acknowledged act and leaves nothing half-applied', { timeout: 120_000 }, async () => {
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await h.engine.instances.start({ process: 'step-by-step', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, ADMIN)).id)
    await h.store.close()
    const victim = new Worker(h.database, { writerThread })
    victim.send({ op: 'hammer', ids, iterations: 100_000, now: '2026-01-02T00:00:00Z', seed: 7 })
    const acked = new Map<string, number>()
    while ([...acked.values()].reduce((s, n) => s + n, 0) < 150) {
      const line = await victim.next<{ ack?: string; revision?: number }>()
      if (line.ack !== undefined) acked.set(line.ack, Math.max(acked.get(line.ack) ?? 0, line.revision as number))
    }
    await victim.kill()
    const reopened = await Store.open(h.database)
    try {
      for (const id of ids) {
        const state = await expectConsistent(reopened, id)
        expect(state.revision).toBeGreaterThanOrEqual(acked.get(id) ?? 1)
      }
    } finally {
      await reopened.close()
      await h.drop()
      h = await openHarness() // afterEach closes a harness
    }
  })
})

describe('opening a new database from several processes at once', () => {
  it('migrates it once, without failing any of them', { timeout: 60_000 }, async () => {
    const fresh = await freshDatabase('dc-migrate-')
    onTestFinished(() => fresh.drop())
    const openers = [new Worker(fresh.location), new Worker(fresh.location), new Worker(fresh.location)]
    workers.push(...openers)
    const answers = await Promise.all(openers.map((w) => w.request({ op: 'advance', now: DUE })))
    expect(answers).toEqual(Array(3).fill({ ok: true, fired: 0, instances: 0, failed: [] }))
  })
})
