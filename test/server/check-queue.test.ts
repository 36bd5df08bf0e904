import { afterEach, describe, expect, it } from 'vitest'
import type { Principal } from '../../engine/index.js'
import { CheckQueue } from '../../server/check-queue.js'
import { openApi, WHO } from '../support/http.js'
import type { Api } from '../support/http.js'

const ANA: Principal = { role: 'isv', subject: 'v-1' }
const BEN: Principal = { role: 'isv', subject: 'v-2' }

/** A check that ends when the test says, recording when it started. */
function gated(started: string[], name: string): { check: () => Promise<string>; end: () => void } {
  let end = (): void => undefined
  const gate = new Promise<void>((resolve) => { end = resolve })
  return { check: async () => { started.push(name); await gate; return name }, end }
}

/** Lets every promise settled so far run its continuations. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('the queue of checks', () => {
  it('runs two at once, one at a time for each principal, in the order they came', async () => {
    const queue = new CheckQueue({ running: 2, waitingPerPrincipal: 4 })
    const started: string[] = []
    const [a1, a2, b1, b2] = [gated(started, 'a1'), gated(started, 'a2'), gated(started, 'b1'), gated(started, 'b2')]
    const results = [queue.run(ANA, a1.check), queue.run(ANA, a2.check), queue.run(BEN, b1.check), queue.run(BEN, b2.check)]
    await settle()
    // Ana's second waits for her first, though a slot is free: Ben's first takes it.
    expect(started).toEqual(['a1', 'b1'])
    a1.end()
    await settle()
    expect(started).toEqual(['a1', 'b1', 'a2'])
    b1.end()
    await settle()
    expect(started).toEqual(['a1', 'b1', 'a2', 'b2'])
    a2.end()
    b2.end()
    expect(await Promise.all(results)).toEqual(['a1', 'a2', 'b1', 'b2'])
  })

  it('refuses a principal with one running and the most waiting, until one ends; a failed check frees its place', async () => {
    const queue = new CheckQueue({ running: 2, waitingPerPrincipal: 2 })
    const started: string[] = []
    const held = [gated(started, 'a1'), gated(started, 'a2'), gated(started, 'a3')]
    const results = held.map((h) => queue.run(ANA, h.check))
    await expect(queue.run(ANA, () => Promise.resolve('a4'))).rejects.toMatchObject({ code: 'check.busy' })
    // Another principal is not held up by Ana's.
    expect(await queue.run(BEN, () => Promise.resolve('b1'))).toBe('b1')
    held[0]?.end()
    await results[0]
    const failing = queue.run(ANA, () => Promise.reject(new Error('broken definition')))
    await expect(queue.run(ANA, () => Promise.resolve('a5'))).rejects.toMatchObject({ code: 'check.busy' })
    held[1]?.end()
    held[2]?.end()
    await expect(failing).rejects.toThrow('broken definition')
    expect(await queue.run(ANA, () => Promise.resolve('a6'))).toBe('a6')
    expect(started).toEqual(['a1', 'a2', 'a3'])
  })
})

describe('POST /v1/processes/validate through the queue', () => {
  let api: Api
  afterEach(async () => { await api.close() })

  it('answers check.busy (429, Retry-After: 1) while the caller has as many checks as it may, and checks again once one ends', async () => {
    const checks = new CheckQueue({ running: 1, waitingPerPrincipal: 0 })
    api = await openApi({ checks })
    const started: string[] = []
    const busy = gated(started, 'held')
    const holding = checks.run(WHO.isv, busy.check)
    const definition = 'id: x\nversion: 1\n'
    const refused = await api.call('POST', '/v1/processes/validate', { who: 'isv', json: { definition } })
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.json()).toMatchObject({ code: 'check.busy', status: 429 })
    busy.end()
    await holding
    const checked = await api.call('POST', '/v1/processes/validate', { who: 'isv', json: { definition } })
    expect(checked.status).toBe(200)
    expect(await checked.json()).toMatchObject({ valid: false })
  })
})
