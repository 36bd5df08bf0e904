import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createToken } from '../../server/auth.js'
import { DEMAND, snapshot } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'

let api: Api
let instance: string
let attachment: string
let privateProcess = ''
let proposal = ''

beforeAll(async () => {
  api = await openApi()
  const started = await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } } })
  instance = ((await started.json()) as { id: string }).id
  const form = new FormData()
  form.append('file', new Blob([readFileSync(join(import.meta.dirname, '../fixtures/files/contract.pdf'))]), 'demands.pdf')
  attachment = ((await (await api.call('POST', '/v1/attachments', { who: 'customer', body: form })).json()) as { id: string }).id
  const yaml = readFileSync(join(import.meta.dirname, '../../processes/basic.yaml'), 'utf8').replace('id: basic', 'id: custom-basic')
  const registered = await api.call('PUT', '/v1/processes/custom-basic?owner=isv:v-1', { who: 'admin', body: yaml, headers: { 'Content-Type': 'application/yaml' } })
  expect(registered.status).toBe(201)
  privateProcess = 'custom-basic'
  const proposed = await api.call('POST', '/v1/proposals', { who: 'isv', json: { definition: 'id: v-variant\nversion: 1\nextends: basic@6\ntitle: Variant\n' } })
  expect(proposed.status).toBe(201)
  proposal = ((await proposed.json()) as { id: string }).id
})
afterAll(async () => { await api.close() })

interface Route {
  readonly method: string
  readonly label: string
  readonly path: () => string
  readonly json?: unknown
  readonly body?: () => RequestInit['body']
  readonly headers?: Record<string, string>
  /** Expected status for each caller who is not allowed. */
  readonly refused: Partial<Record<Who | 'anonymous' | 'unknownToken', number>>
}

const act = { action: 'submit', inputs: DEMAND }
const ROUTES: Route[] = [
  { method: 'GET', label: '/v1/processes', path: () => '/v1/processes', refused: { anonymous: 401, unknownToken: 401 } },
  { method: 'GET', label: '/v1/processes/{private}', path: () => `/v1/processes/${privateProcess}`, refused: { anonymous: 401, strangerIsv: 404, customer: 404 } },
  { method: 'PUT', label: '/v1/processes/basic', path: () => '/v1/processes/basic', body: () => 'id: basic', headers: { 'Content-Type': 'application/yaml' }, refused: { anonymous: 401, customer: 403, isv: 403, system: 403 } },
  { method: 'POST', label: '/v1/instances', path: () => '/v1/instances', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }, refused: { anonymous: 401, customer: 403, isv: 403, strangerIsv: 403 } },
  { method: 'GET', label: '/v1/instances', path: () => '/v1/instances', refused: { anonymous: 401, unknownToken: 401 } },
  { method: 'GET', label: '/v1/instances/{id}', path: () => `/v1/instances/${instance}`, refused: { anonymous: 401, strangerCustomer: 404, strangerIsv: 404 } },
  { method: 'GET', label: '/v1/instances/{id}/validity', path: () => `/v1/instances/${instance}/validity`, refused: { anonymous: 401, strangerCustomer: 404, strangerIsv: 404 } },
  { method: 'GET', label: '/v1/instances/{id}/history', path: () => `/v1/instances/${instance}/history`, refused: { anonymous: 401, strangerCustomer: 404, strangerIsv: 404 } },
  { method: 'POST', label: '/v1/instances/{id}/act', path: () => `/v1/instances/${instance}/act`, json: act, refused: { anonymous: 401, strangerCustomer: 404, strangerIsv: 404, isv: 403 } },
  { method: 'POST', label: '/v1/instances/{id}/advance', path: () => `/v1/instances/${instance}/advance`, json: {}, refused: { anonymous: 401, customer: 403, isv: 403, strangerCustomer: 403 } },
  { method: 'POST', label: '/v1/instances/{id}/terminate', path: () => `/v1/instances/${instance}/terminate`, json: { reason: 'x' }, refused: { anonymous: 401, customer: 403, isv: 403, system: 403, strangerIsv: 403 } },
  { method: 'POST', label: '/v1/advance', path: () => '/v1/advance', json: {}, refused: { anonymous: 401, customer: 403, isv: 403 } },
  { method: 'GET', label: '/v1/clock', path: () => '/v1/clock', refused: { anonymous: 401, unknownToken: 401 } },
  { method: 'POST', label: '/v1/attachments', path: () => '/v1/attachments', body: () => 'plain bytes', refused: { anonymous: 401, unknownToken: 401 } },
  { method: 'POST', label: '/v1/proposals', path: () => '/v1/proposals', json: { definition: 'id: v-other\nversion: 1\nextends: basic@6\ntitle: Other\n' }, refused: { anonymous: 401, admin: 403, system: 403, customer: 403 } },
  { method: 'GET', label: '/v1/proposals/{id}', path: () => `/v1/proposals/${proposal}`, refused: { anonymous: 401, strangerIsv: 404, customer: 404, strangerCustomer: 404 } },
  { method: 'POST', label: '/v1/proposals/{id}/amend', path: () => `/v1/proposals/${proposal}/amend`, json: { definition: 'id: v-variant\nversion: 1\nextends: basic@6\ntitle: Variant 2\n' }, refused: { anonymous: 401, strangerIsv: 404, customer: 404, admin: 403, system: 403 } },
  { method: 'POST', label: '/v1/proposals/{id}/return', path: () => `/v1/proposals/${proposal}/return`, json: { comment: 'x' }, refused: { anonymous: 401, isv: 403, strangerIsv: 404, customer: 404, system: 403 } },
  { method: 'POST', label: '/v1/proposals/{id}/approve', path: () => `/v1/proposals/${proposal}/approve`, json: {}, refused: { anonymous: 401, isv: 403, strangerIsv: 404, customer: 404, system: 403 } },
  { method: 'POST', label: '/v1/proposals/{id}/withdraw', path: () => `/v1/proposals/${proposal}/withdraw`, json: {}, refused: { anonymous: 401, admin: 403, system: 403, strangerIsv: 404 } },
  { method: 'GET', label: '/v1/attachments/{id}', path: () => `/v1/attachments/${attachment}`, refused: { anonymous: 401, strangerCustomer: 404, strangerIsv: 404, isv: 404 } },
]

