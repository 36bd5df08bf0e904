import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import type { Context } from 'hono'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import type { AttachmentStorage, Engine } from '../../engine/index.js'
import { attachmentTooLarge, digest, EngineError, firstFilePart, optional } from '../../engine/index.js'
import type { AppEnv } from '../env.js'
import { readQuery } from '../query.js'
import type { Allowance, UploadQuota } from '../upload-quota.js'


// eslint-disable-next-line no-control-regex -- removing them is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g
/** What the upload route needs besides the engine and the storage. */
export interface UploadOptions {
  /** Largest file, in bytes. */
  readonly limitBytes: number
  /** Uploads per principal and hour; unlimited when absent. */
  readonly quota?: UploadQuota
  readonly logger: Logger
}

/** A multipart envelope adds a few hundred bytes around the file itself. */
const ENVELOPE_BYTES = 64 * 1024

/**
 * `/v1/attachments`: uploads are streamed to storage with the size limit and the uploader's
 * remaining hourly allowance enforced while reading (multipart/form-data with one file, or the raw
 * bytes with `?filename=`), and typed by content; downloads are authorised like the instance they
 * belong to.
 */
export function attachmentRoutes(engine: Engine, storage: AttachmentStorage, options: UploadOptions): Hono<AppEnv> {
  const { limitBytes, quota, logger } = options
  const app = new Hono<AppEnv>()

  app.post('/', async (c) => {
    const { filename } = readQuery(c, 'AttachmentUploadQuery')
    const replay = c.get('uploadReplay')
    // A retry of a stored upload is only hashed, never stored again, so it uses none of the quota.
    // An upload claims the most it may store: its declared length when it gives one (the body
    // cannot be longer), else the size limit.
    const declared = Number(c.req.header('content-length') ?? Number.NaN)
    const claim = replay || !quota ? undefined : await quota.claim(c.get('principal'), Number.isFinite(declared) ? Math.min(declared, limitBytes) : limitBytes)
    try {
      const allowance = claim?.allowance
      if (quota && allowance && (allowance.files < 1 || allowance.bytes < 1)) throw refuse(c, quota, allowance)
      const limit = Math.min(limitBytes, allowance?.bytes ?? limitBytes)
      // Past `limit` when the quota set it, the answer is the quota's, not the file size limit's.
      const tooLarge = (error: unknown): unknown => quota && allowance && limit < limitBytes && error instanceof EngineError && error.code === 'attachment.too-large'
        ? refuse(c, quota, allowance)
        : error
      if (declared > limit + ENVELOPE_BYTES) throw tooLarge(attachmentTooLarge(limit))
      const body = c.req.raw.body
      if (!body) throw new EngineError('attachment.empty', 'The upload has no content.')
      const type = c.req.header('content-type') ?? ''
      const { fileName, content } = /^multipart\/form-data\b/i.test(type)
        ? await firstFilePart(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), { 'content-type': type }, limit)
          .then(({ fileName, stream }) => ({ fileName, content: stream }))
        : { fileName: filename ?? null, content: Readable.fromWeb(body as NodeReadableStream<Uint8Array>) }
      if (replay) return replay(await digest(content, limitBytes))
      const stored = await storage.save(content, limit).catch((error: unknown) => {
        if (error instanceof EngineError && error.code === 'storage.full') logger.warn({ dir: storage.dir }, 'attachment storage is full: uploads answer 507 until space is freed')
        throw tooLarge(error)
      })
      const id = randomUUID()
      // Metadata only: control characters (U+0000 among them, which PostgreSQL's text cannot hold) are dropped.
      const name = fileName === null ? null : fileName.replace(CONTROL_CHARACTERS, '').slice(0, 255)
      try {
        await engine.attachments.record({ id, fileName: name, size: stored.size, sha256: stored.sha256, type: stored.type, mediaType: stored.mediaType, storageKey: stored.storageKey, ...optional('image', stored.image) }, c.get('principal'))
      } catch (error) {
        await storage.remove(stored.storageKey) // no metadata, no file: nothing is kept half-way
        throw error
      }
      c.set('uploadSha256', stored.sha256)
      return c.json({ id, fileName: name, size: stored.size, sha256: stored.sha256, type: stored.type, mediaType: stored.mediaType, ...optional('image', stored.image) }, 201, { Location: `/v1/attachments/${id}` })
    } finally {
      // The stored upload's row counts from now on; a refused one never will.
      claim?.release()
    }
  })

  app.get('/:id', async (c) => {
    const row = await engine.attachments.find(c.req.param('id'), c.get('principal'))
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

/** `upload.quota`, with `Retry-After` set on the response the error handler will make of it. */
function refuse(c: Context<AppEnv>, quota: UploadQuota, allowance: Allowance): EngineError {
  c.header('Retry-After', String(allowance.retryAfterSeconds))
  return quota.exceeded(allowance)
}
