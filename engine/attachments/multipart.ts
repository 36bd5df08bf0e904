import { Busboy } from '@fastify/busboy'
import type { Readable } from 'node:stream'
import { EngineError } from '../errors.js'
import { attachmentTooLarge } from './storage.js'

/** The first file of a multipart/form-data body. */
export type FilePart = Readonly<{
  /** The file name the client sent, as metadata only: never use it as a path or to tell the type. */
  fileName: string | null
  /** The file's bytes, to be passed to `AttachmentStorage.save`. */
  stream: Readable
}>

/**
 * Parses a multipart/form-data `body` as it streams and resolves with its first file part, as
 * soon as that part's headers have arrived. Other fields are ignored; later files are skipped.
 *
 * busboy's `fileSize` limit only truncates a file, silently. It is set to `limitBytes + 1`, so an
 * oversized file always delivers one byte too many and `AttachmentStorage.save(stream, limitBytes)`
 * rejects it by its own count; past that byte busboy's truncation destroys the file stream with
 * `attachment.too-large` too. Once the file stream is closed before its end (either way), the body
 * is unpiped and the rest of it left unread, for the HTTP layer to discard. A body that breaks off
 * inside the file errors the file stream, so a truncated upload is never stored.
 *
 * @throws {EngineError} `attachment.empty` when the body has no file part; `input.invalid` when
 *   it is not multipart/form-data with a boundary, or is malformed before the first file.
 * @example
 * const { fileName, stream } = await firstFilePart(Readable.fromWeb(c.req.raw.body), { 'content-type': type }, limit)
 * const stored = await storage.save(stream, limit)
 */
export function firstFilePart(body: Readable, headers: { 'content-type': string }, limitBytes: number): Promise<FilePart> {
  return new Promise((resolve, reject) => {
    let busboy: InstanceType<typeof Busboy>
    try {
      busboy = new Busboy({ headers, limits: { fileSize: limitBytes + 1, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 40, headerPairs: 100 } })
    } catch (cause) {
      reject(malformed(cause))
      return
    }
    let file: Readable | undefined
    // Once the file stream is handed out, every later failure must reach its reader, not the settled promise.
    const fail = (err: Error): void => {
      if (file) file.destroy(err)
      else reject(err)
    }
    busboy.once('file', (_field: string, stream: Readable, fileName: string | undefined) => {
      file = stream
      // busboy emits part errors on the file stream; until the reader attaches, an 'error' without a
      // listener would crash the process. The reader still sees it: a destroyed stream stays errored.
      stream.on('error', () => {})
      // Past fileSize busboy silently truncates the file and then reads the rest of the body to its
      // end; stop it there and fail the file, so no reader can take the truncated bytes for the whole.
      stream.once('limit', () => stream.destroy(attachmentTooLarge(limitBytes)))
      stream.once('close', () => {
        if (!stream.readableEnded) {
          body.unpipe(busboy)
          busboy.destroy()
        }
      })
      resolve({ fileName: fileName || null, stream })
    })
    busboy.on('error', (cause: unknown) => fail(malformed(cause)))
    busboy.on('finish', () => {
      if (!file) reject(new EngineError('attachment.empty', 'The multipart body has no file part: send the file in a form field with a filename.', { fields: [{ pointer: '', rule: 'required', message: 'must hold a file part: a form field with a filename' }] }))
    })
    body.on('error', fail)
    body.pipe(busboy)
  })
}

function malformed(cause: unknown): EngineError {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new EngineError('input.invalid', `The request body is not valid multipart/form-data (${reason}).`, {
    cause, fields: [{ pointer: '', rule: 'format', message: 'must be multipart/form-data with a boundary, holding one file part (a form field with a filename)' }],
  })
}
