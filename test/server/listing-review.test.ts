import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR, compileProcess, PARTY_STARTS_PER_HOUR } from '../../engine/index.js'
import type { JsonSchema } from '../../engine/index.js'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'
import { GIF, TIFF } from '../support/images.js'
import { pngFile } from '../support/png.js'

// The Compute Nest listing (listing-review v2) over HTTP, against every rule of its source
// (../shared/seeds/003): each configuration item at exactly its limit accepted, each over its
// limit refused with the field's pointer (the cases generated from the process's own schema), the
// logo's transparent background read from its pixels, the ISV starting its own listing, one
// listing per Compute Nest service ID (also when two race), and the CheckOutLicense self-test rule.

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

/** A PNG of `width` x `height` made with pngjs: a red square in the middle, its background transparent or white. */
function logoPng(background: 'transparent' | 'white', width = 290, height = 290): Buffer {
  const png = new PNG({ width, height })
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4
      const inside = x > width / 4 && x < (3 * width) / 4 && y > height / 4 && y < (3 * height) / 4
      const [r, g, b, a] = inside ? [220, 30, 30, 255] : background === 'white' ? [255, 255, 255, 255] : [0, 0, 0, 0]
      png.data[i] = r
      png.data[i + 1] = g
      png.data[i + 2] = b
      png.data[i + 3] = a
    }
  }
  return PNG.sync.write(png)
}

/** `bytes` padded with trailing zeros to `size` (still recognised, and decoded, by its content). */
const pad = (bytes: Buffer, size: number): Buffer => Buffer.concat([bytes, Buffer.alloc(size - bytes.length)])
const fixture = (name: string): Buffer => readFileSync(join(FILES, name))
/** The smallest MP4 file-type recognises: an `ftyp` box of brand isom. */
const VIDEO = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\x02\0isomiso2', 'latin1'), Buffer.alloc(64)])

async function upload(bytes: Buffer, name: string, who: Who = 'isv'): Promise<string> {
  const form = new FormData()
  form.append('file', new Blob([bytes]), name)
  return (await json<{ id: string }>(await api.call('POST', '/v1/attachments', { who, body: form }), 201)).id
}

const act = (id: string, who: Who, body: Record<string, unknown>, status = 200) =>
  api.call('POST', `/v1/instances/${id}/act`, { who, json: body }).then((r) => json(r, status))

