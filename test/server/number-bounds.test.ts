import { describe, expect, it } from 'vitest'
import { snapshot } from '../support/database.js'
import type { Api, Who } from '../support/http.js'
import { serveForEachTest } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'
import { expectProblem } from '../support/problem.js'

// Whole numbers a caller writes (a process's version, the version a derived process extends or a
// delivery starts on, the revision it expects) are stored in or compared with integer columns:
// one beyond them is the caller's mistake on every database, never a 500 on PostgreSQL.

let api: Api
let server: Loopback
serveForEachTest((opened, served) => { api = opened; server = served })

async function send(method: string, path: string, who: Who, body: string, type = 'application/json'): Promise<Response> {
  return fetch(`${server.url}${path}`, { method, body, headers: { Authorization: `Bearer ${api.tokens[who]}`, 'Content-Type': type } })
}

const derived = (version: string, base = 'basic@6'): string => `id: v-backup\nversion: ${version}\nextends: ${base}\ntitle: ACME Backup delivery\n`
const PARTIES = { customer: 'c-1', isv: 'v-1' }
const CONTEXT = { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }

describe('process versions', () => {
  it('a proposal of version 3,000,000,000 or 1e300: 422 at /version, nothing stored', async () => {
    const before = await snapshot(api.database)
    for (const version of ['3000000000', '1e300', '9007199254740993']) {
      const body = await expectProblem(await send('POST', '/v1/proposals', 'isv', JSON.stringify({ definition: derived(version) })), 422, 'definition.invalid')
      expect(body['problems']).toEqual([expect.objectContaining({ code: 'definition.schema', message: expect.stringContaining('999999999') as unknown, location: expect.objectContaining({ pointer: '/version' }) as unknown })])
    }
    expect(await snapshot(api.database)).toEqual(before)
    // The largest version is accepted.
    expect((await send('POST', '/v1/proposals', 'isv', JSON.stringify({ definition: derived('999999999') }))).status).toBe(201)
  })

  it('registering version 3,000,000,000: 422, not a 500 from the database', async () => {
    const text = derived('3000000000').replace('extends: basic@6\n', '').replace('title: ACME Backup delivery\n', 'title: T\nroles: [isv]\nsteps:\n  - { id: s, title: S, actor: isv, actions: { done: { end: completed } } }\n')
    await expectProblem(await send('PUT', '/v1/processes/v-backup', 'admin', text, 'application/yaml'), 422, 'definition.invalid')
    const check = await send('POST', '/v1/processes/validate', 'admin', JSON.stringify({ definition: text }))
    expect(check.status).toBe(200)
    expect(await check.json()).toMatchObject({ valid: false, problems: [{ code: 'definition.schema', location: { pointer: '/version' } }] })
  })

  it('extending basic@99999999999: a located problem at /extends, on every database', async () => {
    for (const base of ['basic@99999999999', 'basic@1000000000']) {
      const body = await expectProblem(await send('POST', '/v1/proposals', 'isv', JSON.stringify({ definition: derived('1', base) })), 422, 'definition.invalid')
      expect(body['problems']).toEqual([expect.objectContaining({ location: expect.objectContaining({ pointer: '/extends' }) as unknown })])
      const check = await send('POST', '/v1/processes/validate', 'isv', JSON.stringify({ definition: derived('1', base) }))
      expect(check.status).toBe(200)
    }
  })

  it('starting a delivery on version 10,000,000,000: 422 request.invalid at /version', async () => {
    const body = await expectProblem(await send('POST', '/v1/instances', 'admin', JSON.stringify({ process: 'basic', version: 10_000_000_000, parties: PARTIES, context: CONTEXT })), 422, 'request.invalid')
    expect(body['errors']).toEqual([expect.objectContaining({ pointer: '/version', rule: 'maximum' })])
  })
})

describe('expected revisions', () => {
  it('an act, a termination or a retry expecting revision 1e15 or 1e308: 422 at /expectedRevision (no revision reaches 2,147,483,647), never a 500', async () => {
    const started = await send('POST', '/v1/instances', 'admin', JSON.stringify({ process: 'basic', parties: PARTIES, context: CONTEXT }))
    const { id } = await started.json() as { id: string }
    const before = await snapshot(api.database)
    for (const expectedRevision of [1e15, 1e308, 2_147_483_648]) {
      for (const [path, who, body] of [
        [`/v1/instances/${id}/act`, 'customer', { action: 'submit', inputs: { demand: 'x' }, expectedRevision }],
        [`/v1/instances/${id}/terminate`, 'admin', { reason: 'r', expectedRevision }],
        [`/v1/instances/${id}/retry`, 'admin', { expectedRevision }],
      ] as const) {
        const response = await send('POST', path, who, JSON.stringify(body))
        expect(response.status, await response.clone().text()).toBe(422)
        expect((await response.json() as { errors: unknown }).errors, path).toEqual([expect.objectContaining({ pointer: '/expectedRevision', rule: 'maximum' })])
      }
    }
    expect(await snapshot(api.database)).toEqual(before)
  })
})
