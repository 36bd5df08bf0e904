import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openApi } from '../support/http.js'
import { GIF, TIFF, WEBP } from '../support/images.js'
import type { Api, Who } from '../support/http.js'

let api: Api
beforeEach(async () => { api = await openApi() })
afterEach(async () => { await api.close() })

const FILES = join(import.meta.dirname, '../fixtures/files')

async function json<T = Record<string, unknown>>(response: Response, status = 200): Promise<T> {
  const text = await response.text()
  expect(response.status, text).toBe(status)
  return JSON.parse(text) as T
}

/** Uploads a file of test/fixtures/files, or `bytes` under `name`, as the ISV. */
async function upload(name: string, bytes: Buffer = readFileSync(join(FILES, name))): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([bytes]), name)
  return (await json<{ id: string }>(await api.call('POST', '/v1/attachments', { who: 'isv', body: form }), 201)).id
}

const act = (id: string, who: Who, body: Record<string, unknown>, status = 200) =>
  api.call('POST', `/v1/instances/${id}/act`, { who, json: body }).then((r) => json(r, status))

/** The order details the context requires: placed at the test clock's start (1 January, 08:00 in Beijing). */
const ORDER = { orderId: 'HW-1', productId: 'p-license', specification: '10 seats, 1 month', orderPlacedAt: '2026-01-01T00:00:00Z' }

/** Bought for one month on 1 January: the ISV delivers that day, optionally stating the enabling time. */
async function delivered(enablingTime?: string): Promise<string> {
  const { id } = await json<{ id: string }>(await api.call('POST', '/v1/instances', { who: 'admin', json: {
    process: 'license-supervision', parties: { customer: 'c-1', isv: 'v-1' }, parameters: { purchasedDuration: 'P1M' }, context: ORDER,
  } }), 201)
  const inputs = { deliveryContent: 'License key issued for 10 seats', ...(enablingTime ? { enablingTime } : {}) }
  const view = await act(id, 'isv', { action: 'deliver', inputs, attachments: { 'statement-of-work': [await upload('contract.pdf')], 'acceptance-documents': [await upload('contract.docx')], 'authorization-screenshots': [await upload('logo.png')] } })
  expect(view).toMatchObject({ step: { id: 'customer-acceptance' } })
  return id
}