async function start(who: Who = 'isv', parties: Record<string, string> = {}, status = 201): Promise<Record<string, unknown> & { id: string }> {
  return json(await api.call('POST', '/v1/instances', { who, json: { process: 'listing-review', parties } }), status)
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ')

/** A listing with every configuration item given (optional ones included), each well within its rules. */
function listing(serviceId = 'service-0e6fca6a51a54420b8b1'): Record<string, unknown> {
  return {
    access: {
      accessType: 'SaaS', productName: 'Managed WordPress', accelerationProgramId: `plan-${serviceId}`, activationMethod: 'compute-nest-deployment',
      serviceType: 'private', serviceId, serviceProcessTemplate: { visibility: 'public', templateId: 'tpl-1' }, integratesLicenseCheck: true,
    },
    basic: {
      introduction: 'One-click WordPress.', highlights: 'Backups, scaling.', details: 'WordPress with backups.', versionFeatures: 'Basic and Pro.',
      liveStreamId: 'live-1', useCases: 'A shop in a day.',
      afterSalesScope: { serviceScope: 'Deployment', timeRange: 'Weekdays 9:00-18:00', businessScope: 'Tickets', feeRange: 'Included' },
    },
    business: { supportsServiceRegions: true, category: 'Website building', customTags: ['cms'], seo: { keywords: ['wordpress'], description: 'WordPress on Compute Nest' } },
    sales: {
      salesModel: 'pay-per-use', enterpriseOnly: false, specificationName: 'Standard', price: 99.5, validityPeriod: 'P1Y',
      billingItems: [
        { type: 'Quantity', name: 'Accounts', parameter: 'AccountCount', pricing: { method: 'tiered', tiers: [{ minQuantity: 1, price: 10 }, { minQuantity: 10, price: 8 }] },
          minimumOrder: { quantity: 5, newPurchasePrice: 10, renewalPrice: 9 } },
        { type: 'Quantity', name: 'Seats', parameter: 'SeatCount', pricing: { method: 'fixed', unitPrice: 3 } },
        { type: 'Enumeration', name: 'Edition', parameter: 'Edition', values: [{ value: 'basic', price: 0 }, { value: 'pro', price: 50 }] },
      ],
    },
    agreement: { productAgreement: { template: 'marketplace-template', text: 'Terms.' }, technicalFiling: 'Filing 123' },
  }
}

/** The files every submission needs: a transparent PNG logo and a PDF user guide. */
async function required(who: Who = 'isv'): Promise<Record<string, string[]>> {
  return { logo: [await upload(logoPng('transparent'), 'logo.png', who)], 'user-guide': [await upload(fixture('contract.pdf'), 'guide.pdf', who)] }
}

const SELF_TEST = { specificationsBound: true, binding: { specification: 'Standard', templatePackage: 'pkg-1' }, licenseIntegrationTested: true }

/** The `inputs` schema of the listing's submit action, as the engine compiled it. */
function submitSchema(): JsonSchema {
  const compiled = compileProcess(readFileSync(join(BUILT_IN_PROCESS_DIR, 'listing-review.yaml'), 'utf8'), 'listing-review.yaml')
  if (!compiled.ok) throw new Error(compiled.errors.map(String).join('\n'))
  const schema = compiled.process.steps.get('submit-listing')?.actions.get('submit')?.inputs.schema
  if (!schema) throw new Error('listing-review has no submit action')
  return schema
}

/** One bounded leaf or list of the listing: where it is, its value at the limit and each value past a limit, with the rule that refuses it. */
interface Limit {
  readonly pointer: string
  readonly atLimit: unknown
  readonly over: ReadonlyArray<{ readonly value: unknown; readonly rule: string }>
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Every limit of the schema that the sample `value` reaches, walking both together (so only the
 * branch of an if/then the sample takes): strings (maxLength, maxWords), numbers (minimum,
 * maximum), lists (maxItems), and each enum (a value not offered).
 */
function limitsOf(schema: unknown, value: unknown, pointer = ''): Limit[] {
  if (!isObject(schema)) return []
  const found: Limit[] = []
  const properties = schema['properties']
  if (isObject(properties) && isObject(value)) {
    for (const [name, child] of Object.entries(properties)) {
      if (name in value) found.push(...limitsOf(child, value[name], `${pointer}/${name}`))
    }
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => found.push(...limitsOf(schema['items'], item, `${pointer}/${i}`)))
    const max = schema['maxItems']
    if (typeof max === 'number') {
      const fill = (n: number) => Array.from({ length: n }, (_, i) => distinct(value[i % value.length], i))
      found.push({ pointer, atLimit: fill(max), over: [{ value: fill(max + 1), rule: 'maxItems' }] })
    }
  }
  if (typeof value === 'string') {
    const maxLength = schema['maxLength']
    const maxWords = schema['maxWords']
    if (typeof maxLength === 'number') found.push({ pointer, atLimit: 'x'.repeat(maxLength), over: [{ value: 'x'.repeat(maxLength + 1), rule: 'maxLength' }] })
    if (typeof maxWords === 'number') found.push({ pointer, atLimit: words(maxWords), over: [{ value: words(maxWords + 1), rule: 'maxWords' }] })
  }
  if (typeof value === 'number') {
    const { minimum, maximum } = schema
    if (typeof maximum === 'number') {
      found.push({ pointer, atLimit: maximum, over: [{ value: maximum + 1, rule: 'maximum' }, ...(typeof minimum === 'number' ? [{ value: minimum - 1, rule: 'minimum' }] : [])] })
    }
  }
  if (Array.isArray(schema['enum'])) found.push({ pointer, atLimit: value, over: [{ value: 'not-offered', rule: 'enum' }] })
  return found
}

/** The `i`-th copy of a list's item, made distinct where the list wants unique items. */
function distinct(item: unknown, i: number): unknown {
  return typeof item === 'string' ? `${item.slice(0, 40)}${i}` : item
}

function setAt(target: Record<string, unknown>, pointer: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(target)
  const path = pointer.split('/').slice(1)
  const last = path.pop()
  let node: unknown = copy
  for (const segment of path) node = (node as Record<string, unknown>)[segment]
  if (last === undefined || typeof node !== 'object' || node === null) throw new Error(`No place ${pointer}`)
  ;(node as Record<string, unknown>)[last] = value
  return copy
}

describe('listing-review v2 over HTTP: the configuration items and their limits', () => {
  const limits = limitsOf(submitSchema(), listing())

  it('reaches every group and every kind of limit of the source', () => {
    const pointers = limits.map((l) => l.pointer)
    for (const pointer of ['/access/productName', '/access/serviceType', '/basic/introduction', '/basic/highlights', '/basic/afterSalesScope/feeRange',
      '/business/customTags', '/business/seo/keywords', '/sales/price', '/sales/billingItems', '/sales/billingItems/0/pricing/tiers/1/price',
      '/sales/billingItems/0/minimumOrder/renewalPrice', '/sales/billingItems/2/values/1/price', '/agreement/technicalFiling']) {
      expect(pointers).toContain(pointer)
    }
    expect(limits.length).toBeGreaterThan(50)
  })

  it('accepts a listing with every item at exactly its limit, and every slot at its count', async () => {
    // Lists are set first, then the leaves inside their first items: deepest last, so no leaf is replaced by its list's copies.
    const atLimit = [...limits].sort((a, b) => a.pointer.split('/').length - b.pointer.split('/').length)
      .reduce((value, limit) => setAt(value, limit.pointer, limit.atLimit), listing())
    const { id } = await start()
    const images = (n: number) => Promise.all(Array.from({ length: n }, () => upload(fixture('photo.jpg'), 'shot.jpg')))
    const view = await act(id, 'isv', {
      action: 'submit', inputs: atLimit,
      attachments: { ...(await required()), qualifications: await images(6), screenshots: await images(10), 'version-screenshots': await images(10), 'short-video': [await upload(VIDEO, 'intro.mp4')] },
    })
    expect(view).toMatchObject({ step: { id: 'category-review' } })
  })

  it('refuses each item one past its limit, naming the field and the rule', async () => {
    const { id } = await start()
    const refusals: string[] = []
    for (const { pointer, over } of limits) {
      for (const { value, rule } of over) {
        const body = await act(id, 'isv', { action: 'submit', inputs: setAt(listing(), pointer, value), attachments: {} }, 422)
        const errors = body['errors'] as Array<{ pointer: string; rule: string }>
        expect(errors.map((e) => `${e.pointer} ${e.rule}`), `${pointer} ${rule}`).toEqual([`/inputs${pointer} ${rule}`])
        refusals.push(`${pointer} ${rule}`)
      }
    }
    expect(refusals.length).toBeGreaterThan(60)
    expect((await json(await api.call('GET', `/v1/instances/${id}`, { who: 'isv' })))['revision']).toBe(1)
  })

  it('requires every item the source does not call optional, and leaves the optional ones out', async () => {
    const { id } = await start()
    const required_ = { access: ['accessType', 'productName', 'activationMethod', 'serviceType', 'serviceId'], basic: ['introduction', 'highlights', 'details', 'afterSalesScope'],
      business: ['category', 'seo'], sales: ['salesModel', 'enterpriseOnly', 'specificationName', 'price', 'validityPeriod'], agreement: ['productAgreement', 'technicalFiling'] }
    const empty = { access: {}, basic: {}, business: {}, sales: {}, agreement: {} }
    const body = await act(id, 'isv', { action: 'submit', inputs: empty, attachments: {} }, 422)
    expect((body['errors'] as Array<{ pointer: string; rule: string }>).map((e) => `${e.pointer} ${e.rule}`).sort())
      .toEqual(Object.entries(required_).flatMap(([group, names]) => names.map((n) => `/inputs/${group}/${n} required`)).sort())
    const full = listing()
    const minimal = {
      access: { ...(full['access'] as object), accelerationProgramId: undefined, serviceProcessTemplate: undefined, integratesLicenseCheck: undefined },
      basic: { introduction: 'Intro.', highlights: 'Fast.', details: 'Pages.', afterSalesScope: (full['basic'] as Record<string, unknown>)['afterSalesScope'] },
      business: { category: 'Web', seo: { keywords: ['web'], description: 'Web' } },
      sales: { salesModel: 'pay-per-use', enterpriseOnly: true, specificationName: 'Standard', price: 0, validityPeriod: 'P30D' },
      agreement: full['agreement'],
    }
    expect(await act(id, 'isv', { action: 'submit', inputs: JSON.parse(JSON.stringify(minimal)) as unknown, attachments: await required() })).toMatchObject({ step: { id: 'category-review' } })
  })

  it('offers only the source\'s choices, and the billing items\' structure by type and pricing method', async () => {
    const { id } = await start()
    const refused = async (pointer: string, value: unknown) => {
      const body = await act(id, 'isv', { action: 'submit', inputs: setAt(listing(), pointer, value), attachments: {} }, 422)
      return (body['errors'] as Array<{ pointer: string; rule: string }>).map((e) => `${e.pointer} ${e.rule}`)
    }
    expect(await refused('/sales/validityPeriod', 'P0D')).toEqual(['/inputs/sales/validityPeriod pattern'])
    expect(await refused('/sales/billingItems/1/pricing', { method: 'fixed' })).toEqual(['/inputs/sales/billingItems/1/pricing/unitPrice required'])
    expect(await refused('/sales/billingItems/0/pricing', { method: 'tiered', unitPrice: 3 })).toEqual([
      '/inputs/sales/billingItems/0/pricing/tiers required', '/inputs/sales/billingItems/0/pricing/unitPrice additionalProperties'])
    expect(await refused('/sales/billingItems/0/minimumOrder', { quantity: 5 })).toEqual([
      '/inputs/sales/billingItems/0/minimumOrder/newPurchasePrice required', '/inputs/sales/billingItems/0/minimumOrder/renewalPrice required'])
    expect(await refused('/sales/billingItems/2', { type: 'Enumeration', name: 'Edition', parameter: 'Edition', pricing: { method: 'fixed', unitPrice: 1 } })).toEqual([
      '/inputs/sales/billingItems/2/values required', '/inputs/sales/billingItems/2/pricing additionalProperties'])
    expect(await refused('/sales/billingItems/1/parameter', 'account-count')).toEqual(['/inputs/sales/billingItems/1/parameter pattern'])
    expect(await refused('/sales/billingItems/0/pricing/tiers/1/price', -1)).toEqual(['/inputs/sales/billingItems/0/pricing/tiers/1/price minimum'])
  })
})

describe('listing-review v2 over HTTP: the logo and the other files', () => {
  it('refuses an opaque logo, precisely and changing nothing, and accepts a transparent one of up to 7.5 MB', { timeout: 30_000 }, async () => {
    const { id } = await start()
    // The upload answers what the pixels say.
    const form = new FormData()
    form.append('file', new Blob([logoPng('white', 290, 200)]), 'logo.png')
    expect(await json(await api.call('POST', '/v1/attachments', { who: 'isv', body: form }), 201)).toMatchObject({ type: 'png', image: { width: 290, height: 200, transparentBackground: false } })
    const submit = async (logo: Buffer, status = 200) => act(id, 'isv', {
      action: 'submit', inputs: listing(), attachments: { ...(await required()), logo: [await upload(logo, 'logo.png')] },
    }, status)
    for (const opaque of [logoPng('white'), fixture('logo.png')]) {
      expect(await submit(opaque, 422)).toMatchObject({
        code: 'attachment.image',
        errors: [{ pointer: '/attachments/logo/0', rule: 'transparentBackground', message: expect.stringMatching(/background is not transparent.*accepts only a PNG with a transparent background/) }],
      })
    }
    // A PNG whose pixels cannot be read (its image data cut off) cannot show a transparent background.
    const cut = logoPng('transparent')
    expect(await submit(Buffer.concat([cut.subarray(0, 60), Buffer.alloc(200)]), 422)).toMatchObject({ code: 'attachment.image', errors: [{ message: expect.stringMatching(/could not be read/) }] })
    const instance = await json(await api.call('GET', `/v1/instances/${id}`, { who: 'isv' }))
    expect(instance).toMatchObject({ revision: 1, step: { id: 'submit-listing' } })
    expect(await submit(pad(logoPng('transparent'), 7.5 * MB + 1), 422)).toMatchObject({ code: 'attachment.size' })
    // At the limit of 7.5 MB, a transparent logo of 4,000 x 4,000 pixels: the source recommends 290 x 290 and sets no largest size.
    const large = pngFile({ width: 4_000, height: 4_000, colorType: 6, bitDepth: 8 }, Buffer.alloc(4_000 * (1 + 4_000 * 4)))
    expect(await submit(pad(large, 7.5 * MB))).toMatchObject({ step: { id: 'category-review' } })
  })

  it('applies the other file rules: PDF guide up to 10 MB, six qualification images (PNG, JPEG, GIF, WebP or BMP) up to 2 MB, one short video', { timeout: 60_000 }, async () => {
    const { id } = await start()
    const submit = async (attachments: Record<string, string[]>, status = 200) =>
      act(id, 'isv', { action: 'submit', inputs: listing(), attachments: { ...(await required()), ...attachments } }, status)
    expect(await submit({ 'user-guide': [await upload(pad(fixture('contract.pdf'), 10 * MB + 1), 'guide.pdf')] }, 422)).toMatchObject({ code: 'attachment.size' })
    expect(await submit({ 'user-guide': [await upload(fixture('contract.docx'), 'guide.pdf')] }, 422)).toMatchObject({ code: 'attachment.type' })
    const images = async (n: number, size?: number) => Promise.all(Array.from({ length: n }, () => upload(size ? pad(fixture('photo.jpg'), size) : fixture('photo.jpg'), 'q.jpg')))
    expect(await submit({ qualifications: await images(7) }, 422)).toMatchObject({ code: 'attachment.count', errors: [{ pointer: '/attachments/qualifications' }] })
    expect(await submit({ qualifications: await images(1, 2 * MB + 1) }, 422)).toMatchObject({ code: 'attachment.size' })
    expect(await submit({ 'short-video': [await upload(fixture('photo.jpg'), 'v.mp4')] }, 422)).toMatchObject({ code: 'attachment.type', errors: [{ pointer: '/attachments/short-video/0' }] })
    expect(await submit({ qualifications: [await upload(fixture('contract.pdf'), 'q.png')] }, 422)).toMatchObject({ code: 'attachment.type', errors: [{ pointer: '/attachments/qualifications/0' }] })
    // "Images", in any of the image types the Delivery Center knows: a GIF and a TIFF among them.
    expect(await submit({
      'user-guide': [await upload(pad(fixture('contract.pdf'), 10 * MB), 'guide.pdf')], qualifications: [...await images(4, 2 * MB), await upload(GIF, 'q.gif'), await upload(TIFF, 'q.tif')], 'short-video': [await upload(VIDEO, 'v.mp4')],
    })).toMatchObject({ step: { id: 'category-review' } })
  })
})

describe('listing-review v2 over HTTP: who starts it and who acts', () => {
  it('lets an ISV start its own listing, refuses it another\'s, and keeps other ISVs out', async () => {
    const own = await start('isv')
    expect(own).toMatchObject({ parties: { isv: 'v-1' }, step: { id: 'submit-listing' } })
    expect(await start('isv', { isv: 'v-1' })).toMatchObject({ parties: { isv: 'v-1' } })
    expect(await start('isv', { isv: 'v-9' }, 403)).toMatchObject({ code: 'auth.forbidden', detail: expect.stringContaining('/parties/isv must be "v-1"') })
    expect(await start('customer', {}, 403)).toMatchObject({ code: 'auth.forbidden', detail: expect.stringContaining('Only admin or system or isv may start') })
    // Other processes are still started by administrators and the system only.
    expect(await json(await api.call('POST', '/v1/instances', { who: 'isv', json: { process: 'basic', parties: { customer: 'c-1' } } }), 403)).toMatchObject({ code: 'auth.forbidden' })
    await act(own.id, 'strangerIsv', { action: 'submit', inputs: listing(), attachments: await required('strangerIsv') }, 404)
    await act(own.id, 'isv', { action: 'submit', inputs: listing(), attachments: await required() })
    await act(own.id, 'strangerIsv', { action: 'approve' }, 404)
    await act(own.id, 'isv', { action: 'approve' }, 403)
    const mine = await json<{ items: Array<{ id: string }> }>(await api.call('GET', '/v1/instances?process=listing-review', { who: 'strangerIsv' }))
    expect(mine.items).toEqual([])
    // An administrator still starts a listing for an ISV.
    expect(await json(await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'listing-review', parties: { isv: 'v-9' } } }), 201)).toMatchObject({ parties: { isv: 'v-9' } })
  })

  it('lets only the marketplace choose a delivery\'s id (an ISV neither learns that another\'s id is taken nor takes an id first), and bounds the context of a start', async () => {
    const others = await json<{ id: string }>(await api.call('POST', '/v1/instances', { who: 'admin', json: { id: 'order-5001', process: 'listing-review', parties: { isv: 'v-9' } } }), 201)
    expect(others.id).toBe('order-5001')
    const count = async (): Promise<number> => (await json<{ items: unknown[] }>(await api.call('GET', '/v1/instances?process=listing-review&limit=500', { who: 'admin' }))).items.length
    const before = await count()
    // The same answer for an id taken by a delivery the ISV may not see and for a free one, with or without valid parties.
    for (const [id, parties] of [['order-5001', {}], ['order-5002', {}], ['order-5001', { bogus: 'x' }], ['order-5002', { bogus: 'x' }]] as const) {
      expect(await json(await api.call('POST', '/v1/instances', { who: 'isv', json: { id, process: 'listing-review', parties } }), 403)).toMatchObject({
        code: 'auth.forbidden', errors: [{ pointer: '/id', message: "must be left out: only admin or system choose a delivery's id" }],
      })
    }
    expect(await count()).toBe(before)
    // Nor does a party's start carry more than 64 KiB of context (every event of the delivery repeats it).
    const context = (kib: number) => ({ notes: 'x'.repeat(kib * 1024 - '{"notes":""}'.length) })
    expect(await json(await api.call('POST', '/v1/instances', { who: 'isv', json: { process: 'listing-review', parties: {}, context: context(64 + 1) } }), 422)).toMatchObject({
      code: 'input.invalid', errors: [{ pointer: '/context', rule: 'maxBytes', message: 'must be at most 64 KiB as JSON (it is 65 KiB)' }],
    })
    expect(await count()).toBe(before)
    expect(await json(await api.call('POST', '/v1/instances', { who: 'isv', json: { process: 'listing-review', parties: {}, context: context(64) } }), 201)).toMatchObject({ parties: { isv: 'v-1' } })
    // A party's starts are bounded (start.quota); a refusal for now is not kept under an Idempotency-Key.
    const startAs = (headers: Record<string, string> = {}) => api.call('POST', '/v1/instances', { who: 'strangerIsv', json: { process: 'listing-review', parties: {} }, headers })
    let started = 0
    while ((await startAs()).status === 201 && started <= PARTY_STARTS_PER_HOUR) started++
    // Those of the tests above count too.
    expect(started).toBeGreaterThan(PARTY_STARTS_PER_HOUR - 10)
    expect(started).toBeLessThanOrEqual(PARTY_STARTS_PER_HOUR)
    const key = { 'Idempotency-Key': 'listing-after-the-hour' }
    expect(await json(await startAs(key), 429)).toMatchObject({ code: 'start.quota' })
    api.clock.advance('PT1H')
    expect((await startAs(key)).status).toBe(201)
    // The system (the marketplace's integration) chooses ids, as the administrator does.
    expect(await json(await api.call('POST', '/v1/instances', { who: 'system', json: { id: 'order-5002', process: 'listing-review', parties: { isv: 'v-1' } } }), 201)).toMatchObject({ id: 'order-5002' })
  })

  it('is listed after category review, self-test and functional review, through both return loops', async () => {
    const { id } = await start()
    await act(id, 'isv', { action: 'submit', inputs: listing(), attachments: await required() })
    expect(await act(id, 'admin', { action: 'return', inputs: { reason: 'Wrong category' } })).toMatchObject({ step: { id: 'submit-listing', round: 2 } })
    await act(id, 'isv', { action: 'submit', inputs: setAt(listing(), '/business/category', 'Developer tools'), attachments: await required() })
    expect(await act(id, 'admin', { action: 'approve' })).toMatchObject({ step: { id: 'self-test' } })
    await act(id, 'isv', { action: 'complete', inputs: { ...SELF_TEST, specificationsBound: false } }, 422)
    await act(id, 'isv', { action: 'complete', inputs: SELF_TEST })
    await act(id, 'isv', { action: 'submit' })
    expect(await act(id, 'admin', { action: 'return', inputs: { reason: 'Deployment fails in one region' } })).toMatchObject({ step: { id: 'self-test', round: 2 } })
    await act(id, 'isv', { action: 'complete', inputs: SELF_TEST })
    await act(id, 'isv', { action: 'submit' })
    // Not listed before the approval; listed from its instant on, without end.
    const before = await json<Record<string, unknown>>(await api.call('GET', `/v1/instances/${id}/validity`, { who: 'isv' }))
    expect(before).toMatchObject({ valid: false, reason: 'pending' })
    expect(await act(id, 'admin', { action: 'approve' })).toMatchObject({ status: 'completed', outcome: 'listed' })
    await act(id, 'isv', { action: 'approve' }, 409)
    const listedAt = api.clock.now().toString()
    api.clock.advance('P3650D')
    const validity = await json<Record<string, unknown>>(await api.call('GET', `/v1/instances/${id}/validity`, { who: 'system' }))
    expect(validity).toMatchObject({ valid: true, detail: expect.stringContaining('without end') as unknown })
    expect([validity['until'], validity['remaining']]).toEqual([undefined, undefined])
    expect(Date.parse(String(validity['from']))).toBe(Date.parse(listedAt))
  })
})

