import { createInflate } from 'node:zlib'

/**
 * Most bytes the pixel rows of a PNG may inflate to (a filter byte a row included) for its corners
 * to be read: 256 MiB, 8,191 x 8,191 pixels of 8-bit RGBA. The rows are read one at a time and two
 * are kept, so memory stays at two rows whatever the size; the bound is on the time spent
 * inflating and unfiltering them: about a second of CPU at most, in slices of zlib's output (16
 * KiB), so the event loop keeps turning meanwhile. A larger picture, or a small file claiming
 * huge dimensions, is not read.
 */
export const MAX_INFLATED_BYTES = 256 * 1024 * 1024

/** What a PNG's header says: its size, and how its pixels are stored. */
export interface PngHeader {
  readonly width: number
  readonly height: number
  readonly bitDepth: number
  readonly colorType: number
  readonly interlaced: boolean
}

/** The bit depths each colour type allows (PNG specification, 11.2.2): grey, RGB, palette, grey and alpha, RGBA. */
const DEPTHS: Readonly<Record<number, readonly number[]>> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] }
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }

/** Adam7's seven passes: the first column and row of each, and the step between them. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const
const WHOLE = [[0, 0, 1, 1]] as const

interface Pass { readonly width: number; readonly height: number; readonly rowBytes: number }

/** The chunks of a PNG that tell its corners' transparency: `PLTE`'s size, `tRNS`, and the image data. */
interface Chunks { readonly header: PngHeader; readonly paletteEntries: number; readonly transparency: Buffer | undefined; readonly data: Buffer[] }

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** What the `IHDR` chunk of the PNG in `bytes` says, or undefined when it is not one the specification allows. */
export function pngHeader(bytes: Buffer): PngHeader | undefined {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined
  const header: PngHeader = {
    width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), bitDepth: bytes[24] as number, colorType: bytes[25] as number, interlaced: bytes[28] === 1,
  }
  const valid = header.width > 0 && header.height > 0 && DEPTHS[header.colorType]?.includes(header.bitDepth) === true && (bytes[28] as number) <= 1
  return valid ? header : undefined
}

/** The PNG's chunks up to `IEND`, or undefined when the file ends before it. */
function chunksOf(bytes: Buffer, header: PngHeader): Chunks | undefined {
  let paletteEntries = 0
  let transparency: Buffer | undefined
  const data: Buffer[] = []
  for (let at = 33; at + 12 <= bytes.length;) {
    const length = bytes.readUInt32BE(at)
    const type = bytes.toString('latin1', at + 4, at + 8)
    const body = bytes.subarray(at + 8, at + 8 + length)
    if (body.length < length) return undefined
    if (type === 'IEND') return { header, paletteEntries, transparency, data }
    if (type === 'PLTE') paletteEntries = Math.floor(length / 3)
    // tRNS counts only before the image data, where the specification puts it.
    else if (type === 'tRNS' && data.length === 0) transparency = body
    else if (type === 'IDAT') data.push(body)
    at += 12 + length
  }
  return undefined
}

/**
 * Whether pixel `column` of an unfiltered `row` is fully transparent: alpha 0 in an alpha
 * channel, or a sample equal to the `tRNS` chunk's colour, or a palette entry that `tRNS` makes
 * transparent. Undefined for a palette index beyond the palette, which no decoder can read.
 */
function transparentAt(row: Uint8Array, column: number, { header, paletteEntries, transparency }: Chunks): boolean | undefined {
  const { bitDepth, colorType } = header
  const sample = (index: number): number => {
    if (bitDepth === 16) return ((row[index * 2] as number) << 8) | (row[index * 2 + 1] as number)
    if (bitDepth === 8) return row[index] as number
    const bit = index * bitDepth
    return ((row[bit >> 3] as number) >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1)
  }
  const channels = CHANNELS[colorType] as number
  if (colorType === 4 || colorType === 6) return sample(column * channels + channels - 1) === 0
  if (colorType === 3) {
    const index = sample(column)
    if (index >= paletteEntries) return undefined
    return transparency !== undefined && index < transparency.length && transparency[index] === 0
  }
  // Grey or RGB: transparent where every sample equals the tRNS colour's (each two bytes).
  if (transparency === undefined || transparency.length < channels * 2) return false
  for (let channel = 0; channel < channels; channel++) {
    if (sample(column * channels + channel) !== transparency.readUInt16BE(channel * 2)) return false
  }
  return true
}

