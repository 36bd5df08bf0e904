import { describe, expect, it } from 'vitest'
import { snapshot } from '../support/database.js'
import type { Api, Who } from '../support/http.js'
import { serveForEachTest } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'

// Proposals as an attacker, or two careless people at once, would use them: races between the
// administrator and the ISV, many submissions at once, and text no reviewer should have to read.

let api: Api
let server: Loopback
serveForEachTest((opened, served) => { api = opened; server = served })

const VARIANT = 'id: v-backup\nversion: 1\nextends: basic@6\ntitle: ACME Backup delivery\n'

interface Proposal { id: string; status: string; revision: number; round: number; source: string; history: Array<{ action: string; comment: string | null }> }

async function send(method: string, path: string, who: Who, json?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method, ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    headers: { Authorization: `Bearer ${api.tokens[who]}`, ...(json === undefined ? {} : { 'Content-Type': 'application/json' }) },
  })
  return { status: response.status, body: await response.json() as Record<string, unknown> }
}

async function propose(definition = VARIANT): Promise<Proposal> {
  const { status, body } = await send('POST', '/v1/proposals', 'isv', { definition })
  expect(status, JSON.stringify(body)).toBe(201)
  return body as unknown as Proposal
}

/** Runs `meanwhile` when the next approval registers its process, as if it had come in just then. */
function whileRegistering(meanwhile: () => Promise<unknown>): void {
  const catalog = api.engine.processes
  const register = catalog.register.bind(catalog)
  catalog.register = async (...args) => {
    catalog.register = register
    await meanwhile()
    return register(...args)
  }
}

describe('an approval racing the ISV', () => {
  it('withdrawn while it is being approved: either approved and registered, or withdrawn and nothing registered', async () => {
    const proposal = await propose()
    let withdrawal = 0
    whileRegistering(async () => { withdrawal = (await send('POST', `/v1/proposals/${proposal.id}/withdraw`, 'isv', {})).status })
    const approval = await send('POST', `/v1/proposals/${proposal.id}/approve`, 'admin', {})
    const registered = (await send('GET', '/v1/processes/v-backup', 'isv')).status === 200
    const final = (await send('GET', `/v1/proposals/${proposal.id}`, 'isv')).body as unknown as Proposal
    if (approval.status === 200) {
      expect({ withdrawal, status: final.status, registered }).toEqual({ withdrawal: 409, status: 'approved', registered: true })
    } else {
      expect({ withdrawal, status: final.status, registered }).toEqual({ withdrawal: 200, status: 'withdrawn', registered: false })
    }
  })

  it('amended while it is being approved: the text registered is the text approved', async () => {
    const proposal = await propose()
    const amended = VARIANT.replace('ACME Backup delivery', 'ACME Backup delivery, amended')
    whileRegistering(() => send('POST', `/v1/proposals/${proposal.id}/amend`, 'isv', { definition: amended }))
    const approval = await send('POST', `/v1/proposals/${proposal.id}/approve`, 'admin', { expectedRevision: 1 })
    const final = (await send('GET', `/v1/proposals/${proposal.id}`, 'isv')).body as unknown as Proposal
    const process = await send('GET', '/v1/processes/v-backup', 'isv')
    if (approval.status === 200) {
      expect(final).toMatchObject({ status: 'approved', source: VARIANT })
      expect(process.body['source']).toBe(VARIANT)
    } else {
      expect(final).toMatchObject({ status: 'submitted', round: 2, source: amended })
      expect(process.status).toBe(404)
    }
  })

  it('a registration refused after the approval was decided leaves the proposal as it was', async () => {
    const proposal = await propose()
    // Another text takes the version first: the approval is refused and nothing of it stays.
    whileRegistering(() => api.engine.processes.register(VARIANT.replace('ACME', 'Other'), 'v-backup.yaml', { owner: { role: 'isv', subject: 'v-1' } }))
    const before = await send('GET', `/v1/proposals/${proposal.id}`, 'isv')
    expect(await send('POST', `/v1/proposals/${proposal.id}/approve`, 'admin', {})).toMatchObject({ status: 409, body: { code: 'process.version-conflict' } })
    expect(await send('GET', `/v1/proposals/${proposal.id}`, 'isv')).toEqual(before)
  })
})

describe('many submissions at once', () => {
  it('30 submitted together by one ISV, each sent again while the check queue is busy (check.busy): 20 open, the rest proposal.limit', async () => {
    // A submission's text is checked in the check queue: one running and four waiting per token holder.
    const submit = async (i: number): Promise<{ status: number; body: Record<string, unknown> }> => {
      for (;;) {
        const answer = await send('POST', '/v1/proposals', 'isv', { definition: VARIANT.replace('v-backup', `v-backup-${i}`) })
        if (answer.body['code'] !== 'check.busy') return answer
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => submit(i)))
    expect(answers.filter((a) => a.status === 201)).toHaveLength(20)
    expect(answers.filter((a) => a.status === 409 && a.body['code'] === 'proposal.limit')).toHaveLength(10)
    expect(((await send('GET', '/v1/proposals?status=submitted', 'admin')).body['items'] as unknown[])).toHaveLength(20)
  })
})

describe('comments', () => {
  it('a return whose comment is only control or invisible characters: 422 at /comment, nothing changed', async () => {
    const proposal = await propose()
    const before = await snapshot(api.database)
    // (U+0000 is refused in any body, as request.invalid; the others by the proposal's rules.)
    for (const comment of ['\u0000\u0000', '\u200b\u200b', ' \u0007 ', '\u202e']) {
      expect(await send('POST', `/v1/proposals/${proposal.id}/return`, 'admin', { comment })).toMatchObject({ status: 422, body: { errors: [{ pointer: '/comment' }] } })
    }
    // Control characters inside a comment with words: refused too, so no page or log shows them.
    expect(await send('POST', `/v1/proposals/${proposal.id}/return`, 'admin', { comment: 'Fix\u0008 the \u001b[31mtitle' })).toMatchObject({ status: 422, body: { code: 'input.invalid', errors: [{ pointer: '/comment', rule: 'pattern' }] } })
    expect(await snapshot(api.database)).toEqual(before)
    // Lines, tabs and any script are kept.
    const kept = 'Line one\n\tLine two: 标题要写清楚 ✓'
    expect(await send('POST', `/v1/proposals/${proposal.id}/return`, 'admin', { comment: kept })).toMatchObject({ status: 200, body: { history: [{}, { comment: kept }] } })
  })
})