describe('listing-review v2 over HTTP: the self-test', () => {
  async function atSelfTest(integrates: boolean | undefined): Promise<string> {
    const { id } = await start()
    const inputs = setAt(listing(`service-${String(integrates)}`), '/access/integratesLicenseCheck', integrates)
    await act(id, 'isv', { action: 'submit', inputs: JSON.parse(JSON.stringify(inputs)) as unknown, attachments: await required() })
    await act(id, 'admin', { action: 'approve' })
    return id
  }

  it('requires the CheckOutLicense integration tested when the product integrates it, and only then', async () => {
    const integrated = await atSelfTest(true)
    for (const tested of [undefined, false]) {
      const body = await act(integrated, 'isv', { action: 'complete', inputs: { ...SELF_TEST, licenseIntegrationTested: tested } }, 422)
      expect(body).toMatchObject({
        code: 'input.invalid',
        errors: [{ pointer: '/inputs/licenseIntegrationTested', rule: 'require', message: 'must be true: the product integrates CheckOutLicense, so its integration must be tested' }],
      })
    }
    expect(await act(integrated, 'isv', { action: 'complete', inputs: SELF_TEST })).toMatchObject({ step: { id: 'submit-functional-review' } })
    for (const integrates of [false, undefined]) {
      const plain = await atSelfTest(integrates)
      const { licenseIntegrationTested: _, ...untested } = SELF_TEST
      expect(await act(plain, 'isv', { action: 'complete', inputs: untested })).toMatchObject({ step: { id: 'submit-functional-review' } })
    }
  })

  it('requires the bound specification to be the listing\'s', async () => {
    const id = await atSelfTest(false)
    const body = await act(id, 'isv', { action: 'complete', inputs: { ...SELF_TEST, binding: { specification: 'Premium', templatePackage: 'pkg-1' } } }, 422)
    expect(body).toMatchObject({ errors: [{ pointer: '/inputs/binding/specification', rule: 'require', message: 'must be the specification name of the listing\'s sales information' }] })
  })
})

