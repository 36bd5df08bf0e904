import { afterAll, beforeAll, expect, it } from 'vitest'
import { iso, PARTY_STARTS_PER_HOUR } from '../../engine/index.js'
import { ADMIN, ISV, openHarness } from '../support/engine.js'
import type { Harness } from '../support/engine.js'

// A party that starts its own deliveries (an ISV's listings) starts at most PARTY_STARTS_PER_HOUR
// of a process in any hour; the marketplace (admin, system) starts without a bound.

let h: Harness
beforeAll(async () => { h = await openHarness() })
afterAll(async () => { await h.close() })

const listing = (by = ISV) => h.engine.instances.start({ process: 'listing-review', parties: {} }, by)
const count = async (): Promise<number> => (await h.engine.instances.list({ process: 'listing-review', limit: 500 }, ADMIN)).items.length

it(`lets a party start ${PARTY_STARTS_PER_HOUR} deliveries of a process an hour, refusing the next with start.quota and storing nothing, until the earliest is an hour old`, async () => {
  const first = h.clock.now()
  await listing()
  h.clock.advance('PT10M')
  for (let i = 1; i < PARTY_STARTS_PER_HOUR; i++) await listing()
  expect(await count()).toBe(PARTY_STARTS_PER_HOUR)
  await expect(listing()).rejects.toMatchObject({
    code: 'start.quota',
    message: `You are a party of ${PARTY_STARTS_PER_HOUR} deliveries of this process started in the last hour (the earliest at ${iso(first)}); a party may start ${PARTY_STARTS_PER_HOUR} of a process an hour, and each counts for an hour from its start.`,
  })
  expect(await count()).toBe(PARTY_STARTS_PER_HOUR)
  // Another ISV, and the marketplace, are not held by this ISV's starts.
  await listing({ role: 'isv', subject: 'v-2' })
  await h.engine.instances.start({ process: 'listing-review', parties: { isv: 'v-3' } }, ADMIN)
  // An hour after the first start, its place is free again.
  h.clock.advance('PT50M')
  await listing()
  await expect(listing()).rejects.toMatchObject({ code: 'start.quota' })
})

it('counts the starts sent at once one after another: no more than the quota get in', async () => {
  const party = { role: 'isv', subject: 'v-burst' }
  const answers = await Promise.allSettled(Array.from({ length: PARTY_STARTS_PER_HOUR + 20 }, () => listing(party)))
  expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(PARTY_STARTS_PER_HOUR)
  expect(answers.filter((a) => a.status === 'rejected').map((a) => (a as PromiseRejectedResult).reason as { code?: string }).every((e) => e.code === 'start.quota')).toBe(true)
})