/** Undoes a row's filter (PNG specification, 9), in place: `row` holds the filter byte, then the filtered bytes; `above` the row before, unfiltered, or zeros. */
function unfilter(row: Uint8Array, above: Uint8Array, bytesPerPixel: number): boolean {
  const filter = row[0]
  const length = row.length
  switch (filter) {
    case 0: return true
    case 1:
      for (let i = 1 + bytesPerPixel; i < length; i++) row[i] = ((row[i] as number) + (row[i - bytesPerPixel] as number)) & 0xff
      return true
    case 2:
      for (let i = 1; i < length; i++) row[i] = ((row[i] as number) + (above[i] as number)) & 0xff
      return true
    case 3:
      for (let i = 1; i <= bytesPerPixel && i < length; i++) row[i] = ((row[i] as number) + ((above[i] as number) >> 1)) & 0xff
      for (let i = 1 + bytesPerPixel; i < length; i++) row[i] = ((row[i] as number) + (((row[i - bytesPerPixel] as number) + (above[i] as number)) >> 1)) & 0xff
      return true
    case 4:
      // Paeth: at the left edge a and c are 0, so b is the predictor.
      for (let i = 1; i <= bytesPerPixel && i < length; i++) row[i] = ((row[i] as number) + (above[i] as number)) & 0xff
      for (let i = 1 + bytesPerPixel; i < length; i++) {
        const a = row[i - bytesPerPixel] as number
        const b = above[i] as number
        const c = above[i - bytesPerPixel] as number
        let pa = b - c
        let pb = a - c
        let pc = pa + pb
        if (pa < 0) pa = -pa
        if (pb < 0) pb = -pb
        if (pc < 0) pc = -pc
        row[i] = ((row[i] as number) + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff
      }
      return true
    default: return false
  }
}

/**
 * Whether the four corner pixels of the PNG in `bytes` (whose header is `header`) are fully
 * transparent: alpha 0 at the image's bit depth, from an alpha channel, or from a `tRNS` chunk
 * applied as the specification says (a palette entry's alpha, or the one grey or RGB colour
 * that is transparent). An image with neither is opaque everywhere, told from its chunks. Else
 * its image data is inflated as a stream (on zlib's threads) and unfiltered one row at a time,
 * keeping two rows; each corner is looked at as its row comes, and reading stops at the first
 * corner that is not transparent. Interlaced images are read pass by pass (Adam7).
 *
 * Undefined when the pixels cannot be read: the chunks or the data are not a valid PNG's (cut
 * short, a filter or palette index that does not exist), or they would inflate to more than
 * {@link MAX_INFLATED_BYTES}.
 */
export function cornersTransparent(bytes: Buffer, header: PngHeader): Promise<boolean | undefined> {
  const chunks = chunksOf(bytes, header)
  if (chunks === undefined) return Promise.resolve(undefined)
  const { width, height, bitDepth, colorType, interlaced } = header
  if (colorType !== 4 && colorType !== 6 && chunks.transparency === undefined) return Promise.resolve(false)
  const bitsPerPixel = bitDepth * (CHANNELS[colorType] as number)
  const bytesPerPixel = Math.max(1, bitsPerPixel >> 3)
  const passes: Pass[] = (interlaced ? ADAM7 : WHOLE).map(([x0, y0, dx, dy]) => {
    const passWidth = Math.max(0, Math.ceil((width - x0) / dx))
    const passHeight = passWidth === 0 ? 0 : Math.max(0, Math.ceil((height - y0) / dy))
    return { width: passWidth, height: passHeight, rowBytes: 1 + Math.ceil((passWidth * bitsPerPixel) / 8) }
  })
  if (passes.reduce((sum, pass) => sum + pass.height * pass.rowBytes, 0) > MAX_INFLATED_BYTES) return Promise.resolve(undefined)
  // Where each corner is: its pass, its row in that pass, its column there.
  const wanted = new Map<string, number[]>()
  for (const [x, y] of [[0, 0], [width - 1, 0], [0, height - 1], [width - 1, height - 1]] as const) {
    const pass = (interlaced ? ADAM7 : WHOLE).findIndex(([x0, y0, dx, dy]) => x >= x0 && y >= y0 && (x - x0) % dx === 0 && (y - y0) % dy === 0)
    const [x0, y0, dx, dy] = (interlaced ? ADAM7 : WHOLE)[pass] as readonly [number, number, number, number]
    const key = `${pass}:${(y - y0) / dy}`
    wanted.set(key, [...(wanted.get(key) ?? []), (x - x0) / dx])
  }
  let remaining = wanted.size

  return new Promise((resolve) => {
    const inflate = createInflate()
    let settled = false
    const settle = (answer: boolean | undefined): void => {
      if (settled) return
      settled = true
      inflate.destroy()
      resolve(answer)
    }
    let pass = passes.findIndex((p) => p.height > 0)
    let rowIndex = 0
    let row = new Uint8Array((passes[pass] as Pass).rowBytes)
    let above = new Uint8Array(row.length)
    let filled = 0
    inflate.on('data', (data: Buffer) => {
      for (let at = 0; at < data.length && !settled;) {
        const take = Math.min(row.length - filled, data.length - at)
        row.set(data.subarray(at, at + take), filled)
        filled += take
        at += take
        if (filled < row.length) break
        if (!unfilter(row, above, bytesPerPixel)) return settle(undefined)
        const columns = wanted.get(`${pass}:${rowIndex}`)
        if (columns !== undefined) {
          for (const column of columns) {
            const transparent = transparentAt(row.subarray(1), column, chunks)
            if (transparent !== true) return settle(transparent)
          }
          if (--remaining === 0) return settle(true)
        }
        ;[row, above] = [above, row]
        filled = 0
        if (++rowIndex === (passes[pass] as Pass).height) {
          rowIndex = 0
          pass = passes.findIndex((p, i) => i > pass && p.height > 0)
          if (pass !== -1) {
            row = new Uint8Array((passes[pass] as Pass).rowBytes)
            above = new Uint8Array(row.length)
          }
        }
      }
    })
    inflate.on('error', () => settle(undefined))
    // The data ended before every corner's row: a file cut short.
    inflate.on('end', () => settle(undefined))
    for (const part of chunks.data) inflate.write(part)
    inflate.end()
  })
}
