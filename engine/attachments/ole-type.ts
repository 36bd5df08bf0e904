import CFB from 'cfb'
import type { CFB$Container } from 'cfb'
import type { AttachmentType } from '../definition/attachment-types.js'
import type { Worker } from 'node:worker_threads'
import { startWorker } from '../worker-thread.js'

/** The root-level stream that marks each legacy Office format, checked in this order. */
const MARKER_STREAMS: readonly (readonly [stream: string, type: AttachmentType])[] = [
  ['WordDocument', 'doc'],
  ['Workbook', 'xls'], // BIFF8, Excel 97 and later
  ['Book', 'xls'], // BIFF5, Excel 5 and 95
  ['PowerPoint Document', 'ppt'],
]

/**
 * Classifies an OLE compound file (MS-CFB) by the streams at its root: `WordDocument` is a Word
 * 97-2003 document, `Workbook` or `Book` an Excel workbook, `PowerPoint Document` a presentation.
 *
 * Only root streams count, so an Excel workbook with an embedded Word object stays `xls`.
 * Anything else, including a container cfb cannot parse, is `null`. Pure: reads only `bytes`.
 */
export function oleTypeOf(bytes: Uint8Array): AttachmentType | null {
  let container: CFB$Container
  try {
    container = CFB.read(bytes, { type: 'buffer' })
  } catch {
    return null
  }
  // FullPaths[0] is the root storage ("Root Entry/"); a root stream's path is that plus its name.
  const root = container.FullPaths[0] ?? ''
  const rootStreams = new Set<string>()
  container.FileIndex.forEach((entry, i) => {
    if (entry.type === STREAM && container.FullPaths[i] === root + entry.name) rootStreams.add(entry.name)
  })
  return MARKER_STREAMS.find(([stream]) => rootStreams.has(stream))?.[1] ?? null
}

/** `CFB$EntryType.stream`: the typings declare a non-erasable `enum`, so the value is spelled out. */
const STREAM = 2

/**
 * Most bytes an OLE file may have to be classified on the event loop. cfb names every entry of a
 * container's directory with a search through the names before it, so its time grows with the
 * square of the entries: a 10 MB file of nothing but entries took 10 s, one of 512 KiB 70 to
 * 90 ms. Up to this size it is about a quarter of that at worst; a real document, however large,
 * has a few hundred entries.
 */
export const OLE_ON_LOOP_BYTES = 256 * 1024

/** How long a worker thread may take to classify a larger OLE file before it is stopped and the file taken as unknown. */
export const OLE_THREAD_MS = 3000

/** The classification of a large file under way, which the next waits for: one thread at a time. */
let classifying: Promise<unknown> = Promise.resolve()

/**
 * {@link oleTypeOf}, without holding the event loop: a file over {@link OLE_ON_LOOP_BYTES} is
 * classified on a worker thread of its own, one file at a time, and is `null` (not a type any
 * slot accepts) when the thread takes longer than {@link OLE_THREAD_MS} or fails.
 */
export function oleTypeOfLarge(bytes: Uint8Array): Promise<AttachmentType | null> {
  if (bytes.length <= OLE_ON_LOOP_BYTES) return Promise.resolve(oleTypeOf(bytes))
  const classified = classifying.then(() => onThread(bytes))
  classifying = classified.catch(() => undefined)
  return classified
}

function onThread(bytes: Uint8Array): Promise<AttachmentType | null> {
  return new Promise((resolve) => {
    let worker: Worker
    try {
      worker = startWorker(import.meta.url, 'ole-thread', { workerData: bytes, resourceLimits: { maxOldGenerationSizeMb: 256 } })
    } catch {
      // No thread to read it on: an unknown type, as when reading it fails.
      resolve(null)
      return
    }
    const done = (type: AttachmentType | null): void => {
      clearTimeout(timer)
      void worker.terminate()
      resolve(type)
    }
    const timer = setTimeout(() => done(null), OLE_THREAD_MS)
    worker.once('message', (type: AttachmentType | null) => done(type))
    worker.once('error', () => done(null))
    worker.once('exit', () => done(null))
  })
}
