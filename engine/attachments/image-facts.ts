import { readFile } from 'node:fs/promises'
import { PNG } from 'pngjs'
import type { ImageFacts } from '../runtime/commands.js'

/**
 * Most bytes a PNG may take once decoded to tell whether its background is transparent: its
 * inflated rows as stored (1 to 8 bytes a pixel, by colour type and bit depth) and the RGBA copy
 * pngjs makes of them (4 bytes a pixel). 2048 x 2048 pixels of 8-bit RGBA take 32 MiB and a
 * little more, 2896 x 2896 just under 64 MiB; 16-bit RGBA pixels, 12 bytes each, fewer. A larger
 * picture (or a small file claiming huge dimensions, which would inflate to gigabytes) is not
 * decoded; its background is then unknown, which a slot requiring a transparent background
 * refuses. One image is decoded at a time.
 */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024

/** PNG signature, then the IHDR chunk: length (4 bytes), "IHDR", width and height (4 bytes each, big-endian), bit depth and colour type. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Channels of each PNG colour type: grey, RGB, palette, grey and alpha, RGBA. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }

/**
 * What the pixels of the PNG at `file` say, for the attachment rules that look at images: its
 * width and height (from its header), and whether its background is transparent.
 *
 * The background is transparent when the four corner pixels are fully transparent (alpha 0)
 * once decoded, an alpha channel or a `tRNS` chunk applied. The corners are what lies behind a
 * logo: a logo may touch the edges in the middle of a side (a circle does) but a background
 * fills the corners. A PNG without alpha or `tRNS` is opaque everywhere, so never transparent:
 * told from its chunks, without decoding it. `transparentBackground` is undefined when the image
 * could not be decoded (corrupt data, or more than {@link MAX_DECODED_BYTES} once decoded).
 * Decoding is done for one file at a time, so uploads arriving together do not add up its memory.
 *
 * Called where a file's type is detected, once, when it is uploaded; the facts are stored with
 * the file and the pure check of an action's attachments reads them (engine/runtime/check-attachments.ts).
 */
export async function pngFacts(file: string): Promise<ImageFacts | undefined> {
  const bytes = await readFile(file)
  if (bytes.length < 26 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined
  const width = bytes.readUInt32BE(16)
  const height = bytes.readUInt32BE(20)
  const [bitDepth, colorType] = [bytes.readUInt8(24), bytes.readUInt8(25)]
  const channels = CHANNELS[colorType]
  if (width === 0 || height === 0 || channels === undefined) return undefined
  if (colorType !== 4 && colorType !== 6 && !hasChunk(bytes, 'tRNS')) return { width, height, transparentBackground: false }
  const decodedBytes = height * (1 + Math.ceil((width * channels * bitDepth) / 8)) + width * height * 4
  if (decodedBytes > MAX_DECODED_BYTES) return { width, height }
  const transparentBackground = await decodedInTurn(bytes).then(
    (png) => [0, width - 1, (height - 1) * width, height * width - 1].every((pixel) => png.data[pixel * 4 + 3] === 0),
    () => undefined,
  )
  return transparentBackground === undefined ? { width, height } : { width, height, transparentBackground }
}

/** Whether a chunk of `type` comes before the image data (where `tRNS` must be), read from the chunks' headers. */
function hasChunk(bytes: Buffer, type: string): boolean {
  for (let at = 8; at + 8 <= bytes.length;) {
    const found = bytes.toString('latin1', at + 4, at + 8)
    if (found === type) return true
    if (found === 'IDAT' || found === 'IEND') return false
    at += 12 + bytes.readUInt32BE(at)
  }
  return false
}

/** The decoding under way, which the next waits for. */
let decoding: Promise<unknown> = Promise.resolve()

/** The PNG decoded once the one before it is. */
function decodedInTurn(bytes: Buffer): Promise<PNG> {
  const decoded = decoding.then(() => decode(bytes))
  decoding = decoded.catch(() => undefined)
  return decoded
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
