import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import apiSchema from '../../schemas/api.schema.json' with { type: 'json' }
import { snapshot } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'

// License supervision (KooGallery) to the letter of its source: the validity period answered
// over HTTP before, during and after it, counted in Beijing time; the enabling time never later
// than the upload of the proof; the order details a start requires.

let api: Api
beforeEach(async () => { api = await openApi() })
afterEach(async () => { await api.close() })

const FILES = join(import.meta.dirname, '../fixtures/files')
const ajv = new Ajv2020({ strict: true, strictRequired: false, logger: false })
addFormatsModule.default(ajv)
ajv.addSchema(apiSchema)
const validityShape = ajv.getSchema(`${apiSchema.$id}#/$defs/Validity`)

type Json = Record<string, unknown>

async function json<T = Json>(response: Response, status = 200): Promise<T> {
  const text = await response.text()
  expect(response.status, text).toBe(status)
  return JSON.parse(text) as T
}

async function upload(name: string): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([readFileSync(join(FILES, name))]), name)
  return (await json<{ id: string }>(await api.call('POST', '/v1/attachments', { who: 'isv', body: form }), 201)).id
}

/** Placed on 1 January 2026 at 08:00 in Beijing (the test clock's start), bought for a month. */
const ORDER = { orderId: 'HW-20260101-1', productId: 'p-license', productName: 'License Manager', specification: '10 seats, 1 month', orderPlacedAt: '2026-01-01T08:00:00+08:00' }

async function start(context: Json = ORDER, process = 'license-supervision'): Promise<string> {
  const started = await json<{ id: string }>(await api.call('POST', '/v1/instances', { who: 'admin', json: {
    process, parties: { customer: 'c-1', isv: 'v-1' }, parameters: { purchasedDuration: 'P1M' }, context,
  } }), 201)
  return started.id
}

function deliver(id: string, inputs: Json, proof: Record<string, string[]>): Promise<Response> {
  return api.call('POST', `/v1/instances/${id}/act`, { who: 'isv', json: { action: 'deliver', inputs: { deliveryContent: 'License key issued for 10 seats', ...inputs }, attachments: proof } })
}

async function proof(): Promise<Record<string, string[]>> {
  return { 'statement-of-work': [await upload('contract.pdf')], 'acceptance-documents': [await upload('contract.docx')] }
}

async function accept(id: string): Promise<Json> {
  return json(await api.call('POST', `/v1/instances/${id}/act`, { who: 'customer', json: { action: 'accept' } }))
}

/** The validity answer for `who` at `at` (now when omitted), checked against its schema. */
async function validity(id: string, at?: string, who: Who = 'system'): Promise<Json> {
  const answer = await json(await api.call('GET', `/v1/instances/${id}/validity${at ? `?at=${encodeURIComponent(at)}` : ''}`, { who }))
  expect(validityShape?.(answer), JSON.stringify(validityShape?.errors)).toBe(true)
  return answer
}

