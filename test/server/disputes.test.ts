import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'
import { serveOnLoopback } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'
import { signInLink } from '../support/console.js'
import { expectProblem } from '../support/problem.js'

// The rules version 3 of the Delivery Center processes adds, over real HTTP on loopback: the order
// details a delivery starts with, the customer's dispute and the administrator's three decisions,
// and the escalation of a step left waiting on the ISV.
let api: Api
let http: Loopback
beforeEach(async () => {
  api = await openApi()
  http = await serveOnLoopback(api)
})
afterEach(async () => {
  await http.close()
  await api.close()
})

const ORDER = { orderId: 'HW-2026-0001', specification: 'Website, 10 pages', productId: 'cmjj00123' }
const DEMAND = { contact: { name: 'Li Lei', phone: '+86 138 0000 0000', email: 'li@example.com' }, demands: 'A shop website with payments' }
const PARTIES = { customer: 'c-1', isv: 'v-1' }

function call(who: Who, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${http.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${api.tokens[who]}`, ...(body === undefined || body instanceof FormData ? {} : { 'Content-Type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: body instanceof FormData ? body : JSON.stringify(body) }),
  })
}

async function json<T = Record<string, unknown>>(response: Response, status = 200): Promise<T> {
  const text = await response.text()
  expect(response.status, text).toBe(status)
  return JSON.parse(text) as T
}

const act = async (id: string, who: Who, body: Record<string, unknown>, status = 200): Promise<Record<string, unknown>> =>
  json(await call(who, 'POST', `/v1/instances/${id}/act`, body), status)
const read = async (id: string, who: Who = 'admin'): Promise<Record<string, unknown>> => json(await call(who, 'GET', `/v1/instances/${id}`))
const advance = async (by: string): Promise<{ fired: number }> => json(await call('admin', 'POST', '/v1/advance', { by }))

/** A delivery of `process` (basic by default) brought to Confirm Delivery. */
async function delivered(process = 'basic', parameters: Record<string, unknown> = {}): Promise<string> {
  const { id } = await json<{ id: string }>(await call('admin', 'POST', '/v1/instances', { process, parties: PARTIES, context: ORDER, parameters }), 201)
  await act(id, 'customer', { action: 'submit', inputs: DEMAND })
  expect(await act(id, 'isv', { action: 'finish' })).toMatchObject({ step: { id: 'confirm-delivery' } })
  return id
}

/** The customer disputes with a reason and a screenshot; the confirmation window then passes and nothing confirms. */
async function disputed(id: string): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([readFileSync(join(import.meta.dirname, '../fixtures/files/logo.png'))]), 'missing-page.png')
  const file = await json<{ id: string }>(await call('customer', 'POST', '/v1/attachments', form), 201)
  const view = await act(id, 'customer', { action: 'dispute', inputs: { reason: 'The payment page is missing.' }, attachments: { evidence: [file.id] } })
  expect(view).toMatchObject({ status: 'active', step: { id: 'dispute', actors: ['admin'] }, actions: [] })
  expect(view['deadline'] ?? null).toBeNull()
  // Far beyond the 14-day window: the automatic confirmation was stopped, nothing fires.
  expect(await advance('P30D')).toMatchObject({ fired: 0 })
  expect(await read(id)).toMatchObject({ status: 'active', step: { id: 'dispute' } })
  // Only an administrator decides; the parties are refused.
  await expectProblem(await call('customer', 'POST', `/v1/instances/${id}/act`, { action: 'confirm-on-behalf', inputs: { reason: 'x' } }), 403, 'auth.forbidden')
  await expectProblem(await call('isv', 'POST', `/v1/instances/${id}/act`, { action: 'rework', inputs: { reason: 'x' } }), 403, 'auth.forbidden')
  return file.id
}

async function history(id: string): Promise<Array<Record<string, unknown>>> {
  const { items } = await json<{ items: Array<{ event: Record<string, unknown> }> }>(await call('admin', 'GET', `/v1/instances/${id}/history`))
  return items.map((item) => item.event)
}

describe('order details', () => {
  it.each(['basic', 'contract', 'double-check', 'step-by-step'])('%s: a start without them is refused with a pointer to each, and nothing is stored', async (process) => {
    const before = await json<{ items: unknown[] }>(await call('admin', 'GET', '/v1/instances'))
    const refused = await expectProblem(await call('admin', 'POST', '/v1/instances', { process, parties: PARTIES, parameters: { warrantyPeriod: 'P30D' }, context: { orderId: 'HW-1' } }), 422, 'input.invalid')
    expect((refused['errors'] as Array<{ pointer: string }>).map((e) => e.pointer).filter((p) => p.startsWith('/context')).sort()).toEqual(['/context/productId', '/context/specification'])
    const none = await expectProblem(await call('admin', 'POST', '/v1/instances', { process, parties: PARTIES, parameters: { warrantyPeriod: 'P30D' } }), 422, 'input.invalid')
    expect(none['errors']).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/context/orderId', rule: 'required' })]))
    expect(await json<{ items: unknown[] }>(await call('admin', 'GET', '/v1/instances'))).toEqual(before)
  })

  it('are kept with the delivery, shown to the ISV, and found by order ID', async () => {
    const id = await delivered()
    const other = await json<{ id: string }>(await call('admin', 'POST', '/v1/instances', { process: 'contract', parties: PARTIES, context: { ...ORDER, orderId: 'HW-2026-0002' } }), 201)
    expect(await read(id, 'isv')).toMatchObject({ id, context: ORDER })
    const found = await json<{ items: Array<{ id: string; context: unknown }> }>(await call('isv', 'GET', `/v1/instances?orderId=${ORDER.orderId}`))
    expect(found.items.map((v) => v.id)).toEqual([id])
    expect(found.items[0]?.context).toEqual(ORDER)
    const byOther = await json<{ items: Array<{ id: string }> }>(await call('customer', 'GET', '/v1/instances?orderId=HW-2026-0002'))
    expect(byOther.items.map((v) => v.id)).toEqual([other.id])
    expect((await json<{ items: unknown[] }>(await call('strangerIsv', 'GET', `/v1/instances?orderId=${ORDER.orderId}`))).items).toEqual([])
    // The ISV's page of the delivery shows the order's details.
    const link = new URL(await signInLink(api, 'isv', `/console/deliveries/${id}`))
    const opened = await fetch(`${http.url}${link.pathname}`, { method: 'POST', redirect: 'manual', headers: { Origin: http.url } })
    expect(opened.status).toBe(303)
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
    const page = await fetch(`${http.url}${opened.headers.get('location') ?? ''}`, { headers: { Cookie: cookie } })
    expect(page.status).toBe(200)
    const html = await page.text()
    for (const value of Object.values(ORDER)) expect(html).toContain(value)
  })
})

describe('a dispute at Confirm Delivery', () => {
  it('sent back to the ISV for rework: the ISV delivers again and the customer confirms', async () => {
    const id = await delivered()
    const evidence = await disputed(id)
    await expectProblem(await call('admin', 'POST', `/v1/instances/${id}/act`, { action: 'rework', inputs: {} }), 422, 'input.invalid')
    expect(await act(id, 'admin', { action: 'rework', inputs: { reason: 'The demands list a payment page.' } })).toMatchObject({ step: { id: 'project-delivery' } })
    await act(id, 'isv', { action: 'finish' })
    expect(await act(id, 'customer', { action: 'confirm' })).toMatchObject({ status: 'completed', outcome: 'completed' })
    const events = await history(id)
    expect(events.filter((e) => e['type'] === 'action-performed').map((e) => [e['step'], e['action'], (e['inputs'] as { reason?: string }).reason])).toEqual([
      ['submit-demand', 'submit', undefined], ['project-delivery', 'finish', undefined],
      ['confirm-delivery', 'dispute', 'The payment page is missing.'], ['dispute', 'rework', 'The demands list a payment page.'],
      ['project-delivery', 'finish', undefined], ['confirm-delivery', 'confirm', undefined],
    ])
    expect(events.find((e) => e['action'] === 'dispute')).toMatchObject({ by: { role: 'customer' }, attachments: { evidence: [evidence] } })
    // The ISV may download the customer's evidence, which now belongs to its delivery.
    expect((await call('isv', 'GET', `/v1/attachments/${evidence}`)).status).toBe(200)
  })

  it('confirmed by the administrator on the customer\'s behalf, with the reason in the history', async () => {
    const id = await delivered()
    await disputed(id)
    expect(await act(id, 'admin', { action: 'confirm-on-behalf', inputs: { reason: 'The page exists; the customer looked at the old site.' } })).toMatchObject({ status: 'completed', outcome: 'completed' })
    expect((await history(id)).at(-2)).toMatchObject({ type: 'action-performed', step: 'dispute', action: 'confirm-on-behalf', by: { role: 'admin' }, inputs: { reason: 'The page exists; the customer looked at the old site.' } })
  })

  it.each([['basic', {}], ['double-check', { warrantyPeriod: 'P30D' }]] as const)('%s: terminated by the administrator, it ends terminated (never completed, which would pay the ISV), the reason recorded', async (process, parameters) => {
    const id = await delivered(process, parameters)
    await disputed(id)
    // The dispute step offers no action that ends the delivery as completed under another name.
    await expectProblem(await call('admin', 'POST', `/v1/instances/${id}/act`, { action: 'terminate', inputs: { reason: 'x' } }), 422, 'action.unknown')
    expect(await json(await call('admin', 'POST', `/v1/instances/${id}/terminate`, { reason: 'The ISV could not show a delivery.' }))).toMatchObject({ status: 'terminated' })
    expect((await history(id)).at(-1)).toMatchObject({ type: 'instance-terminated', reason: 'The ISV could not show a delivery.', by: { role: 'admin' } })
    await expectProblem(await call('admin', 'POST', `/v1/instances/${id}/act`, { action: 'rework', inputs: { reason: 'x' } }), 409, 'instance.ended')
  })

  it('in double-check, confirmed on the customer\'s behalf: the warranty period opens', async () => {
    const id = await delivered('double-check', { warrantyPeriod: 'P30D' })
    await disputed(id)
    expect(await act(id, 'admin', { action: 'confirm-on-behalf', inputs: { reason: 'Delivered as agreed.' } })).toMatchObject({ status: 'active', step: { id: 'confirm-warranty' } })
    expect(await advance('P30D')).toMatchObject({ fired: 1 })
    expect(await read(id)).toMatchObject({ status: 'completed', outcome: 'warranty-expired' })
  })
})

describe("a dispute at double-check's final confirmation, Confirm Warranty", () => {
  it('keeps the warranty period running: sent back for warranty service, the same period goes on; the administrator may also confirm on the customer\'s behalf', async () => {
    const id = await delivered('double-check', { warrantyPeriod: 'P30D' })
    const period = [{ id: 'warranty', due: '2026-01-31T00:00:00.000Z' }]
    expect(await act(id, 'customer', { action: 'confirm' })).toMatchObject({ step: { id: 'confirm-warranty' }, windows: period })
    await advance('P10D')
    const view = await act(id, 'customer', { action: 'dispute', inputs: { reason: 'The login issue is back after the fix.' } })
    expect(view).toMatchObject({ status: 'active', step: { id: 'warranty-dispute', actors: ['admin'] }, windows: period })
    expect(await advance('P10D')).toMatchObject({ fired: 0 })
    // Sent back within the period: the same period, not a new one from the rework.
    expect(await act(id, 'admin', { action: 'rework', inputs: { reason: 'The ISV must fix the login.' } })).toMatchObject({ step: { id: 'warranty-service' }, windows: period })
    await act(id, 'isv', { action: 'resolve', inputs: { resolution: 'Session handling fixed.' } })
    await act(id, 'customer', { action: 'dispute', inputs: { reason: 'Still broken.' } })
    expect(await act(id, 'admin', { action: 'confirm-on-behalf', inputs: { reason: 'Fixed, as the logs show.' } })).toMatchObject({ status: 'completed', outcome: 'completed' })
    expect((await history(id)).filter((e) => e['step'] === 'warranty-dispute' && e['type'] === 'action-performed').map((e) => [e['action'], (e['inputs'] as { reason: string }).reason]))
      .toEqual([['rework', 'The ISV must fix the login.'], ['confirm-on-behalf', 'Fixed, as the logs show.']])
  })

  it('ends the delivery when the warranty period passes before the administrator decides, as at any other point of the period', async () => {
    const id = await delivered('double-check', { warrantyPeriod: 'P30D' })
    await act(id, 'customer', { action: 'confirm' })
    await advance('P29D')
    await act(id, 'customer', { action: 'dispute', inputs: { reason: 'The login issue is back after the fix.' } })
    expect(await advance('P1D')).toMatchObject({ fired: 1 })
    expect(await read(id)).toMatchObject({ status: 'completed', outcome: 'warranty-expired' })
    await expectProblem(await call('admin', 'POST', `/v1/instances/${id}/act`, { action: 'rework', inputs: { reason: 'Too late.' } }), 409, 'instance.ended')
  })
})

describe('escalation of a step waiting on the ISV', () => {
  it('reminds the ISV a day before the configured time, then hands the step to an administrator', async () => {
    const { id } = await json<{ id: string }>(await call('admin', 'POST', '/v1/instances', { process: 'basic', parties: PARTIES, context: ORDER, parameters: { isvResponseTime: 'P3D' } }), 201)
    expect(await act(id, 'customer', { action: 'submit', inputs: DEMAND })).toMatchObject({ step: { id: 'project-delivery' }, deadline: { due: '2026-01-04T00:00:00.000Z' } })
    expect(await advance('P1DT23H')).toMatchObject({ fired: 0 })
    expect(await advance('PT1H')).toMatchObject({ fired: 0, instances: 1 }) // the reminder, a day before
    expect((await history(id)).at(-1)).toMatchObject({ type: 'deadline-approaching', remind: 'P1D', due: '2026-01-04T00:00:00.000Z', parties: ['isv'] })
    expect(await read(id)).toMatchObject({ step: { id: 'project-delivery' } })
    expect(await advance('P1D')).toMatchObject({ fired: 1 })
    expect(await read(id)).toMatchObject({ status: 'active', step: { id: 'project-delivery-escalated', actors: ['isv', 'admin'] } })
    // The administrator hands it back with a note; the time starts again.
    expect(await act(id, 'admin', { action: 'return-to-isv', inputs: { note: 'Please call the customer this week.' } })).toMatchObject({ step: { id: 'project-delivery', round: 2 } })
    await advance('P3D')
    expect(await read(id)).toMatchObject({ step: { id: 'project-delivery-escalated' } })
    // The ISV may still finish from the escalated step.
    await expectProblem(await call('admin', 'POST', `/v1/instances/${id}/act`, { action: 'finish' }), 403, 'auth.forbidden')
    expect(await act(id, 'isv', { action: 'finish' })).toMatchObject({ step: { id: 'confirm-delivery' } })
  })
})
