import { request as httpRequest } from 'node:http'
import { readdirSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { snapshot } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api, Who } from '../support/http.js'
import { serveOnLoopback } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'

let api: Api | undefined
let server: Loopback | undefined
afterEach(async () => {
  await server?.close()
  await api?.close()
  server = undefined
  api = undefined
})

async function open(filesPerHour: number, bytesPerHour: number): Promise<Api> {
  api = await openApi({ uploadQuota: { filesPerHour, bytesPerHour } })
  return api
}

const upload = (a: Api, size: number, who: Who = 'customer'): Promise<Response> =>
  a.call('POST', '/v1/attachments?filename=scan.bin', { who, body: new Uint8Array(size).fill(0x51) })

async function expectQuota(response: Response, retryAfter: number): Promise<void> {
  expect(response.status).toBe(429)
  expect(response.headers.get('retry-after')).toBe(String(retryAfter))
  expect(await response.json()).toMatchObject({ status: 429, code: 'upload.quota' })
}

describe('upload quota per principal and hour', () => {
  it('counts files: past the count, 429 upload.quota with Retry-After until the earliest upload is an hour old; others are not affected', async () => {
    const a = await open(3, 1024 * 1024)
    for (let i = 0; i < 2; i++) expect((await upload(a, 100)).status).toBe(201)
    a.clock.advance('PT10M')
    expect((await upload(a, 100)).status).toBe(201)
    const before = await snapshot(a.database)
    const files = readdirSync(a.attachmentsDir)

    await expectQuota(await upload(a, 100), 3000)
    expect(await snapshot(a.database)).toEqual(before)
    expect(readdirSync(a.attachmentsDir)).toEqual(files)
    expect((await upload(a, 100, 'isv')).status).toBe(201)

    a.clock.advance('PT49M59S')
    await expectQuota(await upload(a, 100), 1)
    a.clock.advance('PT1S') // the first two are an hour old
    expect((await upload(a, 100)).status).toBe(201)
    expect((await upload(a, 100)).status).toBe(201)
    await expectQuota(await upload(a, 100), 600)
  })

  it('counts bytes: a file past what is left is refused as it streams, nothing kept, and a smaller one still fits', async () => {
    const a = await open(100, 100_000)
    expect((await upload(a, 60_000)).status).toBe(201)
    const before = await snapshot(a.database)
    const files = readdirSync(a.attachmentsDir)

    await expectQuota(await upload(a, 40_001), 3600)
    const form = new FormData()
    form.append('file', new Blob([new Uint8Array(40_001)]), 'scan.bin')
    await expectQuota(await a.call('POST', '/v1/attachments', { who: 'customer', body: form }), 3600)
    expect(await snapshot(a.database)).toEqual(before)
    expect(readdirSync(a.attachmentsDir)).toEqual(files)

    expect((await upload(a, 40_000)).status).toBe(201)
    await expectQuota(await upload(a, 1), 3600) // nothing left: refused before the body is read
    a.clock.advance('PT1H')
    expect((await upload(a, 100_000)).status).toBe(201)
  })

  it('counts uploads running at the same time: sent at once, they cannot together pass the quota', async () => {
    // Each claims one file and its declared length.
    const declared = (a: Api, size: number): Promise<Response> =>
      a.call('POST', '/v1/attachments?filename=scan.bin', { who: 'customer', body: new Uint8Array(size).fill(0x51), headers: { 'content-length': String(size) } })
    const files = await open(2, 1024 * 1024)
    const statuses = (await Promise.all([declared(files, 100), declared(files, 100), declared(files, 100), declared(files, 100)])).map((r) => r.status).sort()
    expect(statuses).toEqual([201, 201, 429, 429])
    await files.close()
    // Two of 200,000 bytes do not fit in 300,000 together; one of them and one of 90,000 do.
    const bytes = await open(10, 300_000)
    const sizes = (await Promise.all([declared(bytes, 200_000), declared(bytes, 200_000), declared(bytes, 90_000)])).map((r) => r.status).sort()
    expect(sizes).toEqual([201, 201, 429])
  })

  it('counts from the database: another server on it (or this one restarted) sees the same uploads', async () => {
    const a = await open(2, 1024 * 1024)
    expect((await upload(a, 100)).status).toBe(201)
    expect((await upload(a, 100)).status).toBe(201)
    const { UploadQuota } = await import('../../server/upload-quota.js')
    const other = new UploadQuota(a.store, a.clock, { filesPerHour: 2, bytesPerHour: 1024 * 1024 })
    expect(await other.allowance({ role: 'customer', subject: 'c-1' })).toEqual({ files: 0, bytes: 1024 * 1024 - 200, retryAfterSeconds: 3600 })
  })

  it('over HTTP, stops reading a body at the allowance: the 429 comes while the client is still sending', async () => {
    const a = await open(100, 50_000)
    server = await serveOnLoopback(a)
    const url = new URL(`${server.url}/v1/attachments?filename=big.bin`)
    const { status, retryAfter, body, finished } = await new Promise<{ status: number; retryAfter: string | undefined; body: string; finished: boolean }>((resolve, reject) => {
      const request = httpRequest({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST', headers: { authorization: `Bearer ${a.tokens.customer}` } }, (response) => {
        let text = ''
        response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk }).on('end', () => {
          resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: text, finished: request.writableFinished })
          request.destroy()
        })
      })
      request.on('error', reject)
      // Chunked, never ended: a server that waited for the whole body would never answer.
      request.write(new Uint8Array(80_000).fill(0x51))
    })
    expect(finished).toBe(false)
    expect(status).toBe(429)
    expect(retryAfter).toBe('3600')
    expect(JSON.parse(body)).toMatchObject({ code: 'upload.quota' })
    expect(readdirSync(a.attachmentsDir)).toEqual([])
  })
})
