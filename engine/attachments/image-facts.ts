import { readFile } from 'node:fs/promises'
import { PNG } from 'pngjs'
import type { ImageFacts } from '../runtime/commands.js'

/**
 * Most pixels of a PNG decoded to tell whether its background is transparent: 4 bytes each once
 * decoded, so 64 MiB at most. A larger picture (or a small file claiming huge dimensions, which
 * would inflate to gigabytes) is not decoded; its background is then unknown, which a slot
 * requiring a transparent background refuses.
 */
export const MAX_DECODED_PIXELS = 16 * 1024 * 1024

/** PNG signature, then the IHDR chunk: length (4 bytes), "IHDR", width and height (4 bytes each, big-endian). */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/**
 * What the pixels of the PNG at `file` say, for the attachment rules that look at images: its
 * width and height (from its header), and whether its background is transparent.
 *
 * The background is transparent when the four corner pixels are fully transparent (alpha 0)
 * once decoded, an alpha channel or a `tRNS` chunk applied. The corners are what lies behind a
 * logo: a logo may touch the edges in the middle of a side (a circle does) but a background
 * fills the corners. A PNG without alpha or `tRNS` is opaque everywhere, so never transparent.
 * `transparentBackground` is undefined when the image could not be decoded (corrupt data, or
 * more than {@link MAX_DECODED_PIXELS} pixels).
 *
 * Called where a file's type is detected, once, when it is uploaded; the facts are stored with
 * the file and the pure check of an action's attachments reads them (engine/runtime/check-attachments.ts).
 */
export async function pngFacts(file: string): Promise<ImageFacts | undefined> {
  const bytes = await readFile(file)
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined
  const width = bytes.readUInt32BE(16)
  const height = bytes.readUInt32BE(20)
  if (width === 0 || height === 0) return undefined
  if (width * height > MAX_DECODED_PIXELS) return { width, height }
  const transparentBackground = await decode(bytes).then(
    (png) => [0, width - 1, (height - 1) * width, height * width - 1].every((pixel) => png.data[pixel * 4 + 3] === 0),
    () => undefined,
  )
  return transparentBackground === undefined ? { width, height } : { width, height, transparentBackground }
}

/**
 * The PNG decoded to RGBA, off the event loop's hot path (pngjs inflates with zlib's asynchronous
 * stream). Corrupt data can make pngjs emit more than one error; the first settles the promise and
 * a listener of its own swallows the rest (an 'error' event nobody listens to would end the process).
 */
function decode(bytes: Buffer): Promise<PNG> {
  return new Promise((resolve, reject) => {
    const png = new PNG()
    png.on('error', reject)
    png.parse(bytes, (error, parsed) => { if (error) reject(error); else resolve(parsed) })
  })
}