describe('license service supervision over HTTP', () => {
  it('scenario 1: no enabling time given, accepted on 1 February: valid from 1 February to 1 March', async () => {
    const id = await delivered()
    api.clock.set('2026-02-01T00:00:00Z')
    await act(id, 'customer', { action: 'accept' }, 409) // the acceptance window (P14D) has passed: the ISV may appeal now
    const overdue = await json(await api.call('POST', '/v1/advance', { who: 'system', json: {} }))
    expect(overdue).toMatchObject({ fired: 1 })
    expect(await act(id, 'customer', { action: 'accept' })).toMatchObject({
      status: 'completed', outcome: 'accepted', values: { validFrom: '2026-02-01T00:00:00.000Z', validUntil: '2026-03-01T00:00:00.000Z' },
    })
  })

  it('scenario 1, accepted within the window: the period starts at acceptance', async () => {
    const id = await delivered()
    api.clock.set('2026-01-10T08:30:00Z')
    expect(await act(id, 'customer', { action: 'accept' })).toMatchObject({ values: { validFrom: '2026-01-10T08:30:00.000Z', validUntil: '2026-02-10T08:30:00.000Z' } })
  })

  it('scenario 2: enabling time 1 January given, accepted on 1 February: valid from 1 January to 1 February', async () => {
    const id = await delivered('2026-01-01T00:00:00Z')
    api.clock.set('2026-02-01T00:00:00Z')
    await api.call('POST', '/v1/advance', { who: 'system', json: {} })
    expect(await act(id, 'customer', { action: 'accept' })).toMatchObject({
      outcome: 'accepted', values: { validFrom: '2026-01-01T00:00:00.000Z', validUntil: '2026-02-01T00:00:00.000Z' },
    })
  })

  it('is calendar-aware: a month from 31 January ends on 28 February', async () => {
    api.clock.set('2026-02-01T00:00:00Z') // the proof is uploaded after the enabling time
    const id = await delivered('2026-01-31T12:00:00Z')
    expect(await act(id, 'customer', { action: 'accept' })).toMatchObject({ values: { validFrom: '2026-01-31T12:00:00.000Z', validUntil: '2026-02-28T12:00:00.000Z' } })
  })

  it('skips supervision entirely for a renewal order', async () => {
    const view = await json(await api.call('POST', '/v1/instances', { who: 'admin', json: {
      process: 'license-supervision', parties: { customer: 'c-1', isv: 'v-1' }, parameters: { purchasedDuration: 'P1Y' }, context: { ...ORDER, orderId: 'HW-2', renewal: true },
    } }), 201)
    expect(view).toMatchObject({ status: 'completed', outcome: 'not-supervised' })
    expect(view).not.toHaveProperty('step')
    const history = await json<{ items: Array<{ event: { type: string } }> }>(await api.call('GET', `/v1/instances/${view['id'] as string}/history`, { who: 'isv' }))
    expect(history.items.map((r) => r.event.type)).toEqual(['instance-started', 'step-skipped', 'instance-completed'])
  })

  it('requires the SOW and the acceptance documents', async () => {
    const { id } = await json<{ id: string }>(await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'license-supervision', parties: { customer: 'c-1', isv: 'v-1' }, parameters: { purchasedDuration: 'P1M' }, context: ORDER } }), 201)
    const refused = await act(id, 'isv', { action: 'deliver', inputs: { deliveryContent: 'x' }, attachments: { 'statement-of-work': [await upload('contract.pdf')] } }, 422)
    expect(refused).toMatchObject({ code: 'attachment.count', errors: [{ pointer: '/attachments/acceptance-documents' }] })
  })

  it('takes the proof in any document or image (the source names no format), and refuses what is neither', async () => {
    const start = async (): Promise<string> => (await json<{ id: string }>(await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'license-supervision', parties: { customer: 'c-1', isv: 'v-1' }, parameters: { purchasedDuration: 'P1M' }, context: ORDER } }), 201)).id
    const refusedId = await start()
    for (const [slot, file] of [['acceptance-documents', 'notes.txt'], ['authorization-screenshots', 'contract.pdf'], ['statement-of-work', 'program.exe']] as const) {
      const refused = await act(refusedId, 'isv', { action: 'deliver', inputs: { deliveryContent: 'x' }, attachments: {
        'statement-of-work': [await upload('contract.pdf')], 'acceptance-documents': [await upload('contract.pdf')], [slot]: [await upload(file)],
      } }, 422)
      expect(refused, slot).toMatchObject({ code: 'attachment.type', errors: [{ pointer: `/attachments/${slot}/0` }] })
    }
    const id = await start()
    const view = await act(id, 'isv', { action: 'deliver', inputs: { deliveryContent: 'x' }, attachments: {
      'statement-of-work': [await upload('legacy.xls'), await upload('slides.pptx')],
      'acceptance-documents': [await upload('contract.xlsx'), await upload('scan.tiff', TIFF)],
      'authorization-screenshots': [await upload('a.gif', GIF), await upload('b.webp', WEBP), await upload('c.tiff', TIFF), await upload('photo.jpg')],
      'deployment-screenshots': [await upload('logo.png')],
      'other-proof': [await upload('legacy.ppt'), await upload('archive.7z')],
    } })
    expect(view).toMatchObject({ process: { version: 5 }, step: { id: 'customer-acceptance' } })
  })

  it('appeal, accepted by an administrator on the customer\'s behalf', async () => {
    const id = await delivered()
    await act(id, 'isv', { action: 'appeal', inputs: { reason: 'too early' } }, 409) // not before the window has passed
    await act(id, 'customer', { action: 'allow-appeal' }, 403) // only the system performs it
    await json(await api.call('POST', '/v1/advance', { who: 'admin', json: { by: 'P14D' } }))
    const overdue = await json<{ actions: Array<{ id: string }> }>(await api.call('GET', `/v1/instances/${id}`, { who: 'isv' }))
    expect(overdue.actions.map((a) => a.id)).toEqual(['appeal'])
    await act(id, 'isv', { action: 'accept' }, 403)
    expect(await act(id, 'isv', { action: 'appeal', inputs: { reason: 'The customer cannot be reached' } })).toMatchObject({ step: { id: 'appeal-review', actors: ['admin'] } })
    api.clock.advance('P2D')
    expect(await act(id, 'admin', { action: 'accept-on-behalf' })).toMatchObject({
      outcome: 'accepted', values: { validFrom: '2026-01-17T00:00:00.000Z', validUntil: '2026-02-17T00:00:00.000Z' },
    })
  })

  it('appeal dismissed: the customer may still accept, or an administrator terminates', async () => {
    const id = await delivered()
    await json(await api.call('POST', '/v1/advance', { who: 'admin', json: { by: 'P15D' } }))
    await act(id, 'isv', { action: 'appeal', inputs: { reason: 'No answer' } })
    expect(await act(id, 'admin', { action: 'dismiss', inputs: { reason: 'The customer answered' } })).toMatchObject({ step: { id: 'acceptance-overdue' } })
    expect(await act(id, 'customer', { action: 'accept' })).toMatchObject({ outcome: 'accepted' })

    const other = await delivered()
    await json(await api.call('POST', '/v1/advance', { who: 'admin', json: { by: 'P15D' } }))
    await act(other, 'isv', { action: 'appeal', inputs: { reason: 'No answer' } })
    expect(await json(await api.call('POST', `/v1/instances/${other}/terminate`, { who: 'admin', json: { reason: 'Order refunded after appeal' } }))).toMatchObject({ status: 'terminated' })
  })
})
