import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { AttachmentType } from '../definition/attachment-types.js'
import { EngineError } from '../errors.js'
import type { ImageFacts } from '../runtime/commands.js'
import { detectType } from './detect-type.js'

/** A file saved by {@link AttachmentStorage.save}: where it is, what it is, and its fingerprint. */
export type StoredFile = Readonly<{
  /** Random UUID naming the file in the storage directory; never derived from a client's file name. */
  storageKey: string
  /** Size in bytes. */
  size: number
  /** SHA-256 of the content, lower-case hex. */
  sha256: string
  /** The type detected from the content, `null` if it is none of the attachment types. */
  type: AttachmentType | null
  /** The media type to serve the file as. */
  mediaType: string
  /** For a PNG, what its pixels say (read here, once, with the type). */
  image?: ImageFacts | undefined
}>

/** The one file operation an upload's bytes go through: injectable, so a full disk can be simulated. */
export interface StorageFs {
  /** Opens `path` for writing (`flags` `'wx'`: created, never an existing file, with permissions `mode`), as `fs.promises.open`. */
  open(path: string, flags: 'wx', mode: number): Promise<WritableFile>
}

/** The part of a `FileHandle` that writing an upload uses. */
export interface WritableFile {
  write(bytes: Uint8Array, offset: number): Promise<{ bytesWritten: number }>
  close(): Promise<void>
}

/** Errors that mean the disk (or the user's disk quota) is full: the client may retry later, it is not a bug. */
const FULL = new Set(['ENOSPC', 'EDQUOT'])

const STORAGE_KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/**
 * Attachment files in one local directory, each named by a random UUID.
 *
 * @example
 * const storage = new AttachmentStorage('data/attachments')
 * const stored = await storage.save(Readable.fromWeb(request.body), 10 * 1024 * 1024)
 * storage.open(stored.storageKey).pipe(response)
 */
export class AttachmentStorage {
  readonly #dir: string
  readonly #fs: StorageFs

  /** `dir` is created on the first save if it does not exist; `fs` defaults to `node:fs/promises`. */
  constructor(dir: string, options: { readonly fs?: StorageFs } = {}) {
    this.#dir = dir
    this.#fs = options.fs ?? { open }
  }

  /** The directory the files are kept in. */
  get dir(): string {
    return this.#dir
  }

  /**
   * Streams `body` to a temporary file in the directory, hashing it on the way, then detects its
   * type from the content and gives it its final name. At most one chunk is held in memory.
   *
   * The limit is enforced while reading: the chunk that takes the total past `limitBytes` stops
   * the read (a stream is destroyed, an iterator returned), so an oversized body is never read to
   * its end. On any failure the temporary file is removed, a full disk included: space freed, the
   * next save succeeds.
   *
   * @throws {EngineError} `attachment.too-large` past `limitBytes`; `attachment.empty` for an empty body;
   *   `storage.full` when the disk is full (ENOSPC, EDQUOT). Other file system errors are thrown as they are.
   */
  async save(body: Readable | AsyncIterable<Uint8Array>, limitBytes: number): Promise<StoredFile> {
    if (!Number.isSafeInteger(limitBytes) || limitBytes < 0) {
      throw new RangeError(`limitBytes must be a non-negative integer, got ${limitBytes}`)
    }
    // People's documents: readable by the server's own user only, as its secret key is.
    await mkdir(this.#dir, { recursive: true, mode: 0o700 }).catch((err: unknown) => { throw storageError(err) })
    const storageKey = randomUUID()
    // The temporary name is no storage key (STORAGE_KEY rejects it), so open() never serves a partial file.
    const temp = join(this.#dir, `${storageKey}.part`)
    const hash = createHash('sha256')
    let size = 0
    try {
      const handle = await this.#fs.open(temp, 'wx', 0o600)
      try {
        for await (const chunk of body as AsyncIterable<unknown>) {
          if (!(chunk instanceof Uint8Array)) throw new TypeError('The body must yield bytes, not strings or objects.')
          size += chunk.byteLength
          if (size > limitBytes) throw attachmentTooLarge(limitBytes)
          hash.update(chunk)
          await writeAll(handle, chunk)
        }
      } finally {
        await handle.close()
      }
      if (size === 0) throw new EngineError('attachment.empty', 'The file is empty: upload a file of at least one byte.', { fields: [{ pointer: '', rule: 'minLength', message: 'must be a file of at least one byte' }] })
      const { type, mediaType, image } = await detectType(temp)
      await rename(temp, join(this.#dir, storageKey))
      return { storageKey, size, sha256: hash.digest('hex'), type, mediaType, ...(image ? { image } : {}) }
    } catch (err) {
      await rm(temp, { force: true })
      throw storageError(err)
    }
  }

  /**
   * Deletes the temporary files (`*.part`) last written before `beforeMs` (epoch milliseconds):
   * those of uploads cut off by a crash or a kill, which nothing else would ever remove. An upload
   * in progress writes its file as bytes arrive, so pass a time no upload still running has been
   * silent since (the start of this server: every upload it had running died with it).
   * Returns how many it deleted; a missing directory has none.
   */
  async sweepPartFiles(beforeMs: number): Promise<number> {
    let names: string[]
    try {
      names = await readdir(this.#dir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
      throw err
    }
    let removed = 0
    for (const name of names.filter((n) => n.endsWith('.part'))) {
      const path = join(this.#dir, name)
      // Gone meanwhile (its upload finished or failed): nothing to do.
      const modified = await stat(path).then((s) => s.mtimeMs, () => Number.POSITIVE_INFINITY)
      if (modified >= beforeMs) continue
      await rm(path, { force: true })
      removed++
    }
    return removed
  }

  /**
   * A stream of the stored file's bytes. A missing file surfaces as the stream's `ENOENT` error.
   * @throws {Error} if `storageKey` is not a storage key (a UUID), which also rules out path traversal.
   */
  open(storageKey: string): Readable {
    return createReadStream(this.#pathOf(storageKey))
  }

  /**
   * Deletes the stored file; removing a file that is already gone is not an error.
   * @throws {Error} if `storageKey` is not a storage key.
   */
  async remove(storageKey: string): Promise<void> {
    await rm(this.#pathOf(storageKey), { force: true })
  }

  #pathOf(storageKey: string): string {
    if (!STORAGE_KEY.test(storageKey)) throw new Error(`Not an attachment storage key: ${JSON.stringify(storageKey)}`)
    return join(this.#dir, storageKey)
  }
}

/** The error for a file past `limitBytes`, shared by everything that enforces the limit. */
export function attachmentTooLarge(limitBytes: number): EngineError {
  return new EngineError('attachment.too-large', `The file is larger than the limit: an attachment may be at most ${limitBytes} bytes.`)
}

/** `err` as the client should see it: `storage.full` when it says the disk is full, else unchanged. */
function storageError(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === undefined || !FULL.has(code)) return err
  return new EngineError('storage.full', 'There is no space left to store the file; nothing was kept. Retry later.', { cause: err })
}

/** `FileHandle.write` may write fewer bytes than asked; loop until the whole chunk is on disk. */
async function writeAll(handle: WritableFile, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength;) {
    const { bytesWritten } = await handle.write(bytes, offset)
    offset += bytesWritten
  }
}
