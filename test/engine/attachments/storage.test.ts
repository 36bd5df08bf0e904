import { createHash } from 'node:crypto'
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AttachmentStorage } from '../../../engine/attachments/index.js'
import { EngineError, Store } from '../../../engine/index.js'
import { failingAfter } from '../../support/failing-fs.js'

const FILES = fileURLToPath(new URL('../../fixtures/files/', import.meta.url))
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

let tmp: string
let dir: string
let storage: AttachmentStorage
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'dc-storage-'))
  dir = join(tmp, 'attachments') // does not exist yet: save creates it
  storage = new AttachmentStorage(dir)
})
afterEach(() => rmSync(tmp, { recursive: true, force: true }))

/** A lazy body of `total` bytes in chunks of `chunkSize`, recording how far it was read. */
function generated(total: number, chunkSize: number) {
  const progress = { yielded: 0, reachedEnd: false, closed: false }
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      for (let sent = 0; sent < total; sent += chunkSize) {
        const chunk = new Uint8Array(Math.min(chunkSize, total - sent)).fill(0x61)
        progress.yielded += chunk.byteLength
        yield chunk
      }
      progress.reachedEnd = true
    } finally {
      progress.closed = true
    }
  }
  return { body: body(), progress }
}

describe('AttachmentStorage.save', () => {
  it('streams the body to disk under a UUID, with its size and SHA-256', async () => {
    const fixture = join(FILES, 'contract.docx')
    const bytes = readFileSync(fixture)

    const stored = await storage.save(createReadStream(fixture, { highWaterMark: 256 }), 1024 * 1024)

    expect(stored).toEqual({
      storageKey: expect.stringMatching(UUID),
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      type: 'docx',
      mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    })
    expect(readdirSync(dir)).toEqual([stored.storageKey])
    expect(readFileSync(join(dir, stored.storageKey))).toEqual(bytes)
  })

  it('keeps files (and a new database) readable by the server\'s own user only, as its secret key is', async () => {
    const stored = await storage.save(Readable.from([Buffer.from('private')]), 100)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(join(dir, stored.storageKey)).mode & 0o777).toBe(0o600)
    const file = join(tmp, 'new', 'db.sqlite')
    const store = await Store.openSqlite(file)
    await store.close()
    expect(statSync(join(tmp, 'new')).mode & 0o777).toBe(0o700)
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('detects the type from the content, whatever the file was called', async () => {
    const exe = await storage.save(createReadStream(join(FILES, 'program.pdf')), 1024 * 1024)
    const doc = await storage.save(createReadStream(join(FILES, 'legacy.doc')), 1024 * 1024)

    expect(exe).toMatchObject({ type: null, mediaType: 'application/x-msdownload' })
    expect(doc).toMatchObject({ type: 'doc', mediaType: 'application/msword' })
  })

  it('accepts a body of exactly the limit', async () => {
    const { body } = generated(1000, 300)
    expect(await storage.save(body, 1000)).toMatchObject({ size: 1000 })
  })

  it('rejects a body one byte over the limit and leaves no file behind', async () => {
    const { body } = generated(1001, 300)
    await expect(storage.save(body, 1000)).rejects.toMatchObject({ name: 'EngineError', code: 'attachment.too-large' })
    expect(readdirSync(dir)).toEqual([])
  })

  it('stops reading a huge body as soon as it passes the limit', async () => {
    const limit = 5 * 1024 * 1024
    const { body, progress } = generated(64 * 1024 * 1024, 64 * 1024)

    await expect(storage.save(body, limit)).rejects.toMatchObject({ code: 'attachment.too-large' })

    expect(progress.reachedEnd).toBe(false)
    expect(progress.closed).toBe(true) // the iterator was returned, not left pending
    expect(progress.yielded).toBe(limit + 64 * 1024)
    expect(readdirSync(dir)).toEqual([])
  })

  it('destroys a Readable body that passes the limit', async () => {
    const { body, progress } = generated(64 * 1024 * 1024, 64 * 1024)
    const stream = Readable.from(body)

    await expect(storage.save(stream, 1024 * 1024)).rejects.toMatchObject({ code: 'attachment.too-large' })

    expect(stream.destroyed).toBe(true)
    expect(progress.reachedEnd).toBe(false)
  })

  it('rejects an empty body', async () => {
    await expect(storage.save(Readable.from([]), 1000)).rejects.toMatchObject({ code: 'attachment.empty', fields: [{ pointer: '', rule: 'minLength' }] })
    expect(readdirSync(dir)).toEqual([])
  })

  it('removes the temporary file when the body fails midway', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(100)
      throw new Error('connection reset')
    }
    await expect(storage.save(broken(), 1000)).rejects.toThrow('connection reset')
    expect(readdirSync(dir)).toEqual([])
  })

  it('refuses a body of strings rather than guess their encoding', async () => {
    await expect(storage.save(Readable.from(['text']), 1000)).rejects.toBeInstanceOf(TypeError)
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('AttachmentStorage.open and remove', () => {
  it('open() streams back the stored bytes', async () => {
    const fixture = join(FILES, 'logo.png')
    const { storageKey } = await storage.save(createReadStream(fixture), 1024 * 1024)

    expect(await buffer(storage.open(storageKey))).toEqual(readFileSync(fixture))
  })

  it.each(['../x', '../../etc/passwd', '', 'x', '/etc/passwd', 'A0000000-0000-4000-8000-000000000000/..'])(
    'refuses the storage key %j', (key) => {
      expect(() => storage.open(key)).toThrow('Not an attachment storage key')
    })

  it('remove() deletes the file and tolerates one already gone', async () => {
    const { storageKey } = await storage.save(createReadStream(join(FILES, 'notes.txt')), 1024 * 1024)

    await storage.remove(storageKey)
    await storage.remove(storageKey)

    expect(readdirSync(dir)).toEqual([])
    await expect(buffer(storage.open(storageKey))).rejects.toMatchObject({ code: 'ENOENT' })
    await expect(storage.remove('../x')).rejects.toThrow('Not an attachment storage key')
  })
})

describe('AttachmentStorage.save on a failing disk', () => {
  it.each(['ENOSPC', 'EDQUOT'])('a full disk (%s) is storage.full with no partial file left, and saving works again once space is back', async (code) => {
    const fs = failingAfter(1500, code)
    storage = new AttachmentStorage(dir, { fs })
    const { body, progress } = generated(4000, 1000)

    await expect(storage.save(body, 1024 * 1024)).rejects.toMatchObject({ name: 'EngineError', code: 'storage.full', cause: { code } })
    expect(progress.reachedEnd).toBe(false)
    expect(readdirSync(dir)).toEqual([])

    fs.budget = Number.POSITIVE_INFINITY
    const stored = await storage.save(generated(4000, 1000).body, 1024 * 1024)
    expect(readdirSync(dir)).toEqual([stored.storageKey])
  })

  it.each(['EIO', 'EACCES'])('any other write failure (%s) is thrown as it is, with no partial file left', async (code) => {
    storage = new AttachmentStorage(dir, { fs: failingAfter(1500, code) })
    await expect(storage.save(generated(4000, 1000).body, 1024 * 1024)).rejects.toMatchObject({ code })
    await expect(storage.save(generated(4000, 1000).body, 1024 * 1024)).rejects.not.toBeInstanceOf(EngineError)
    expect(readdirSync(dir)).toEqual([])
  })
})

describe('AttachmentStorage.sweepPartFiles', () => {
  it('deletes the .part files last written before the given time, and nothing else', async () => {
    const stored = await storage.save(createReadStream(join(FILES, 'notes.txt')), 1024 * 1024)
    const start = Date.now()
    const write = (name: string, mtimeMs: number) => {
      writeFileSync(join(dir, name), 'partial')
      utimesSync(join(dir, name), mtimeMs / 1000, mtimeMs / 1000)
    }
    write('00000000-0000-4000-8000-000000000001.part', start - 3_600_000) // an upload killed an hour ago
    write('00000000-0000-4000-8000-000000000002.part', start - 1) // killed just before the start
    write('00000000-0000-4000-8000-000000000003.part', start + 1000) // still being written
    write('notes.txt', start - 3_600_000)
    utimesSync(join(dir, stored.storageKey), (start - 3_600_000) / 1000, (start - 3_600_000) / 1000)

    expect(await storage.sweepPartFiles(start)).toBe(2)

    expect(readdirSync(dir).sort()).toEqual(['00000000-0000-4000-8000-000000000003.part', stored.storageKey, 'notes.txt'].sort())
  })

  it('finds nothing to do in a directory not created yet', async () => {
    expect(await storage.sweepPartFiles(Date.now())).toBe(0)
    mkdirSync(dir)
    expect(await storage.sweepPartFiles(Date.now())).toBe(0)
  })
})
