import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'

let api: Api
beforeEach(async () => { api = await openApi() })
afterEach(async () => { await api.close() })

const FILES = join(import.meta.dirname, '../fixtures/files')
const MB = 1024 * 1024

async function json<T = Record<string, unknown>>(response: Response, status = 200): Promise<T> {
  const text = await response.text()
  expect(response.status, text).toBe(status)
  return JSON.parse(text) as T
}

/** A real file padded with trailing bytes to `size` (still recognised by its content). */
function padded(name: string, size?: number): Buffer {
  const bytes = readFileSync(join(FILES, name))
  return size === undefined ? bytes : Buffer.concat([bytes, Buffer.alloc(size - bytes.length)])
}

async function upload(bytes: Buffer, name: string): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([bytes]), name)
  return (await json<{ id: string }>(await api.call('POST', '/v1/attachments', { who: 'isv', body: form }), 201)).id
}

const act = (id: string, who: Who, body: Record<string, unknown>, status = 200) =>
  api.call('POST', `/v1/instances/${id}/act`, { who, json: body }).then((r) => json(r, status))

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ')
const LISTING = {
  name: 'Managed WordPress', category: 'Website building', introduction: words(300), highlights: words(1000),
  details: 'One-click WordPress with backups.', afterSalesScope: 'Business days 9:00-18:00, tickets, no extra fee',
}

async function start(): Promise<string> {
  return (await json<{ id: string }>(await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'listing-review', parties: { isv: 'v-1' } } }), 201)).id
}

async function required(): Promise<{ logo: string[]; 'user-guide': string[] }> {
  return { logo: [await upload(padded('logo.png'), 'logo.png')], 'user-guide': [await upload(padded('contract.pdf'), 'guide.pdf')] }
}

describe('marketplace listing review over HTTP', () => {
  it('is listed after category review, self-test and functional review, through both return loops', async () => {
    const id = await start()
    await act(id, 'isv', { action: 'submit', inputs: LISTING, attachments: await required() })
    expect(await act(id, 'admin', { action: 'return', inputs: { reason: 'Wrong category' } })).toMatchObject({ step: { id: 'submit-listing', round: 2 } })
    await act(id, 'isv', { action: 'submit', inputs: { ...LISTING, category: 'Developer tools' }, attachments: await required() })
    expect(await act(id, 'admin', { action: 'approve' })).toMatchObject({ step: { id: 'self-test' } })
    await act(id, 'isv', { action: 'complete', inputs: { specificationsBound: false } }, 422)
    await act(id, 'isv', { action: 'complete', inputs: { specificationsBound: true, licenseIntegrationTested: true } })
    await act(id, 'isv', { action: 'submit' })
    expect(await act(id, 'admin', { action: 'return', inputs: { reason: 'Deployment fails in one region' } })).toMatchObject({ step: { id: 'self-test', round: 2 } })
    await act(id, 'isv', { action: 'complete', inputs: { specificationsBound: true } })
    await act(id, 'isv', { action: 'submit' })
    expect(await act(id, 'admin', { action: 'approve' })).toMatchObject({ status: 'completed', outcome: 'listed' })
    await act(id, 'isv', { action: 'approve' }, 409)
  })

  it('refuses the ISV acting in a review step, and an admin submitting the listing', async () => {
    const id = await start()
    await act(id, 'admin', { action: 'submit', inputs: LISTING, attachments: await required() }, 403)
    await act(id, 'isv', { action: 'submit', inputs: LISTING, attachments: await required() })
    await act(id, 'isv', { action: 'approve' }, 403)
  })

  it('applies every word limit: at the limit accepted, one word over refused with a precise message', async () => {
    const id = await start()
    const over = await act(id, 'isv', { action: 'submit', inputs: { ...LISTING, introduction: words(301), highlights: words(1001) }, attachments: await required() }, 422)
    expect(over['errors']).toEqual([
      { pointer: '/inputs/introduction', rule: 'maxWords', message: 'must not have more than 300 words (it has 301)' },
      { pointer: '/inputs/highlights', rule: 'maxWords', message: 'must not have more than 1000 words (it has 1001)' },
    ])
    await act(id, 'isv', { action: 'submit', inputs: LISTING, attachments: await required() })
  })

  it('applies every file rule: PNG logo up to 7.5 MB, PDF guide up to 10 MB, six qualification images up to 2 MB', { timeout: 60_000 }, async () => {
    const id = await start()
    const submit = async (attachments: Record<string, string[]>, status = 200) =>
      act(id, 'isv', { action: 'submit', inputs: LISTING, attachments: { ...(await required()), ...attachments } }, status)
    const logo75 = 7.5 * MB
    expect(await submit({ logo: [await upload(padded('logo.png', logo75 + 1), 'logo.png')] }, 422)).toMatchObject({ code: 'attachment.size', errors: [{ pointer: '/attachments/logo/0' }] })
    expect(await submit({ logo: [await upload(padded('photo.jpg'), 'logo.png')] }, 422)).toMatchObject({ code: 'attachment.type' })
    expect(await submit({ 'user-guide': [await upload(padded('contract.pdf', 10 * MB + 1), 'guide.pdf')] }, 422)).toMatchObject({ code: 'attachment.size' })
    expect(await submit({ 'user-guide': [await upload(padded('contract.docx'), 'guide.pdf')] }, 422)).toMatchObject({ code: 'attachment.type' })
    const images = async (n: number, size?: number) => Promise.all(Array.from({ length: n }, () => upload(padded('logo.png', size), 'q.png')))
    expect(await submit({ qualifications: await images(7) }, 422)).toMatchObject({ code: 'attachment.count', errors: [{ pointer: '/attachments/qualifications' }] })
    expect(await submit({ qualifications: [await upload(padded('logo.png', 2 * MB + 1), 'q.png')] }, 422)).toMatchObject({ code: 'attachment.size' })
    const atLimits = {
      logo: [await upload(padded('logo.png', logo75), 'logo.png')],
      'user-guide': [await upload(padded('contract.pdf', 10 * MB), 'guide.pdf')],
      qualifications: await images(6, 2 * MB),
    }
    expect(await submit(atLimits)).toMatchObject({ step: { id: 'category-review' } })
  })
})
