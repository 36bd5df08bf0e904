import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { snapshot } from '../support/database.js'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'

// Proposals of customised procedures: an ISV proposes a process derived from one it may use; an
// administrator returns it with a comment or approves it, which registers it private to the ISV.

let api: Api
beforeEach(async () => { api = await openApi() })
afterEach(async () => { await api.close() })

/** Basic delivery with the demand step's title changed: a small variant of `basic@6` (shared with test/console/proposals.browser.test.ts). */
const VARIANT = readFileSync(join(import.meta.dirname, '../fixtures/proposal-variant.yaml'), 'utf8')

interface Proposal {
  id: string; status: string; round: number; revision: number; base: string; source: string; previousSource: string | null
  process: { id: string; version: number; title: string }; proposer: { role: string; subject: string }
  history: Array<{ action: string; by: { role: string; subject: string }; round: number; comment: string | null }>
  registered: { id: string; version: number } | null
}
interface Problem { status: number; code: string; detail: string; errors?: Array<{ pointer: string; rule: string }> }

async function send(method: string, path: string, who: Who, json?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await api.call(method, path, { who, ...(json === undefined ? {} : { json }) })
  return { status: response.status, body: await response.json() as unknown }
}

async function propose(definition = VARIANT, who: Who = 'isv'): Promise<Proposal> {
  const { status, body } = await send('POST', '/v1/proposals', who, { definition })
  expect(status, JSON.stringify(body)).toBe(201)
  return body as Proposal
}

describe('proposing', () => {
  it('submits a variant of a public process: its process, pinned base, proposer and first history entry', async () => {
    const proposal = await propose()
    expect(proposal).toMatchObject({
      status: 'submitted', round: 1, revision: 1, base: 'basic@6', source: VARIANT, previousSource: null, registered: null,
      process: { id: 'v-backup', version: 1, title: 'ACME Backup delivery' }, proposer: { role: 'isv', subject: 'v-1' },
      history: [{ action: 'submitted', by: { role: 'isv', subject: 'v-1' }, round: 1, comment: null }],
    })
    // Nothing is registered before approval.
    expect((await send('GET', '/v1/processes/v-backup', 'admin')).status).toBe(404)
  })

  it('refuses what is not a proposal, changing nothing', async () => {
    const before = await snapshot(api.database)
    const refused = async (definition: string, who: Who = 'isv') => {
      const { status, body } = await send('POST', '/v1/proposals', who, { definition })
      return { ...(body as Problem), status }
    }
    // ISVs propose; administrators register processes themselves; the system and customers propose nothing.
    for (const who of ['admin', 'system', 'customer'] as const) expect(await refused(VARIANT, who)).toMatchObject({ status: 403, code: 'auth.forbidden' })
    // Not derived from anything.
    const plain = 'id: v-own\nversion: 1\ntitle: Own\nroles: [isv]\nsteps:\n  - id: s\n    title: S\n    actor: isv\n    actions:\n      done: { title: Done, end: done }\n'
    expect(await refused(plain)).toMatchObject({ status: 422, code: 'input.invalid', errors: [{ pointer: '/definition', rule: 'extends' }] })
    // Problems of the text, located as the studio shows them.
    const broken = await refused(VARIANT.replace('merge: true', 'merge: true\n    goto: nowhere'))
    expect(broken).toMatchObject({ status: 422, code: 'definition.invalid' })
    expect(broken.detail).toMatch(/^definition\.yaml has/)
    // A public process's id, and a base the ISV may not use.
    expect(await refused(VARIANT.replace('id: v-backup', 'id: basic').replace('version: 1', 'version: 9'))).toMatchObject({ status: 409, code: 'process.owner-conflict' })
    expect(await refused(VARIANT.replace('extends: basic@6', 'extends: nothing@1'))).toMatchObject({ status: 422, code: 'definition.invalid' })
    const after = await snapshot(api.database)
    expect(after['process_definition']).toEqual(before['process_definition'])
    expect(after['process_proposal']).toEqual([])
  })

  it('keeps an ISV to 20 open proposals at once; withdrawing one makes room', async () => {
    const open: Proposal[] = []
    for (let i = 0; i < 20; i++) open.push(await propose(VARIANT.replace('id: v-backup', `id: v-backup-${i}`)))
    expect(await send('POST', '/v1/proposals', 'isv', { definition: VARIANT })).toMatchObject({ status: 409, body: { code: 'proposal.limit' } })
    // Another ISV's are its own.
    await propose(VARIANT.replace('id: v-backup', 'id: v9-backup'), 'strangerIsv')
    await send('POST', `/v1/proposals/${open[0]?.id ?? ''}/withdraw`, 'isv', {})
    await propose()
  })
})

