import { crc32, deflateSync } from 'node:zlib'

/** How a PNG's pixels are stored: its colour type, bit depth and interlacing (Adam7 or none). */
export interface PngLayout {
  readonly width: number
  readonly height: number
  readonly colorType: 0 | 2 | 3 | 4 | 6
  readonly bitDepth: number
  readonly interlaced?: boolean
}

/** Samples a pixel holds in each colour type: grey, RGB, palette index, grey and alpha, RGBA. */
export const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const
/** The bit depths the specification allows for each colour type. */
export const DEPTHS = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] } as const

const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/**
 * A PNG written chunk by chunk: IHDR from `layout`, the `extra` chunks (PLTE, tRNS...) in order,
 * the image data (`rows`: the rows as stored, each with its filter byte) deflated, IEND.
 */
export function pngFile(layout: PngLayout, rows: Buffer, extra: Record<string, Buffer> = {}): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(layout.width, 0)
  header.writeUInt32BE(layout.height, 4)
  header.set([layout.bitDepth, layout.colorType, 0, 0, layout.interlaced ? 1 : 0], 8)
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
    ...Object.entries(extra).map(([type, data]) => chunk(type, data)), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))])
}

/** `raw` (one row, unfiltered) filtered with `filter` (0 to 4) against the row above it, with its filter byte first. */
function filtered(raw: Uint8Array, above: Uint8Array, bytesPerPixel: number, filter: number): Buffer {
  const out = Buffer.alloc(raw.length + 1)
  out[0] = filter
  for (let i = 0; i < raw.length; i++) {
    const a = i >= bytesPerPixel ? raw[i - bytesPerPixel] as number : 0
    const b = above[i] as number
    const c = i >= bytesPerPixel ? above[i - bytesPerPixel] as number : 0
    const p = a + b - c
    const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c
    const predicted = [0, a, b, (a + b) >> 1, paeth][filter] as number
    out[i + 1] = ((raw[i] as number) - predicted) & 0xff
  }
  return out
}

/**
 * The rows of an image as a PNG stores them: pass by pass when interlaced, each row filtered
 * with `filterOf(row)` (the running count of rows). `samples(x, y)` gives a pixel's samples
 * (as many as its colour type has, each within its bit depth).
 */
export function pngRows(layout: PngLayout, samples: (x: number, y: number) => readonly number[], filterOf: (row: number) => number = () => 0): Buffer {
  const { width, height, colorType, bitDepth } = layout
  const channels = CHANNELS[colorType]
  const bitsPerPixel = channels * bitDepth
  const rows: Buffer[] = []
  for (const [x0, y0, dx, dy] of layout.interlaced ? ADAM7 : [[0, 0, 1, 1] as const]) {
    const passWidth = Math.max(0, Math.ceil((width - x0) / dx))
    const passHeight = passWidth === 0 ? 0 : Math.max(0, Math.ceil((height - y0) / dy))
    let above = new Uint8Array(Math.ceil((passWidth * bitsPerPixel) / 8))
    for (let r = 0; r < passHeight; r++) {
      const raw = new Uint8Array(above.length)
      for (let column = 0; column < passWidth; column++) {
        samples(x0 + column * dx, y0 + r * dy).forEach((value, channel) => {
          const index = column * channels + channel
          if (bitDepth === 16) raw.set([value >> 8, value & 0xff], index * 2)
          else if (bitDepth === 8) raw[index] = value
          else raw[(index * bitDepth) >> 3] = (raw[(index * bitDepth) >> 3] as number) | (value << (8 - bitDepth - ((index * bitDepth) & 7)))
        })
      }
      rows.push(filtered(raw, above, Math.max(1, bitsPerPixel >> 3), filterOf(rows.length)))
      above = raw
    }
  }
  return Buffer.concat(rows)
}
