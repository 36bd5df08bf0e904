import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR, Engine, iso, Store } from '../../engine/index.js'
import { decideProposal, MAX_OPEN_PROPOSALS } from '../../engine/runtime/proposals.js'
import { ADMIN, ISV, openHarness } from '../support/engine.js'
import type { Harness } from '../support/engine.js'

// Proposals on a real database, where the pure decisions (test/engine/runtime/proposals.test.ts)
// meet the store. Approving is two writes: the proposal marked approved, then its text
// registered; a server stopped between them leaves an approved proposal without its process, and
// the next start completes it (server/main.ts calls completeApprovals after registering the
// built-in processes). A submission reads how many the proposer submitted in the last day.

let h: Harness
beforeEach(async () => { h = await openHarness() })
afterEach(async () => { await h.close() })

const VARIANT = 'id: v-backup\nversion: 1\nextends: basic@6\ntitle: ACME Backup delivery\n'

/** The proposal approved as the first write of an approval leaves it, its text not registered. */
async function approvedOnly(definition: string): Promise<string> {
  const submitted = await h.engine.proposals.submit(definition, ISV)
  const decision = decideProposal(submitted, { type: 'approve', comment: undefined, registered: { id: submitted.process.id, version: submitted.process.version } }, ADMIN, iso(h.clock.now()))
  if (!decision.ok) throw new Error(decision.rejection.message)
  expect(await h.store.proposals.update(decision.state, submitted.revision)).toBe(true)
  return submitted.id
}

it('registers the text of an approved proposal whose process is missing, once, as approving would have', async () => {
  const id = await approvedOnly(VARIANT)
  await expect(h.engine.processes.get('v-backup', 1)).rejects.toMatchObject({ code: 'process.not-found' })
  // Another server starting on the same database: its catalog reads it all from the store.
  const next = new Engine({ store: h.store, clock: h.clock })
  expect(await next.proposals.completeApprovals()).toEqual({ registered: ['v-backup@1'], failed: [] })
  expect((await next.processes.resolve('v-backup', 1)).owner).toEqual({ role: 'isv', subject: 'v-1' })
  expect((await h.engine.proposals.get(id, ADMIN)).status).toBe('approved')
  // The ISV's next delivery uses it; another start finds nothing left to do.
  await expect(h.engine.instances.start({ process: 'v-backup', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } }, ADMIN)).resolves.toMatchObject({ process: { id: 'v-backup', version: 1 } })
  expect(await h.engine.proposals.completeApprovals()).toEqual({ registered: [], failed: [] })
})

it('reports, and leaves as it is, an approved proposal whose version another text took meanwhile', async () => {
  const id = await approvedOnly(VARIANT)
  // An administrator registered a public process under the same id in the meantime.
  await h.engine.processes.register('id: v-backup\nversion: 1\nextends: basic@6\ntitle: Someone else\n', 'v-backup.yaml')
  const { registered, failed } = await h.engine.proposals.completeApprovals()
  expect(registered).toEqual([])
  expect(failed).toEqual([{ proposal: id, error: expect.objectContaining({ code: 'process.version-conflict' }) }])
})

it('counts the proposals a proposer submitted since an instant, the limit of a day reads', async () => {
  const before = iso(h.clock.now())
  await h.engine.proposals.submit(VARIANT, ISV)
  h.clock.advance('PT25H')
  await h.engine.proposals.submit(VARIANT.replace('id: v-backup', 'id: v-backup-2'), ISV)
  const proposer = { role: 'isv', subject: 'v-1' }
  expect(await h.store.proposals.countSince(proposer, before)).toBe(2)
  expect(await h.store.proposals.countSince(proposer, iso(h.clock.now().subtract({ hours: 24 })))).toBe(1)
  expect(await h.store.proposals.countSince({ role: 'isv', subject: 'v-2' }, before)).toBe(0)
})

