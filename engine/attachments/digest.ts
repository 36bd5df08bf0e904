import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { attachmentTooLarge } from './storage.js'

/**
 * The SHA-256 (lower-case hex) of `body`'s bytes, read as they stream and kept nowhere: how a
 * retried upload is compared with the file stored the first time without storing it again.
 * The limit is enforced as {@link AttachmentStorage.save} does, so a retry costs no more.
 *
 * @throws {EngineError} `attachment.too-large` past `limitBytes`.
 */
export async function digest(body: Readable | AsyncIterable<Uint8Array>, limitBytes: number): Promise<string> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of body as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('The body must yield bytes, not strings or objects.')
    size += chunk.byteLength
    if (size > limitBytes) throw attachmentTooLarge(limitBytes)
    hash.update(chunk)
  }
  return hash.digest('hex')
}
