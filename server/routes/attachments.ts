import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { Hono } from 'hono'
import type { Engine } from '../../engine/index.js'
import { EngineError } from '../../engine/index.js'
import type { AttachmentStorage } from '../../engine/attachments/index.js'
import { firstFilePart } from '../../engine/attachments/index.js'
import type { AppEnv } from '../env.js'

/**
 * `/v1/attachments`: uploads are streamed to storage with the size limit enforced while reading
 * (multipart/form-data with one file, or the raw bytes with `?filename=`), and typed by content;
 * downloads are authorised like the instance they belong to.
 */
export function attachmentRoutes(engine: Engine, storage: AttachmentStorage, limitBytes: number): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/', async (c) => {
    const declared = Number(c.req.header('content-length') ?? Number.NaN)
    // A multipart envelope adds a few hundred bytes around the file itself.
    if (declared > limitBytes + 64 * 1024) {
      throw new EngineError('attachment.too-large', `The upload declares ${declared} bytes; at most ${limitBytes} bytes are accepted.`)
    }
    const body = c.req.raw.body
    if (!body) throw new EngineError('attachment.empty', 'The upload has no content.')
    const type = c.req.header('content-type') ?? ''
    const { fileName, content } = /^multipart\/form-data\b/i.test(type)
      ? await firstFilePart(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), { 'content-type': type }, limitBytes)
        .then(({ fileName, stream }) => ({ fileName, content: stream }))
      : { fileName: c.req.query('filename') ?? null, content: Readable.fromWeb(body as NodeReadableStream<Uint8Array>) }
    const stored = await storage.save(content, limitBytes)
    const id = randomUUID()
    const name = fileName === null ? null : fileName.slice(0, 255)
    try {
      await engine.recordAttachment({ id, fileName: name, size: stored.size, sha256: stored.sha256, type: stored.type, mediaType: stored.mediaType, storageKey: stored.storageKey }, c.get('principal'))
    } catch (error) {
      await storage.remove(stored.storageKey) // no metadata, no file: nothing is kept half-way
      throw error
    }
    return c.json({ id, fileName: name, size: stored.size, sha256: stored.sha256, type: stored.type, mediaType: stored.mediaType }, 201, { Location: `/v1/attachments/${id}` })
  })

  app.get('/:id', async (c) => {
    const row = await engine.attachment(c.req.param('id'), c.get('principal'))
    const name = (row.file_name ?? `${row.id}`).replace(/[^\w.-]+/g, '_')
    // Opened before any header goes out: a file missing from storage is a clean 500, not a cut-off 200.
    const file = storage.open(row.storage_key)
    await once(file, 'open')
    return c.body(Readable.toWeb(file) as ReadableStream<Uint8Array>, 200, {
      'Content-Type': row.type ? row.media_type : 'application/octet-stream',
      'Content-Length': String(row.size),
      'Content-Disposition': `attachment; filename="${name}"`,
      'X-Content-Type-Options': 'nosniff',
      'Repr-Digest': `sha-256=:${Buffer.from(row.sha256, 'hex').toString('base64')}:`,
    })
  })

  return app
}