describe('listing-review v2 over HTTP: one listing per Compute Nest service ID', () => {
  const submit = async (id: string, serviceId: string, status = 200) =>
    act(id, 'isv', { action: 'submit', inputs: listing(serviceId), attachments: await required() }, status)

  it('refuses a second listing of a service ID in progress, frees it on termination, and keeps it bound once listed', async () => {
    const first = await start()
    const second = await start()
    await submit(first.id, 'service-a')
    const taken = await submit(second.id, 'service-a', 409)
    expect(taken).toMatchObject({ code: 'unique.taken', detail: expect.stringContaining('Compute Nest service ID "service-a" is already held by another delivery of process "listing-review"') })
    expect(await json(await api.call('GET', `/v1/instances/${second.id}`, { who: 'isv' }))).toMatchObject({ revision: 1, step: { id: 'submit-listing' } })
    // Returned for modification, the first listing is resubmitted with another service ID: the first one is free.
    await act(first.id, 'admin', { action: 'return', inputs: { reason: 'Wrong service' } })
    await submit(first.id, 'service-b')
    await submit(second.id, 'service-a')
    await submit((await start()).id, 'service-b', 409)
    // Terminated: its service ID is free again.
    await json(await api.call('POST', `/v1/instances/${first.id}/terminate`, { who: 'admin', json: { reason: 'Withdrawn by the ISV' } }))
    const third = await start()
    await submit(third.id, 'service-b')
    // Listed: the product stays bound to its service ID.
    await act(third.id, 'admin', { action: 'approve' })
    await act(third.id, 'isv', { action: 'complete', inputs: SELF_TEST })
    await act(third.id, 'isv', { action: 'submit' })
    expect(await act(third.id, 'admin', { action: 'approve' })).toMatchObject({ outcome: 'listed' })
    expect(await submit((await start()).id, 'service-b', 409)).toMatchObject({ code: 'unique.taken' })
  })

  it('lets exactly one of two listings racing for one service ID have it', async () => {
    for (let round = 0; round < 3; round++) {
      const racers = await Promise.all([start(), start(), start()])
      const files = await Promise.all(racers.map(() => required()))
      const answers = await Promise.all(racers.map(({ id }, i) =>
        api.call('POST', `/v1/instances/${id}/act`, { who: 'isv', json: { action: 'submit', inputs: listing(`service-race-${round}`), attachments: files[i] } })))
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409])
    }
  })
})
