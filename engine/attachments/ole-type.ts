import CFB from 'cfb'
import type { CFB$Container } from 'cfb'
import type { AttachmentType } from '../definition/attachment-types.js'

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