describe('validity of a license delivery (KooGallery example, Beijing time)', () => {
  it('scenario 1, no enabling time: not valid before acceptance; accepted on 1 February, valid from 1 February to 1 March', async () => {
    const id = await start()
    api.clock.set('2026-01-01T09:00:00+08:00')
    await json(await deliver(id, {}, await proof()))
    expect(await validity(id)).toMatchObject({ valid: false, reason: 'pending', status: 'active', timeZone: 'Asia/Shanghai' })
    expect(await validity(id)).not.toHaveProperty('from')

    api.clock.set('2026-02-01T10:00:00+08:00')
    await json(await api.call('POST', '/v1/advance', { who: 'system', json: {} })) // the acceptance window has passed: the ISV may appeal
    await accept(id)
    expect(await validity(id)).toMatchObject({
      valid: true, status: 'completed', outcome: 'accepted',
      from: '2026-02-01T02:00:00.000Z', until: '2026-03-01T02:00:00.000Z',
      fromLocal: '2026-02-01T10:00:00+08:00', untilLocal: '2026-03-01T10:00:00+08:00',
      remaining: 'P28D', remainingSeconds: 28 * 86_400,
    })
    expect(await validity(id, '2026-02-01T09:59:59+08:00')).toMatchObject({ valid: false, reason: 'not-started' })
    expect(await validity(id, '2026-02-15T10:00:00+08:00')).toMatchObject({ valid: true, remaining: 'P14D' })
    expect(await validity(id, '2026-03-01T09:59:59+08:00')).toMatchObject({ valid: true, remaining: 'PT1S', remainingSeconds: 1 })
    const after = await validity(id, '2026-03-01T10:00:00+08:00')
    expect(after).toMatchObject({ valid: false, reason: 'expired', at: '2026-03-01T02:00:00.000Z' })
    expect(after).not.toHaveProperty('remaining')
  })

  it('scenario 2, enabling time 1 January: valid from 1 January to 1 February, already expired when accepted on 1 February', async () => {
    const id = await start()
    api.clock.set('2026-01-01T09:00:00+08:00')
    await json(await deliver(id, { enablingTime: '2026-01-01T08:00:00+08:00' }, await proof()))
    api.clock.set('2026-02-01T10:00:00+08:00')
    await json(await api.call('POST', '/v1/advance', { who: 'system', json: {} }))
    await accept(id)
    expect(await validity(id)).toMatchObject({
      valid: false, reason: 'expired', fromLocal: '2026-01-01T08:00:00+08:00', untilLocal: '2026-02-01T08:00:00+08:00',
    })
    expect(await validity(id, '2025-12-31T23:59:59+08:00')).toMatchObject({ valid: false, reason: 'not-started' })
    expect(await validity(id, '2026-01-20T00:00:00+08:00')).toMatchObject({ valid: true, remaining: 'P12DT8H' })
    expect(await validity(id, '2026-02-01T07:59:59+08:00')).toMatchObject({ valid: true })
    expect(await validity(id, '2026-02-01T08:00:00+08:00')).toMatchObject({ valid: false, reason: 'expired' })
  })

  it('a Beijing customer enabled on 1 March 00:00 local for a month is valid until 1 April 00:00 local, not 29 March', async () => {
    const id = await start({ ...ORDER, orderPlacedAt: '2026-02-28T20:00:00+08:00' })
    api.clock.set('2026-03-01T01:00:00+08:00')
    await json(await deliver(id, { enablingTime: '2026-03-01T00:00:00+08:00' }, await proof()))
    api.clock.set('2026-03-02T09:00:00+08:00')
    expect(await accept(id)).toMatchObject({ values: { validFrom: '2026-02-28T16:00:00.000Z', validUntil: '2026-03-31T16:00:00.000Z' } })
    expect(await validity(id)).toMatchObject({ valid: true, fromLocal: '2026-03-01T00:00:00+08:00', untilLocal: '2026-04-01T00:00:00+08:00', remaining: 'P29DT15H' })
    expect(await validity(id, '2026-03-29T12:00:00+08:00')).toMatchObject({ valid: true })
    expect(await validity(id, '2026-03-31T23:59:59+08:00')).toMatchObject({ valid: true, remainingSeconds: 1 })
    expect(await validity(id, '2026-04-01T00:00:00+08:00')).toMatchObject({ valid: false, reason: 'expired' })
  })

  it('an operator serving another zone derives the process with its own time zone', async () => {
    const derived = 'id: license-supervision-berlin\nversion: 1\ntitle: License Delivery Service Supervision (Berlin)\nextends: license-supervision\ntimeZone: Europe/Berlin\n'
    await json(await api.call('PUT', '/v1/processes/license-supervision-berlin', { who: 'admin', body: derived, headers: { 'Content-Type': 'application/yaml' } }), 201)
    const id = await start({ ...ORDER, orderPlacedAt: '2026-02-28T20:00:00+01:00' }, 'license-supervision-berlin')
    api.clock.set('2026-03-01T01:00:00+01:00')
    await json(await deliver(id, { enablingTime: '2026-03-01T00:00:00+01:00' }, await proof()))
    await accept(id)
    // Across the change to summer time: a calendar month ends at midnight local, 1 April (UTC+02:00).
    expect(await validity(id)).toMatchObject({ valid: true, timeZone: 'Europe/Berlin', untilLocal: '2026-04-01T00:00:00+02:00', until: '2026-03-31T22:00:00.000Z' })
  })

  it('a renewal ends without a period, and a terminated delivery entitles nothing', async () => {
    const renewal = await start({ ...ORDER, renewal: true })
    expect(await validity(renewal)).toMatchObject({ valid: false, reason: 'no-period', status: 'completed', outcome: 'not-supervised' })

    const id = await start()
    await json(await deliver(id, { enablingTime: '2026-01-01T08:00:00+08:00' }, await proof()))
    await accept(id)
    expect(await validity(id, '2026-01-10T00:00:00Z')).toMatchObject({ valid: true })
    api.clock.set('2026-01-10T00:00:00Z')
    // A completed delivery cannot be terminated; the check is of a terminated one in progress.
    const other = await start()
    await json(await api.call('POST', `/v1/instances/${other}/terminate`, { who: 'admin', json: { reason: 'Order refunded' } }))
    expect(await validity(other)).toMatchObject({ valid: false, reason: 'terminated', status: 'terminated' })
  })

  it('answers a process that declares no validity with not-declared', async () => {
    const { id } = await json<{ id: string }>(await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-9', specification: 'Standard', productId: 'p-1' } } }), 201)
    expect(await validity(id)).toMatchObject({ valid: false, reason: 'not-declared' })
  })
})

describe('who may check validity, and a bad instant', () => {
  it('the parties, administrators and the system may; to another customer or ISV the instance does not exist, and nothing changes', async () => {
    const id = await start()
    for (const who of ['customer', 'isv', 'admin', 'system'] as const) expect(await validity(id, undefined, who)).toMatchObject({ instance: id, valid: false })
    const before = await snapshot(api.database)
    for (const who of ['strangerCustomer', 'strangerIsv'] as const) {
      const refused = await json<{ code: string }>(await api.call('GET', `/v1/instances/${id}/validity`, { who }), 404)
      expect(refused.code).toBe('instance.not-found')
    }
    expect((await api.call('GET', `/v1/instances/${id}/validity`)).status).toBe(401)
    expect(await json<{ code: string }>(await api.call('GET', '/v1/instances/nope/validity', { who: 'admin' }), 404)).toMatchObject({ code: 'instance.not-found' })
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('refuses an at that is not an instant with a time zone, and a parameter it does not know, each at its pointer', async () => {
    const id = await start()
    for (const at of ['yesterday', '2026-01-01T00:00:00', '2026-02-30T00:00:00Z', '2026-01-01']) {
      const refused = await json(await api.call('GET', `/v1/instances/${id}/validity?at=${encodeURIComponent(at)}`, { who: 'customer' }), 422)
      expect(refused, at).toMatchObject({ code: 'request.invalid', errors: [{ pointer: '/query/at' }] })
    }
    expect(await json(await api.call('GET', `/v1/instances/${id}/validity?when=now`, { who: 'customer' }), 422)).toMatchObject({ errors: [{ pointer: '/query/when' }] })
  })
})

describe('the actual enabling time is never later than the upload of the proof', () => {
  it('refuses a time in the future, at /inputs/enablingTime, and changes nothing', async () => {
    const id = await start()
    api.clock.set('2026-01-05T12:00:00+08:00')
    const files = await proof()
    const before = await snapshot(api.database)
    const future = await json<{ code: string; errors: Json[] }>(await deliver(id, { enablingTime: '2026-01-05T12:00:00.001+08:00' }, files), 422)
    expect(future).toMatchObject({ code: 'input.invalid', errors: [{ pointer: '/inputs/enablingTime', rule: 'notAfter' }] })
    expect(await snapshot(api.database)).toEqual(before)
  })

  // The source's example: bought on 1 January and enabled that day, the enabling time set to 1 January.
  it.each([['the start of the day the order was placed', '2026-01-01T00:00:00+08:00'], ['the upload of the proof', '2026-01-05T12:00:00+08:00']])('accepts %s', async (_, enablingTime) => {
    const id = await start()
    api.clock.set('2026-01-05T12:00:00+08:00')
    expect(await json(await deliver(id, { enablingTime }, await proof()))).toMatchObject({ step: { id: 'customer-acceptance' } })
  })
})

describe('order details', () => {
  it('refuses a start without the order No. or with a placing time that is not an instant, and stores nothing', async () => {
    const before = await snapshot(api.database)
    for (const context of [undefined, {}, { productName: 'Analytics Suite', renewal: true }]) {
      const refused = await json<{ code: string; errors: Array<{ pointer: string }> }>(await api.call('POST', '/v1/instances', { who: 'admin', json: {
        process: 'license-supervision', parties: { customer: 'c-1', isv: 'v-1' }, parameters: { purchasedDuration: 'P1M' }, ...(context ? { context } : {}),
      } }), 422)
      expect(refused.code).toBe('input.invalid')
      expect(refused.errors.map((e) => e.pointer)).toEqual(['/context/orderId'])
    }
    const wrong = await json<{ errors: Array<{ pointer: string }> }>(await api.call('POST', '/v1/instances', { who: 'admin', json: {
      process: 'license-supervision', parties: { customer: 'c-1', isv: 'v-1' }, parameters: { purchasedDuration: 'P1M' }, context: { ...ORDER, orderPlacedAt: '1 January' },
    } }), 422)
    expect(wrong.errors.map((e) => e.pointer)).toEqual(['/context/orderPlacedAt'])
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('starts with the order details the source lists: order No., product name, amount, status and placing time', async () => {
    const context = { orderId: 'HW-20260101-9', productName: 'License Manager', orderAmount: 1200, orderStatus: 'Paid', orderPlacedAt: '2026-01-01T08:00:00+08:00' }
    const started = await json<{ id: string; context: Json; step: Json }>(await api.call('POST', '/v1/instances', { who: 'admin', json: {
      process: 'license-supervision', parties: { customer: 'c-1', isv: 'v-1' }, parameters: { purchasedDuration: 'P1M' }, context,
    } }), 201)
    expect(started).toMatchObject({ context, step: { id: 'upload-proof' } })
  })

  it('finds a delivery by its order ID, for administrators and its own parties only', async () => {
    const first = await start()
    const second = await start({ ...ORDER, orderId: 'HW-20260101-2' })
    const found = async (who: Who, orderId: string) =>
      (await json<{ items: Array<{ id: string; context: Json }> }>(await api.call('GET', `/v1/instances?process=license-supervision&orderId=${orderId}`, { who }))).items
    expect((await found('admin', 'HW-20260101-1')).map((i) => i.id)).toEqual([first])
    expect((await found('admin', 'HW-20260101-2')).map((i) => [i.id, i.context['specification']])).toEqual([[second, '10 seats, 1 month']])
    expect((await found('isv', 'HW-20260101-2')).map((i) => i.id)).toEqual([second])
    expect(await found('strangerCustomer', 'HW-20260101-1')).toEqual([])
    expect(await found('admin', 'hw-20260101-1')).toEqual([])
  })
})
