import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EngineError } from '../../../engine/index.js'
import { ADMIN, ISV, OTHER_ISV, openHarness } from '../../support/engine.js'
import type { Harness } from '../../support/engine.js'

// `unique` on a real store (SQLite here, PostgreSQL under test:postgres): a value held while an
// instance is in progress, freed when it records another, when it is terminated, and when a
// deadline ends it (the firing path, batched, writes the release); kept after a `keptAfter` end.

const PROCESS = `
id: bound-resource
version: 1
title: Bound resource
roles: [isv]
startedBy: [isv]
unique:
  - value: resource
    title: Resource
    keptAfter: [bound]
steps:
  - id: claim
    title: Claim
    actor: isv
    actions:
      claim:
        inputs: { type: object, required: [resource], properties: { resource: { type: string } } }
        record: { resource: inputs.resource }
  - id: confirm
    title: Confirm
    actor: isv
    timeout: { after: P1D, action: lapse }
    actions:
      bind: { end: bound }
      reclaim: { goto: claim }
      lapse: { actor: system, end: lapsed }
`

let h: Harness
beforeEach(async () => {
  h = await openHarness()
  await h.engine.processes.register(PROCESS, 'bound-resource.yaml')
})
afterEach(async () => { await h.close() })

const start = async (by = ISV) => (await h.engine.instances.start({ process: 'bound-resource', parties: {} }, by)).id
const claim = (id: string, resource: string, by = ISV) => h.engine.instances.act(id, { action: 'claim', inputs: { resource } }, by)
async function refused(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(EngineError)
  return (error as EngineError).code
}

describe('unique recorded values', () => {
  it('are held in progress, freed by another value, a termination or a deadline that ends the instance, and kept after keptAfter', async () => {
    const a = await start()
    const b = await start(OTHER_ISV)
    await claim(a, 'r-1')
    expect(await refused(claim(b, 'r-1', OTHER_ISV))).toBe('unique.taken')
    expect((await h.engine.instances.get(b, OTHER_ISV)).revision).toBe(1)
    // Back to claim, a takes r-2: r-1 is free.
    await h.engine.instances.act(a, { action: 'reclaim' }, ISV)
    await claim(a, 'r-2')
    await claim(b, 'r-1', OTHER_ISV)
    // b's deadline passes: the system ends it, and r-1 is free again.
    h.clock.set('2026-01-02T00:00:01Z')
    expect(await h.engine.deadlines.advance()).toMatchObject({ fired: 2 })
    expect((await h.engine.instances.get(b, OTHER_ISV)).outcome).toBe('lapsed')
    const c = await start()
    await claim(c, 'r-1')
    await claim(await start(), 'r-2')
    // Terminated, c frees r-1; bound, it would keep it.
    await h.engine.instances.terminate(c, { reason: 'Withdrawn' }, ADMIN)
    const d = await start()
    await claim(d, 'r-1')
    await h.engine.instances.act(d, { action: 'bind' }, ISV)
    expect(await refused(claim(await start(), 'r-1'))).toBe('unique.taken')
  })

  it('lets one of many actions racing for one value have it', async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => start()))
    const outcomes = await Promise.all(ids.map((id) => claim(id, 'contested').then(() => 'claimed', (e: unknown) => (e instanceof EngineError ? e.code : String(e)))))
    expect(outcomes.sort()).toEqual(['claimed', 'unique.taken', 'unique.taken', 'unique.taken', 'unique.taken', 'unique.taken'])
  })
})