it('holds the limit of open proposals across servers: 30 submitted at once through two, 20 open', async () => {
  // Another server on the same database, with its own connections: each counts before it inserts.
  const other = await Store.open(h.database)
  try {
    const servers = [h.engine, new Engine({ store: other, clock: h.clock })]
    const answers = await Promise.allSettled(Array.from({ length: 30 }, (_, i) =>
      (servers[i % 2] as Engine).proposals.submit(VARIANT.replace('v-backup', `v-backup-${i}`), ISV)))
    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(MAX_OPEN_PROPOSALS)
    const refused = answers.flatMap((a) => a.status === 'rejected' ? [a.reason as { code?: string }] : [])
    expect(refused).toHaveLength(30 - MAX_OPEN_PROPOSALS)
    expect(refused.every((error) => error.code === 'proposal.limit')).toBe(true)
    expect(await h.store.proposals.countOpen({ role: 'isv', subject: ISV.subject })).toBe(MAX_OPEN_PROPOSALS)
  } finally {
    await other.close()
  }
})

it('refuses a proposer at its limit before checking the text: an id of another owner\'s answers as a free one does', async () => {
  await h.engine.processes.register('id: v-private\nversion: 1\nextends: basic@6\ntitle: Private\n', 'v-private.yaml', { owner: { role: 'isv', subject: 'v-2' } })
  // Under the limit, the text's check tells the id is taken.
  await expect(h.engine.proposals.submit('id: v-private\nversion: 2\nextends: basic@6\ntitle: Mine\n', ISV)).rejects.toMatchObject({ code: 'process.owner-conflict' })
  for (let i = 0; i < MAX_OPEN_PROPOSALS; i++) await h.engine.proposals.submit(VARIANT.replace('v-backup', `v-backup-${i}`), ISV)
  for (const id of ['v-private', 'v-free']) {
    await expect(h.engine.proposals.submit(`id: ${id}\nversion: 2\nextends: basic@6\ntitle: Mine\n`, ISV)).rejects.toMatchObject({ code: 'proposal.limit' })
  }
})

it('registers an approved proposal on the base version it was submitted on, not one published since', async () => {
  const submitted = await h.engine.proposals.submit('id: v-drift\nversion: 1\nextends: basic\ntitle: Drift\n', ISV)
  expect(submitted.base).toBe('basic@6')
  const basic = readFileSync(join(BUILT_IN_PROCESS_DIR, 'basic.yaml'), 'utf8')
  await h.engine.processes.register(basic.replace('version: 6', 'version: 7').replace('title: Confirm Delivery', 'title: Confirm Delivery, changed since'), 'basic.yaml')
  await h.engine.proposals.approve(submitted.id, { expectedRevision: submitted.revision }, ADMIN)
  const registered = await h.engine.processes.get('v-drift', 1)
  const reviewed = await h.engine.processes.get('basic', 6)
  expect(registered.steps.get('confirm-delivery')?.title).toBe(reviewed.steps.get('confirm-delivery')?.title)
  expect(registered.steps.get('confirm-delivery')?.title).not.toContain('changed since')
  // What the review showed: the check of the text as submitted, on the same base.
  const checked = await h.engine.processes.check({ definition: submitted.source }, ADMIN, submitted.proposer, submitted.base)
  expect(checked.process?.steps.find((step) => step.id === 'confirm-delivery')?.title).toBe(reviewed.steps.get('confirm-delivery')?.title)
})

it('refuses to approve a proposal whose id and version another owner registered with the same text, and puts it back', async () => {
  const text = 'id: shared-x\nversion: 1\nextends: basic@6\ntitle: Shared\n'
  const first = await h.engine.proposals.submit(text, ISV)
  const second = await h.engine.proposals.submit(text, { role: 'isv', subject: 'v-2' })
  await h.engine.proposals.approve(first.id, {}, ADMIN)
  await expect(h.engine.proposals.approve(second.id, {}, ADMIN)).rejects.toMatchObject({ code: 'process.owner-conflict' })
  expect((await h.engine.proposals.get(second.id, ADMIN)).status).toBe('submitted')
  expect((await h.engine.processes.resolve('shared-x', 1)).owner).toEqual({ role: 'isv', subject: 'v-1' })
  // Registered publicly with the same text: refused too, not a silent no-op.
  await expect(h.engine.processes.register(text, 'shared-x.yaml')).rejects.toMatchObject({ code: 'process.owner-conflict' })
})
