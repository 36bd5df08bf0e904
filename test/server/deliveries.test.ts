import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CONTACT, DEMAND } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'

let api: Api
beforeEach(async () => { api = await openApi() })
afterEach(async () => { await api.close() })

const FILES = join(import.meta.dirname, '../fixtures/files')
const MB = 1024 * 1024

async function json<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const body = await response.text()
  expect(response.status, body).toBe(status)
  return JSON.parse(body) as T
}

async function start(process: string, parameters?: Record<string, unknown>): Promise<string> {
  const view = await json<{ id: string }>(await api.call('POST', '/v1/instances', { who: 'admin', json: { process, parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, ...(parameters ? { parameters } : {}) } }), 201)
  return view.id
}

async function act(id: string, who: Who, action: string, extra: Record<string, unknown> = {}, status = 200): Promise<Record<string, unknown>> {
  return json(await api.call('POST', `/v1/instances/${id}/act`, { who, json: { action, ...extra } }), status)
}

async function upload(who: Who, bytes: Uint8Array | Buffer, fileName: string): Promise<{ id: string; type: string | null; size: number }> {
  const form = new FormData()
  form.append('file', new Blob([bytes]), fileName)
  return json(await api.call('POST', '/v1/attachments', { who, body: form }), 201)
}

describe('the four processes over HTTP', () => {
  it('basic: submit demand, finish, confirm', async () => {
    const id = await start('basic')
    const spec = await json<{ actions: Array<{ id: string; inputs: unknown }>; step: { id: string } }>(await api.call('GET', `/v1/instances/${id}`, { who: 'customer' }), 200)
    expect(spec.step.id).toBe('submit-demand')
    expect(spec.actions.map((a) => a.id)).toEqual(['submit'])
    const doc = await upload('customer', readFileSync(join(FILES, 'contract.pdf')), 'special-demands.pdf')
    expect(doc.type).toBe('pdf')
    expect(await act(id, 'customer', 'submit', { inputs: DEMAND, attachments: { 'demand-documents': [doc.id] } })).toMatchObject({ step: { id: 'project-delivery' } })
    expect(await act(id, 'isv', 'finish')).toMatchObject({ step: { id: 'confirm-delivery' }, deadline: { due: '2026-01-15T00:00:00.000Z' } })
    expect(await act(id, 'customer', 'confirm')).toMatchObject({ status: 'completed' })
    const history = await json<{ items: Array<{ event: { type: string } }> }>(await api.call('GET', `/v1/instances/${id}/history`, { who: 'isv' }), 200)
    expect(history.items).toHaveLength(8)
    // The ISV may download the customer's document now that it belongs to its delivery.
    const download = await api.call('GET', `/v1/attachments/${doc.id}`, { who: 'isv' })
    expect(download.status).toBe(200)
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="special-demands.pdf"')
    expect(download.headers.get('x-content-type-options')).toBe('nosniff')
    expect(Buffer.from(await download.arrayBuffer())).toEqual(readFileSync(join(FILES, 'contract.pdf')))
  })

  it('contract: a real DOCX, PDF and 7z are accepted; 5 MB + 1 byte and a renamed executable are refused', async () => {
    for (const name of ['contract.docx', 'contract.pdf', 'archive.7z']) {
      const id = await start('contract')
      await act(id, 'customer', 'submit', { inputs: DEMAND })
      const file = await upload('isv', readFileSync(join(FILES, name)), name)
      expect(await act(id, 'isv', 'submit', { attachments: { contract: [file.id] } })).toMatchObject({ step: { id: 'project-delivery' } })
    }
    const id = await start('contract')
    await act(id, 'customer', 'submit', { inputs: DEMAND })
    const pdf = readFileSync(join(FILES, 'contract.pdf'))
    const big = await upload('isv', Buffer.concat([pdf, Buffer.alloc(5 * MB + 1 - pdf.length, 0x20)]), 'big.pdf')
    expect(big).toMatchObject({ type: 'pdf', size: 5 * MB + 1 })
    const tooBig = await act(id, 'isv', 'submit', { attachments: { contract: [big.id] } }, 422)
    expect(tooBig).toMatchObject({ code: 'attachment.size', errors: [{ pointer: '/attachments/contract/0', rule: 'size' }] })
    const exe = await upload('isv', readFileSync(join(FILES, 'program.pdf')), 'contract.pdf')
    expect(exe.type).toBeNull()
    expect(await act(id, 'isv', 'submit', { attachments: { contract: [exe.id] } }, 422)).toMatchObject({ code: 'attachment.type' })
    const exactly = await upload('isv', Buffer.concat([pdf, Buffer.alloc(5 * MB - pdf.length, 0x20)]), 'exact.pdf')
    expect(await act(id, 'isv', 'submit', { attachments: { contract: [exactly.id] } })).toMatchObject({ step: { id: 'project-delivery' } })
    await act(id, 'isv', 'finish')
    expect(await act(id, 'customer', 'confirm')).toMatchObject({ status: 'completed' })
  })

  it('double-check: warranty service, then the window ends the process when the sandbox clock passes it', async () => {
    const id = await start('double-check', { warrantyPeriod: 'P30D' })
    await act(id, 'customer', 'submit', { inputs: { contact: CONTACT, demands: 'Install and tune' } })
    await act(id, 'isv', 'finish')
    await act(id, 'customer', 'confirm')
    expect(await act(id, 'customer', 'request-service', { inputs: { issue: 'Login fails' } })).toMatchObject({ step: { id: 'warranty-service' } })
    expect(await act(id, 'isv', 'resolve', { inputs: { resolution: 'Fixed' } })).toMatchObject({ step: { id: 'confirm-warranty' } })
    expect(await json(await api.call('POST', '/v1/advance', { who: 'admin', json: { by: 'P30D' } }), 200)).toMatchObject({ fired: 1 })
    expect(await json(await api.call('GET', `/v1/instances/${id}`, { who: 'customer' }), 200)).toMatchObject({ status: 'completed', outcome: 'warranty-expired' })
  })

  it('step-by-step: every rejection loop, then acceptance and confirmation', async () => {
    const id = await start('step-by-step')
    await act(id, 'customer', 'submit', { inputs: DEMAND })
    for (const [confirm, back] of [['confirm-functional-design', 'functional-design'], ['confirm-ued', 'ued'], ['inspection-acceptance', 'development-testing']]) {
      expect(await act(id, 'isv', 'finish', { inputs: { summary: 'first try' } })).toMatchObject({ step: { id: confirm } })
      expect(await act(id, 'customer', 'reject', { inputs: { reason: 'Not yet' } })).toMatchObject({ step: { id: back, round: 2 } })
      await act(id, 'isv', 'finish', { inputs: { summary: 'second try' } })
      await act(id, 'customer', 'confirm')
    }
    expect(await act(id, 'customer', 'confirm')).toMatchObject({ status: 'completed' })
  })

  it('an admin terminates a delivery in progress', async () => {
    const id = await start('basic')
    await act(id, 'customer', 'submit', { inputs: DEMAND })
    expect(await json(await api.call('POST', `/v1/instances/${id}/terminate`, { who: 'admin', json: { reason: 'Order refunded' } }), 200)).toMatchObject({ status: 'terminated' })
    expect(await act(id, 'isv', 'finish', {}, 409)).toMatchObject({ code: 'instance.ended' })
  })

  it('answers errors as problem+json with a code, the failing fields and a request id', async () => {
    const id = await start('basic')
    const response = await api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', json: { action: 'submit', inputs: { contact: { ...CONTACT, email: 'x' } } } })
    expect(response.status).toBe(422)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    const problem = await response.json() as Record<string, unknown>
    expect(problem).toMatchObject({ type: '/problems/input.invalid', status: 422, code: 'input.invalid', instance: `/v1/instances/${id}/act` })
    expect(problem['errors']).toEqual(expect.arrayContaining([{ pointer: '/inputs/contact/email', rule: 'format', message: 'must be an email address such as name@example.com' }, expect.objectContaining({ pointer: '/inputs/demands', rule: 'required' })]))
    expect(problem['requestId']).toBe(response.headers.get('x-request-id'))
  })

  it('names the field a refusal of a start or an act is about: the process, its version, the id, the action, the step, the revision', async () => {
    const id = await start('basic')
    const refused = async (who: 'admin' | 'customer', path: string, json: Record<string, unknown>): Promise<unknown> => (await api.call('POST', path, { who, json })).json()
    const order = { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }
    const starting = { parties: { customer: 'c-1', isv: 'v-1' }, context: order }
    expect(await refused('admin', '/v1/instances', { ...starting, process: 'nope' })).toMatchObject({ code: 'process.not-found', errors: [{ pointer: '/process', rule: 'exists' }] })
    expect(await refused('admin', '/v1/instances', { ...starting, process: 'basic', version: 999 })).toMatchObject({ code: 'process.not-found', errors: [{ pointer: '/version', rule: 'exists' }] })
    expect(await refused('admin', '/v1/instances', { ...starting, process: 'basic', id })).toMatchObject({ code: 'instance.exists', errors: [{ pointer: '/id', rule: 'unique' }] })
    const act = `/v1/instances/${id}/act`
    expect(await refused('customer', act, { action: 'nope' })).toMatchObject({ code: 'action.unknown', errors: [{ pointer: '/action', message: expect.stringContaining('submit') as string }] })
    expect(await refused('customer', act, { action: 'confirm' })).toMatchObject({ code: 'step.not-current', errors: [{ pointer: '/action' }] })
    expect(await refused('customer', act, { action: 'submit', step: 'confirm-delivery' })).toMatchObject({ code: 'step.not-current', errors: [{ pointer: '/step', message: 'must be the current step, "submit-demand"' }] })
    expect(await refused('customer', act, { action: 'submit', expectedRevision: 7 })).toMatchObject({ code: 'conflict.stale', errors: [{ pointer: '/expectedRevision', message: "must be the instance's revision, 1 now" }] })
  })
})