describe('authorisation on every route', () => {
  for (const route of ROUTES) {
    for (const [caller, status] of Object.entries(route.refused)) {
      it(`${route.method} ${route.label} as ${caller}: ${status}, nothing changed`, async () => {
        const before = await snapshot(api.database)
        const headers: Record<string, string> = { ...route.headers }
        if (caller === 'unknownToken') headers['Authorization'] = 'Bearer dc_not-a-real-token'
        const who = caller === 'anonymous' || caller === 'unknownToken' ? undefined : caller as Who
        const response = await api.call(route.method, route.path(), {
          who, headers, ...(route.json !== undefined ? { json: route.json } : {}), ...(route.body ? { body: route.body() } : {}),
        })
        expect(response.status, await response.clone().text()).toBe(status)
        expect(response.headers.get('content-type')).toBe('application/problem+json')
        expect(await snapshot(api.database)).toEqual(before)
      })
    }
  }

  it('refuses an expired token with 401', async () => {
    const expired = await createToken(api.store, { role: 'admin', subject: 'a-2', expiresAt: '2025-12-31T00:00:00Z' }, '2025-01-01T00:00:00.000Z')
    const response = await api.call('GET', '/v1/clock', { headers: { Authorization: `Bearer ${expired}` } })
    expect(response.status).toBe(401)
    expect((await response.json() as { code: string }).code).toBe('auth.invalid')
  })

  it('lists only the caller\'s own instances and the processes it may see', async () => {
    const mine = await (await api.call('GET', '/v1/instances', { who: 'customer' })).json() as { items: Array<{ id: string }> }
    expect(mine.items.map((i) => i.id)).toEqual([instance])
    const theirs = await (await api.call('GET', '/v1/instances', { who: 'strangerCustomer' })).json() as { items: unknown[] }
    expect(theirs.items).toEqual([])
    const seen = async (who: Who) => ((await (await api.call('GET', '/v1/processes', { who })).json()) as { items: Array<{ id: string }> }).items.map((p) => p.id)
    expect(await seen('isv')).toContain(privateProcess)
    expect(await seen('strangerIsv')).not.toContain(privateProcess)
    expect(await seen('customer')).not.toContain(privateProcess)
    expect(await seen('admin')).toContain(privateProcess)
  })

  it('stores tokens only as hashes', async () => {
    const rows = (await snapshot(api.database))['api_token'] as Array<{ hash: string }>
    for (const token of Object.values(api.tokens)) {
      expect(JSON.stringify(rows)).not.toContain(token)
    }
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash))).toBe(true)
  })
})