describe('reviewing', () => {
  it('returns with a comment, is amended, approved and registered private to the ISV, whose next delivery uses it', async () => {
    const proposal = await propose()
    // A return says what to change.
    expect(await send('POST', `/v1/proposals/${proposal.id}/return`, 'admin', { comment: '   ' })).toMatchObject({ status: 422, body: { code: 'input.invalid', errors: [{ pointer: '/comment', rule: 'minLength' }] } })
    const returned = (await send('POST', `/v1/proposals/${proposal.id}/return`, 'admin', { comment: 'Say what is backed up in the title.', expectedRevision: 1 })).body as Proposal
    expect(returned).toMatchObject({ status: 'returned', revision: 2, round: 1, history: [{ action: 'submitted' }, { action: 'returned', by: { role: 'admin' }, comment: 'Say what is backed up in the title.' }] })
    // Not approvable while back with its proposer.
    expect(await send('POST', `/v1/proposals/${proposal.id}/approve`, 'admin', {})).toMatchObject({ status: 409, body: { code: 'proposal.status' } })

    const amendedText = VARIANT.replace('title: ACME Backup delivery', 'title: ACME Backup delivery (databases and files)')
    expect(await send('POST', `/v1/proposals/${proposal.id}/amend`, 'isv', { definition: amendedText, expectedRevision: 1 })).toMatchObject({ status: 409, body: { code: 'conflict.stale' } })
    // An amendment is of the same process: another id is refused before the text is checked (so whether that id is taken is not told).
    for (const id of ['basic', 'v-elsewhere']) {
      expect(await send('POST', `/v1/proposals/${proposal.id}/amend`, 'isv', { definition: amendedText.replace('id: v-backup', `id: ${id}`), expectedRevision: 2 })).toMatchObject({
        status: 422, body: { code: 'input.invalid', errors: [{ pointer: '/definition', rule: 'const', message: 'must keep the process id "v-backup"' }] },
      })
    }
    const amended = (await send('POST', `/v1/proposals/${proposal.id}/amend`, 'isv', { definition: amendedText, comment: 'Title says what.', expectedRevision: 2 })).body as Proposal
    expect(amended).toMatchObject({ status: 'submitted', round: 2, revision: 3, source: amendedText, previousSource: VARIANT, process: { title: 'ACME Backup delivery (databases and files)' } })

    // Only administrators approve.
    expect(await send('POST', `/v1/proposals/${proposal.id}/approve`, 'isv', {})).toMatchObject({ status: 403, body: { code: 'auth.forbidden' } })
    const approved = (await send('POST', `/v1/proposals/${proposal.id}/approve`, 'admin', { comment: 'Approved.', expectedRevision: 3 })).body as Proposal
    expect(approved).toMatchObject({ status: 'approved', registered: { id: 'v-backup', version: 1 }, history: [{}, {}, { action: 'amended', round: 2, comment: 'Title says what.' }, { action: 'approved', round: 2 }] })
    expect(await send('POST', `/v1/proposals/${proposal.id}/withdraw`, 'isv')).toMatchObject({ status: 409, body: { code: 'proposal.status' } })

    // Registered private to v-1: v-1 sees it, another ISV does not; v-1's next delivery runs on it.
    expect(await send('GET', '/v1/processes/v-backup', 'isv')).toMatchObject({ status: 200, body: { owner: 'v-1', ownerRole: 'isv', title: 'ACME Backup delivery (databases and files)' } })
    expect((await send('GET', '/v1/processes/v-backup', 'strangerIsv')).status).toBe(404)
    const started = await send('POST', '/v1/instances', 'admin', { process: 'v-backup', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' } })
    expect(started).toMatchObject({ status: 201, body: { process: { id: 'v-backup', version: 1 }, step: { id: 'submit-demand', title: 'Describe the data to back up' } } })
    expect((await send('POST', '/v1/instances', 'admin', { process: 'v-backup', parties: { customer: 'c-1', isv: 'v-9' }, context: { orderId: 'o-2', specification: 'Standard', productId: 'p-1' } })).status).toBe(422)
    // Anyone else starting it learns no more than of a process that is not there: not whose it is, not who may start it.
    for (const who of ['strangerIsv', 'customer'] as const) {
      for (const process of ['v-backup', 'v-nothing']) {
        const refused = await send('POST', '/v1/instances', who, { process, parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-3', specification: 'Standard', productId: 'p-1' } })
        expect(refused, `${who} ${process}`).toMatchObject({ status: 404, body: { code: 'process.not-found', detail: `There is no process "${process}".`, errors: [{ pointer: '/process', rule: 'exists', message: 'must be the id of a process you may start' }] } })
      }
    }
  })

  it('keeps a proposal from everyone but its proposer and administrators', async () => {
    const proposal = await propose()
    for (const who of ['strangerIsv', 'customer'] as const) {
      expect(await send('GET', `/v1/proposals/${proposal.id}`, who)).toMatchObject({ status: 404, body: { code: 'proposal.not-found' } })
      expect(await send('POST', `/v1/proposals/${proposal.id}/amend`, who, { definition: VARIANT })).toMatchObject({ status: 404, body: { code: 'proposal.not-found' } })
      expect(await send('POST', `/v1/proposals/${proposal.id}/withdraw`, who)).toMatchObject({ status: 404 })
      expect((await send('GET', '/v1/proposals', who)).body).toEqual({ items: [] })
    }
    expect(((await send('GET', '/v1/proposals', 'isv')).body as { items: Proposal[] }).items.map((p) => p.id)).toEqual([proposal.id])
    expect(((await send('GET', '/v1/proposals?status=submitted', 'admin')).body as { items: Proposal[] }).items.map((p) => p.id)).toEqual([proposal.id])
    expect((await send('GET', '/v1/proposals?status=approved', 'admin')).body).toEqual({ items: [] })
    expect(await send('GET', '/v1/proposals?status=lost', 'admin')).toMatchObject({ status: 422, body: { code: 'request.invalid' } })
    expect(await send('GET', '/v1/proposals/nope', 'admin')).toMatchObject({ status: 404, body: { code: 'proposal.not-found' } })
    // An administrator sees it, but only its proposer amends or withdraws it.
    expect(await send('POST', `/v1/proposals/${proposal.id}/withdraw`, 'admin')).toMatchObject({ status: 403 })
    expect(await send('POST', `/v1/proposals/${proposal.id}/withdraw`, 'isv', { comment: 'Not needed after all.' })).toMatchObject({ status: 200, body: { status: 'withdrawn' } })
  })

  it('proposes the next version of the ISV\'s own process, derived from its own private base; another ISV cannot build on it', async () => {
    await api.engine.processes.register(VARIANT, 'v-backup.yaml', { owner: { role: 'isv', subject: 'v-1' } })
    // The same version again: refused; the next one is proposed.
    expect(await send('POST', '/v1/proposals', 'isv', { definition: VARIANT })).toMatchObject({ status: 409, body: { code: 'process.version-conflict' } })
    const next = await propose(VARIANT.replace('version: 1', 'version: 2'))
    expect(next.process).toMatchObject({ id: 'v-backup', version: 2 })
    // A variant of its own private process, and the same text from another ISV, which may not see it.
    const derived = 'id: v-backup-eu\nversion: 1\nextends: v-backup@1\ntitle: ACME Backup delivery in the EU\n'
    expect(await propose(derived)).toMatchObject({ base: 'v-backup@1' })
    expect(await send('POST', '/v1/proposals', 'strangerIsv', { definition: derived.replace('v-backup-eu', 'v9-eu') })).toMatchObject({ status: 422, body: { code: 'definition.invalid' } })

    // Approving when the version was taken meanwhile: the registration's refusal, the proposal unchanged.
    await api.engine.processes.register(VARIANT.replace('version: 1', 'version: 2').replace('ACME', 'Other'), 'v-backup.yaml', { owner: { role: 'isv', subject: 'v-1' } })
    expect(await send('POST', `/v1/proposals/${next.id}/approve`, 'admin', {})).toMatchObject({ status: 409, body: { code: 'process.version-conflict' } })
    expect(await send('GET', `/v1/proposals/${next.id}`, 'isv')).toMatchObject({ body: { status: 'submitted', revision: 1 } })
  })
})

describe('listing', () => {
  it('pages newest first, each item without its texts and history, and refuses a cursor it did not give', async () => {
    const ids: string[] = []
    for (let i = 1; i <= 3; i++) {
      ids.push((await propose(VARIANT.replace('id: v-backup', `id: v-backup-${i}`))).id)
      api.clock.advance('PT1M')
    }
    const first = (await send('GET', '/v1/proposals?limit=2', 'admin')).body as { items: Array<Record<string, unknown>>; next?: string }
    expect(first.items.map((p) => p['id'])).toEqual([ids[2], ids[1]])
    expect(first.items[0]).toMatchObject({ id: ids[2], status: 'submitted', round: 1, base: 'basic@6', process: { id: 'v-backup-3', version: 1 }, proposer: { role: 'isv', subject: 'v-1' } })
    for (const item of first.items) for (const text of ['source', 'previousSource', 'history']) expect(item).not.toHaveProperty(text)
    expect(first.next).toEqual(expect.any(String))
    const second = (await send('GET', `/v1/proposals?limit=2&cursor=${first.next ?? ''}`, 'admin')).body as { items: Array<{ id: string }>; next?: string }
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0] })] })
    // The ISV's own list pages the same way.
    expect(((await send('GET', '/v1/proposals?limit=1&status=submitted', 'isv')).body as { items: Array<{ id: string }> }).items.map((p) => p.id)).toEqual([ids[2]])
    expect(await send('GET', '/v1/proposals?cursor=bm90LWEtY3Vyc29y', 'admin')).toMatchObject({ status: 422, body: { code: 'request.invalid', errors: [{ pointer: '/query/cursor' }] } })
    for (const limit of ['0', '201', 'ten']) {
      expect(await send('GET', `/v1/proposals?limit=${limit}`, 'admin')).toMatchObject({ status: 422, body: { code: 'request.invalid', errors: [{ pointer: '/query/limit' }] } })
    }
  })
})
