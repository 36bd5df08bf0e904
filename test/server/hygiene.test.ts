import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { serve } from '@hono/node-server'
import type { ServerType } from '@hono/node-server'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { INSTANT_RULE } from '../../engine/index.js'
import { snapshot } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api } from '../support/http.js'
import { expectProblem as problem } from '../support/problem.js'

let api: Api
beforeEach(async () => { api = await openApi({ uploadBytes: 1024 * 1024 }) })
afterEach(async () => { await api.close() })

describe('request hygiene', () => {
  it('malformed JSON: 400 with the parser\'s explanation', async () => {
    const body = await problem(await api.call('POST', '/v1/instances', { who: 'admin', body: '{"process": "basic",', headers: { 'Content-Type': 'application/json' } }), 400, 'request.malformed')
    expect(body['detail']).toMatch(/not valid JSON/)
  })

  it('JSON in another charset than UTF-8: 415 naming it; UTF-8 said in any spelling is read', async () => {
    const json = JSON.stringify({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } })
    const before = await snapshot(api.database)
    const utf16 = Buffer.from(`\ufeff${json}`, 'utf16le')
    for (const type of ['application/json; charset=utf-16', 'application/json;charset="UTF-16LE"', 'application/json; charset=latin1']) {
      const body = await problem(await api.call('POST', '/v1/instances', { who: 'admin', body: utf16, headers: { 'Content-Type': type } }), 415, 'request.unsupported-media-type')
      expect(body['detail'], type).toMatch(/^Send JSON in UTF-8 \(got charset=[\w-]+\)\.$/)
    }
    expect(await snapshot(api.database)).toEqual(before)
    for (const type of ['application/json; charset=UTF-8', 'application/json;charset="utf8"']) {
      expect((await api.call('POST', '/v1/instances', { who: 'admin', body: json, headers: { 'Content-Type': type } })).status, type).toBe(201)
    }
  })

  it('unknown top-level fields: 422 naming each', async () => {
    const body = await problem(await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: {}, colour: 'red' } }), 422, 'request.invalid')
    expect(body['errors']).toEqual([{ pointer: '/colour', rule: 'additionalProperties', message: 'is not an accepted field' }])
  })

  it('a body over the limit: 413, and nothing stored', async () => {
    const before = await snapshot(api.database)
    await problem(await api.call('POST', '/v1/instances', { who: 'admin', body: JSON.stringify({ process: 'basic', parties: {}, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1', pad: 'x'.repeat(1024 * 1024 + 10) } }), headers: { 'Content-Type': 'application/json' } }), 413, 'request.too-large')
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('an upload over the limit: 413, and no file kept', async () => {
    const before = await snapshot(api.database)
    await problem(await api.call('POST', '/v1/attachments?filename=big.bin', { who: 'customer', body: new Uint8Array(1024 * 1024 + 1) }), 413, 'attachment.too-large')
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('a delivery\'s advance refuses to move the clock, which moves for every delivery at POST /v1/advance', async () => {
    const started = await api.call('POST', '/v1/instances', { who: 'admin', json: { process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } } })
    const { id } = (await started.json()) as { id: string }
    const clock = api.clock.now().toString()
    for (const [json, pointer] of [[{ by: 'P14D' }, '/by'], [{ to: '2026-03-01T00:00:00Z' }, '/to']] as const) {
      const body = await problem(await api.call('POST', `/v1/instances/${id}/advance`, { who: 'admin', json }), 422, 'request.invalid')
      expect(body['errors']).toEqual([{ pointer, rule: 'not', message: 'is not accepted here: move the clock with POST /v1/advance, then advance the delivery' }])
    }
    expect(api.clock.now().toString()).toBe(clock)
    expect((await api.call('POST', `/v1/instances/${id}/advance`, { who: 'admin', json: {} })).status).toBe(200)
  })

  it('a rule about the whole body says what to send, not ajv\'s words', async () => {
    const advance = await problem(await api.call('POST', '/v1/advance', { who: 'admin', json: { by: 'P1D', to: '2026-02-01T00:00:00Z' } }), 422, 'request.invalid')
    expect(advance['errors']).toEqual([{ pointer: '', rule: 'not', message: 'must give `to` or `by`, not both' }])
    const endpoint = await api.call('POST', '/v1/webhook-endpoints', { who: 'admin', json: { url: 'https://93.184.215.14/hook' } })
    const { id } = (await endpoint.json()) as { id: string }
    for (const json of [{}, { eventId: 'x', since: '2026-01-01T00:00:00Z' }]) {
      const resend = await problem(await api.call('POST', `/v1/webhook-endpoints/${id}/resend`, { who: 'admin', json }), 422, 'request.invalid')
      expect(resend['errors'], JSON.stringify(json)).toEqual([{ pointer: '', rule: expect.stringMatching(/^m(in|ax)Properties$/) as string, message: 'must give exactly one of `eventId` and `since`' }])
    }
    // Instants Temporal cannot read (ten fraction digits), or past year 9999 once in UTC, which would compare before every event kept.
    for (const since of ['2026-01-01T00:00:00.1234567891Z', '9999-12-31T23:59:59-23:59']) {
      const resend = await problem(await api.call('POST', `/v1/webhook-endpoints/${id}/resend`, { who: 'admin', json: { since } }), 422, 'request.invalid')
      expect(resend['errors'], since).toEqual([{ pointer: '/since', rule: 'format', message: INSTANT_RULE }])
    }
    const update = await problem(await api.call('PATCH', `/v1/webhook-endpoints/${id}`, { who: 'admin', json: {} }), 422, 'request.invalid')
    expect(update['errors']).toEqual([{ pointer: '', rule: 'minProperties', message: 'must give at least one of the endpoint\'s properties to change' }])
  })

  it('an empty upload: 422 naming the body, and nothing stored', async () => {
    const before = await snapshot(api.database)
    const body = await problem(await api.call('POST', '/v1/attachments?filename=empty.pdf', { who: 'customer', body: new Uint8Array(0) }), 422, 'attachment.empty')
    expect(body['errors']).toEqual([{ pointer: '', rule: 'minLength', message: 'must be a file of at least one byte' }])
    expect(await snapshot(api.database)).toEqual(before)
  })

  it('HEAD on a download or a live stream answers its headers and leaves nothing open', async () => {
    // A file large enough not to be read whole at once: its descriptor stays open until the body is read or cancelled.
    const pdf = new Uint8Array(512 * 1024)
    pdf.set(new TextEncoder().encode('%PDF-1.4\n'))
    const { id } = (await (await api.call('POST', '/v1/attachments?filename=big.pdf', { who: 'customer', body: pdf })).json()) as { id: string }
    const openFiles = (): number => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(api.attachmentsDir)
      } catch {
        return false // closed meanwhile
      }
    }).length
    const before = openFiles()
    for (let i = 0; i < 10; i++) {
      const head = await api.call('HEAD', `/v1/attachments/${id}`, { who: 'customer' })
      expect(head.status).toBe(200)
      expect(head.headers.get('content-type')).toBe('application/pdf')
      expect(await head.text()).toBe('')
    }
    await vi.waitFor(() => { expect(openFiles()).toBe(before) })
    // More HEADs than the streams one holder may keep: each stream ends with its request.
    for (let i = 0; i < 25; i++) expect((await api.call('HEAD', '/v1/events/stream', { who: 'isv' })).status).toBe(200)
    const stream = await api.call('GET', '/v1/events/stream', { who: 'isv' })
    expect(stream.status).toBe(200)
    await stream.body?.cancel()
  })

  it('list queries: an empty cursor is the first page', async () => {
    const response = await api.call('GET', '/v1/instances?cursor=', { who: 'admin' })
    expect(response.status).toBe(200)
  })

  it('list queries: every bad filter named at its /query pointer, a bad cursor among them', async () => {
    const body = await problem(await api.call('GET', '/v1/instances?cursor=garbage!&limit=0', { who: 'admin' }), 422, 'request.invalid')
    expect(body['errors']).toEqual([
      { pointer: '/query/limit', rule: 'minimum', message: 'must be an integer from 1 to 500' },
      { pointer: '/query/cursor', rule: 'pattern', message: 'must be the `next` value of a previous page' },
    ])
  })

  it.each(['/v1/tokens', '/v1/webhook-endpoints'])('%s, a list of no pages, takes no query parameters', async (path) => {
    const body = await problem(await api.call('GET', `${path}?limit=10&colour=red`, { who: 'admin' }), 422, 'request.invalid')
    expect(body['errors']).toEqual([
      { pointer: '/query/limit', rule: 'additionalProperties', message: 'is not accepted here; this request takes no query parameters' },
      { pointer: '/query/colour', rule: 'additionalProperties', message: 'is not accepted here; this request takes no query parameters' },
    ])
    expect((await api.call('GET', path, { who: 'admin' })).status).toBe(200)
  })

  it('another media type: 415', async () => {
    await problem(await api.call('POST', '/v1/instances', { who: 'admin', body: 'process=basic', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'request.unsupported-media-type')
  })

  it('an unknown route: 404 problem', async () => {
    await problem(await api.call('GET', '/v1/nope', { who: 'admin' }), 404, 'route.not-found')
  })

  it('sets secure headers and a request id on every response', async () => {
    const response = await api.call('GET', '/healthz')
    expect(await response.json()).toEqual({ status: 'ok' })
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('registers a new process version from YAML, and reports a broken one with YAML locations', async () => {
    const yaml = readFileSync(join(import.meta.dirname, '../../processes/basic.yaml'), 'utf8').replace('version: 6', 'version: 7')
    const ok = await api.call('PUT', '/v1/processes/basic', { who: 'admin', body: yaml, headers: { 'Content-Type': 'application/yaml' } })
    expect(ok.status).toBe(201)
    expect(await ok.json()).toMatchObject({ id: 'basic', version: 7, versions: [6, 7] })
    const before = await snapshot(api.database)
    const broken = yaml.replace('version: 7', 'version: 8').replace('action: confirm', 'action: confirmed')
    const body = await problem(await api.call('PUT', '/v1/processes/basic', { who: 'admin', body: broken, headers: { 'Content-Type': 'application/yaml' } }), 422, 'definition.invalid')
    expect(body['problems']).toEqual([expect.objectContaining({ code: 'definition.unknown-timeout-action', location: expect.objectContaining({ file: 'basic.yaml', line: 99, pointer: '/steps/2/timeout/action' }) })])
    await problem(await api.call('PUT', '/v1/processes/other', { who: 'admin', body: yaml.replace('version: 7', 'version: 9'), headers: { 'Content-Type': 'application/yaml' } }), 422, 'input.invalid')
    await problem(await api.call('PUT', '/v1/processes/basic', { who: 'admin', body: yaml.replace('Basic Delivery Process', 'Changed'), headers: { 'Content-Type': 'application/yaml' } }), 409, 'process.version-conflict')
    expect(await snapshot(api.database)).toEqual(before)
  })
  it('serves the Mermaid diagram of a process version', async () => {
    const response = await api.call('GET', '/v1/processes/step-by-step/diagram', { who: 'customer' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/vnd.mermaid; charset=utf-8')
    expect(await response.text()).toContain('n_confirm_ued -->|"reject"| n_ued')
    await problem(await api.call('GET', '/v1/processes/nope/diagram', { who: 'customer' }), 404, 'process.not-found')
    await problem(await api.call('GET', '/v1/processes/basic/diagram?version=x', { who: 'customer' }), 422, 'request.invalid')
  })
})

describe('request bodies over real HTTP (read from the Node.js request)', () => {
  let server: ServerType
  let port = 0
  beforeEach(async () => {
    await new Promise<void>((resolve) => {
      server = serve({ fetch: api.app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
        port = info.port
        resolve()
      })
    })
  })
  afterEach(async () => { await new Promise((resolve) => server.close(resolve)) })

  /** POSTs `chunks` as admin, `pauseMs` apart; chunked (no Content-Length) unless `declare` is set. */
  async function post(path: string, chunks: readonly string[], declare = false, agent?: Agent, pauseMs = 0): Promise<{ status: number; body: Record<string, unknown> }> {
    const length = chunks.reduce((n, chunk) => n + Buffer.byteLength(chunk), 0)
    return new Promise((resolve, reject) => {
      const request = httpRequest({
        host: '127.0.0.1', port, path, method: 'POST', ...(agent ? { agent } : {}),
        headers: { authorization: `Bearer ${api.tokens.admin}`, 'content-type': 'application/json', ...(declare ? { 'content-length': String(length) } : {}) },
      }, (response) => {
        let text = ''
        response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk }).on('end', () => {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> })
        })
      })
      request.on('error', reject)
      void (async () => {
        for (const chunk of chunks) {
          request.write(chunk)
          if (pauseMs > 0) await new Promise((pause) => setTimeout(pause, pauseMs))
        }
        request.end()
      })()
    })
  }

  it('sets the same secure headers and a request id as in process on answers, problems and streamed downloads; keeps a plain client request id', async () => {
    const inProcess = await api.call('GET', '/healthz')
    const secure = [...inProcess.headers].filter(([name]) => !['content-type', 'content-length', 'x-request-id'].includes(name))
    expect(secure).toEqual(expect.arrayContaining([['x-content-type-options', 'nosniff'], ['x-frame-options', 'SAMEORIGIN'], ['strict-transport-security', 'max-age=15552000; includeSubDomains']]))
    const form = new FormData()
    form.append('file', new Blob([readFileSync(join(import.meta.dirname, '../fixtures/files/contract.pdf'))]), 'contract.pdf')
    const uploaded = (await (await api.call('POST', '/v1/attachments', { who: 'admin', body: form })).json()) as { id: string }
    const admin = { authorization: `Bearer ${api.tokens.admin}` }
    const cases: Array<[string, Record<string, string>, number]> = [
      ['/healthz', {}, 200], ['/v1/instances', {}, 401], ['/v1/nope', admin, 404], [`/v1/attachments/${uploaded.id}`, admin, 200],
    ]
    for (const [path, headers, status] of cases) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers })
      expect(response.status, path).toBe(status)
      for (const [name, value] of secure) expect(response.headers.get(name), `${path} ${name}`).toBe(value)
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
      await response.arrayBuffer()
    }
    const own = await fetch(`http://127.0.0.1:${port}/v1/nope`, { headers: { ...admin, 'x-request-id': 'trace-42=a' } })
    expect(own.headers.get('x-request-id')).toBe('trace-42=a')
    expect(((await own.json()) as { requestId: string }).requestId).toBe('trace-42=a')
    const odd = await fetch(`http://127.0.0.1:${port}/healthz`, { headers: { 'x-request-id': 'not plain!' } })
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('reads a chunked body, and one with a Content-Length, in full', async () => {
    const start = JSON.stringify({ process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1', note: 'é'.repeat(5000) } })
    const chunked = await post('/v1/instances', [start.slice(0, 7), start.slice(7, 4000), start.slice(4000)])
    expect(chunked.status).toBe(201)
    expect((await api.engine.instances.get(chunked.body['id'] as string, { role: 'admin', subject: 'a-1' })).context).toEqual({ orderId: 'o-1', specification: 'Standard', productId: 'p-1', note: 'é'.repeat(5000) })
    expect((await post('/v1/instances', [start], true)).status).toBe(201)
  })

  it('reads a body whose parts arrive after its headers, some milliseconds apart, in full', async () => {
    const start = JSON.stringify({ process: 'basic', parties: { customer: 'c-1', isv: 'v-1' }, context: { orderId: 'o-2', specification: 'Standard', productId: 'p-1', note: 'é'.repeat(3000) } })
    for (const declare of [false, true]) {
      const created = await post('/v1/instances', [start.slice(0, 10), start.slice(10, 3000), start.slice(3000)], declare, undefined, 30)
      expect(created.status).toBe(201)
      expect((await api.engine.instances.get(created.body['id'] as string, { role: 'admin', subject: 'a-1' })).context).toEqual({ orderId: 'o-2', specification: 'Standard', productId: 'p-1', note: 'é'.repeat(3000) })
    }
  })

  it('refuses a chunked body as soon as it passes the limit: 413, nothing stored, and the connection still serves', async () => {
    const before = await snapshot(api.database)
    const pad = 'x'.repeat(64 * 1024)
    const chunks = ['{"process":"basic","parties":{},"context":{"pad":"', ...Array.from({ length: 17 }, () => pad), '"}}']
    // One keep-alive connection: the next request must not wait behind the refused body.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const refused = await post('/v1/instances', chunks, false, agent)
      expect(refused.status).toBe(413)
      expect(refused.body['code']).toBe('request.too-large')
      expect(await snapshot(api.database)).toEqual(before)
      const next = await post('/v1/instances', [JSON.stringify({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } })], true, agent)
      expect(next.status).toBe(201)
    } finally {
      agent.destroy()
    }
  })
})
