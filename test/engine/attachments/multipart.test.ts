import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AttachmentStorage, firstFilePart } from '../../../engine/attachments/index.js'

const FILES = fileURLToPath(new URL('../../fixtures/files/', import.meta.url))
const BOUNDARY = '----dc-test-7MA4YWxkTrZu0gW'
const HEADERS = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }

let tmp: string
let storage: AttachmentStorage
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'dc-multipart-'))
  storage = new AttachmentStorage(join(tmp, 'attachments'))
})
afterEach(() => rmSync(tmp, { recursive: true, force: true }))

/** The head of a multipart body: a text field, then the headers of a file part named `fileName`. */
function head(fileName: string, contentType: string): Buffer {
  return Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nSigned copy attached\r\n`
    + `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n`
    + `Content-Type: ${contentType}\r\n\r\n`)
}
const TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`)

/** A whole multipart body in small chunks, as it would arrive from a socket. */
function multipart(fileName: string, contentType: string, file: Uint8Array, chunkSize = 512): Readable {
  const whole = Buffer.concat([head(fileName, contentType), file, TAIL])
  const chunks: Buffer[] = []
  for (let i = 0; i < whole.length; i += chunkSize) chunks.push(whole.subarray(i, i + chunkSize))
  return Readable.from(chunks)
}

describe('firstFilePart', () => {
  it('hands the file part to storage, which types it from its content; the name is metadata', async () => {
    const docx = readFileSync(join(FILES, 'contract.docx'))

    const part = await firstFilePart(multipart('Contract final.pdf', 'application/pdf', docx, 100), HEADERS, 1024 * 1024)
    const stored = await storage.save(part.stream, 1024 * 1024)

    expect(part.fileName).toBe('Contract final.pdf')
    expect(stored).toMatchObject({ size: docx.length, type: 'docx' })
    expect(stored.storageKey).not.toContain('Contract')
  })

  it('keeps only the base name of a file name with a path', async () => {
    const part = await firstFilePart(multipart('../../etc/report.pdf', 'application/pdf', Buffer.from('x')), HEADERS, 100)
    expect(part.fileName).toBe('report.pdf')
    part.stream.resume()
  })

  it('accepts a file of exactly the limit', async () => {
    const part = await firstFilePart(multipart('a.bin', 'application/octet-stream', Buffer.alloc(4096, 1)), HEADERS, 4096)
    expect(await storage.save(part.stream, 4096)).toMatchObject({ size: 4096 })
  })

  it('rejects a file one byte over the limit by storage\'s own count: busboy delivers it whole', async () => {
    const part = await firstFilePart(multipart('a.bin', 'application/octet-stream', Buffer.alloc(4097, 1)), HEADERS, 4096)
    await expect(storage.save(part.stream, 4096)).rejects.toMatchObject({ code: 'attachment.too-large' })
    expect(part.stream).toMatchObject({ truncated: false })
    expect(readdirSync(join(tmp, 'attachments'))).toEqual([])
  })

  it('rejects a file that busboy truncates instead of storing the truncated bytes', async () => {
    const part = await firstFilePart(multipart('a.bin', 'application/octet-stream', Buffer.alloc(10_000, 1)), HEADERS, 4096)
    await expect(storage.save(part.stream, 4096)).rejects.toMatchObject({ code: 'attachment.too-large' })
    expect(part.stream).toMatchObject({ truncated: true })
    expect(readdirSync(join(tmp, 'attachments'))).toEqual([])
  })

  it('stops reading a huge upload once the file passes the limit', async () => {
    let sent = 0
    let reachedEnd = false
    async function* upload(): AsyncGenerator<Buffer> {
      yield head('big.bin', 'application/octet-stream')
      for (; sent < 64 * 1024 * 1024; sent += 64 * 1024) yield Buffer.alloc(64 * 1024, 1)
      yield TAIL
      reachedEnd = true
    }
    const body = Readable.from(upload())

    const part = await firstFilePart(body, HEADERS, 5 * 1024 * 1024)
    await expect(storage.save(part.stream, 5 * 1024 * 1024)).rejects.toMatchObject({ code: 'attachment.too-large' })
    await new Promise((resolve) => setTimeout(resolve, 50))

    expect(reachedEnd).toBe(false)
    expect(sent).toBeLessThan(6 * 1024 * 1024) // the limit, plus what the streams had buffered
    body.destroy()
  })

  it('fails the file stream when the body breaks off inside the file', async () => {
    const docx = readFileSync(join(FILES, 'contract.docx'))
    const body = Readable.from([head('c.docx', 'application/octet-stream'), docx.subarray(0, 300)])

    const part = await firstFilePart(body, HEADERS, 1024 * 1024)

    await expect(storage.save(part.stream, 1024 * 1024)).rejects.toThrow(/unexpected end/i)
    expect(readdirSync(join(tmp, 'attachments'))).toEqual([])
  })

  it('rejects a multipart body without a file part', async () => {
    const body = Readable.from([Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--${BOUNDARY}--\r\n`)])
    await expect(firstFilePart(body, HEADERS, 100)).rejects.toMatchObject({ code: 'attachment.empty', fields: [{ pointer: '', rule: 'required' }] })
  })

  it('rejects an empty file part through storage', async () => {
    const part = await firstFilePart(multipart('empty.pdf', 'application/pdf', Buffer.alloc(0)), HEADERS, 100)
    await expect(storage.save(part.stream, 100)).rejects.toMatchObject({ code: 'attachment.empty' })
  })

  it.each(['application/json', 'multipart/form-data'])('rejects a body sent as %s', async (contentType) => {
    await expect(firstFilePart(Readable.from([Buffer.from('{}')]), { 'content-type': contentType }, 100))
      .rejects.toMatchObject({ code: 'input.invalid', fields: [{ pointer: '', rule: 'format', message: expect.stringContaining('multipart/form-data with a boundary') as unknown }] })
  })
})
