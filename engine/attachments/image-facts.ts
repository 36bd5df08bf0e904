import { readFile } from 'node:fs/promises'
import type { ImageFacts } from '../runtime/commands.js'
import { cornersTransparent, pngHeader } from './png-corners.js'

/**
 * What the pixels of the PNG at `file` say, for the attachment rules that look at images: its
 * width and height (from its header), and whether its background is transparent.
 *
 * The background is transparent when the four corner pixels are fully transparent
 * ({@link cornersTransparent}). The corners are what lies behind a logo: a logo may touch the
 * edges in the middle of a side (a circle does) but a background fills the corners.
 * `transparentBackground` is undefined when the pixels could not be read (corrupt data, or a
 * picture too large to read). Images are read one at a time, so uploads arriving together do not
 * add up the time they take.
 *
 * Called where a file's type is detected, once, when it is uploaded; the facts are stored with
 * the file and the pure check of an action's attachments reads them (engine/runtime/check-attachments.ts).
 */
export async function pngFacts(file: string): Promise<ImageFacts | undefined> {
  const bytes = await readFile(file)
  const header = pngHeader(bytes)
  if (header === undefined) return undefined
  const { width, height } = header
  const transparentBackground = await inTurn(() => cornersTransparent(bytes, header))
  return transparentBackground === undefined ? { width, height } : { width, height, transparentBackground }
}

/** The reading under way, which the next waits for. */
let reading: Promise<unknown> = Promise.resolve()

/** `read` run once the reading before it is done. */
function inTurn<T>(read: () => Promise<T>): Promise<T> {
  const result = reading.then(read)
  reading = result.catch(() => undefined)
  return result
}
