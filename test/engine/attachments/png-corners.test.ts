import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { cornersTransparent, MAX_INFLATED_BYTES, pngHeader } from '../../../engine/attachments/png-corners.js'
import { CHANNELS, DEPTHS, pngFile, pngRows } from '../../support/png.js'
import type { PngLayout } from '../../support/png.js'

/** A seeded generator of whole numbers below `n`, so a failure can be run again. */
function numbers(seed: number): (n: number) => number {
  let state = seed
  return (n) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state % n
  }
}

const read = (file: Buffer): Promise<boolean | undefined> => {
  const header = pngHeader(file)
  if (header === undefined) throw new Error('not a PNG header')
  return cornersTransparent(file, header)
}

/** The longest wait between turns of the event loop while `work` runs, in milliseconds. */
async function longestPause<T>(work: () => Promise<T>): Promise<{ result: T; longest: number }> {
  let longest = 0
  let last = performance.now()
  const ticking = setInterval(() => { const now = performance.now(); longest = Math.max(longest, now - last); last = now }, 5)
  try {
    const result = await work()
    return { result, longest: Math.max(longest, performance.now() - last) }
  } finally {
    clearInterval(ticking)
  }
}

describe('the corners of a PNG, read row by row', () => {
  it('are what pngjs decodes, in every colour type, bit depth, filter and interlacing, with tRNS or an alpha channel', async () => {
    const random = numbers(7)
    let transparent = 0
    for (let i = 0; i < 400; i++) {
      const colorType = ([0, 2, 3, 4, 6] as const)[random(5)] as PngLayout['colorType']
      const depths = DEPTHS[colorType]
      const layout: PngLayout = { width: 1 + random(19), height: 1 + random(19), colorType, bitDepth: depths[random(depths.length)] as number, interlaced: random(2) === 1 }
      const paletteEntries = 1 + random(Math.min(2 ** layout.bitDepth, 6))
      // Samples of 0 often, so that corners are transparent in about half the images.
      const sample = (): number => colorType === 3 ? random(paletteEntries) : random(3) === 0 ? 0 : random(Math.min(2 ** layout.bitDepth, 4))
      const rows = pngRows(layout, () => Array.from({ length: CHANNELS[colorType] }, sample), () => random(5))
      const extra: Record<string, Buffer> = {}
      if (colorType === 3) extra['PLTE'] = Buffer.alloc(paletteEntries * 3, 9)
      if (colorType === 3 && random(4) > 0) extra['tRNS'] = Buffer.from(Array.from({ length: random(paletteEntries + 1) }, () => random(2) * 255))
      if ((colorType === 0 || colorType === 2) && random(4) > 0) extra['tRNS'] = Buffer.alloc(CHANNELS[colorType] * 2)
      const file = pngFile(layout, rows, extra)
      // pngjs at the image's own depth (16-bit samples are not scaled to 8).
      const decoded = PNG.sync.read(file, { skipRescale: true } as Parameters<typeof PNG.sync.read>[1])
      const { width, height } = layout
      const expected = [0, width - 1, (height - 1) * width, height * width - 1].every((pixel) => decoded.data[pixel * 4 + 3] === 0)
      expect({ layout, extra: Object.keys(extra), corners: await read(file) }).toEqual({ layout, extra: Object.keys(extra), corners: expected })
      if (expected) transparent++
    }
    expect(transparent).toBeGreaterThan(100)
    expect(transparent).toBeLessThan(300)
  })

  it('of a picture far larger than its memory, keeping the event loop turning: 3,000 x 3,000 RGBA, every row Paeth-filtered', async () => {
    const side = 3_000
    const layout: PngLayout = { width: side, height: side, colorType: 6, bitDepth: 8 }
    // 36 MB of rows, one row repeated (a 35 KB file); decoded whole to RGBA besides, 72 MB.
    const row = Buffer.alloc(1 + side * 4)
    row[0] = 4
    const rows = Buffer.concat(Array.from({ length: side }, () => row))
    const file = pngFile(layout, rows)
    const { result, longest } = await longestPause(() => read(file))
    expect(result).toBe(true)
    expect(longest).toBeLessThan(200)
  })

  it('of a 4,020 x 4,020 one-bit palette image, a 2 KB file, in a moment', async () => {
    const layout: PngLayout = { width: 4_020, height: 4_020, colorType: 3, bitDepth: 1 }
    const file = pngFile(layout, Buffer.alloc(4_020 * (1 + Math.ceil(4_020 / 8))), { PLTE: Buffer.from([0, 0, 0, 255, 255, 255]), tRNS: Buffer.from([0]) })
    expect(file.length).toBeLessThan(3_000)
    const { result, longest } = await longestPause(() => read(file))
    expect(result).toBe(true)
    expect(longest).toBeLessThan(100)
  })

  it(`stop at the first corner that is not transparent, and are not read past ${MAX_INFLATED_BYTES / 1024 / 1024} MiB of rows`, async () => {
    // 8,192 x 8,192 RGBA rows would inflate to just over the bound: not read, however small the file.
    const big: PngLayout = { width: 8_192, height: 8_192, colorType: 6, bitDepth: 8 }
    expect(8_192 * (1 + 8_192 * 4)).toBeGreaterThan(MAX_INFLATED_BYTES)
    expect(await read(pngFile(big, Buffer.alloc(1 + 8_192 * 4)))).toBeUndefined()
    // 8,191 x 8,191 is within it: its first row holds an opaque corner, which is the answer,
    // though the rows that would follow are missing.
    const within: PngLayout = { width: 8_191, height: 8_191, colorType: 6, bitDepth: 8 }
    const first = Buffer.alloc(1 + 8_191 * 4)
    first[4] = 255
    expect(await read(pngFile(within, first))).toBe(false)
    // Transparent there, the answer waits for the last row, which never comes: cut short.
    first[4] = 0
    expect(await read(pngFile(within, first))).toBeUndefined()
  })

  it('read alpha 0 at the image\'s depth, and nothing that is not a valid PNG\'s', async () => {
    const one: PngLayout = { width: 1, height: 1, colorType: 6, bitDepth: 16 }
    // An alpha of 1 in 65,535 is not fully transparent.
    expect(await read(pngFile(one, pngRows(one, () => [0, 0, 0, 1])))).toBe(false)
    expect(await read(pngFile(one, pngRows(one, () => [9, 9, 9, 0])))).toBe(true)
    // A grey image at 2 bits whose one transparent grey is 3.
    const grey: PngLayout = { width: 5, height: 3, colorType: 0, bitDepth: 2 }
    expect(await read(pngFile(grey, pngRows(grey, (x) => [x === 2 ? 1 : 3]), { tRNS: Buffer.from([0, 3]) }))).toBe(true)
    expect(await read(pngFile(grey, pngRows(grey, (x) => [x === 0 ? 1 : 3]), { tRNS: Buffer.from([0, 3]) }))).toBe(false)
    // No alpha channel and no tRNS: opaque, told from the chunks, whatever the data holds.
    expect(await read(pngFile(grey, Buffer.from('not rows')))).toBe(false)
    const palette: PngLayout = { width: 2, height: 2, colorType: 3, bitDepth: 8 }
    // A palette index past the palette's entries, and a filter that does not exist.
    expect(await read(pngFile(palette, pngRows(palette, () => [1]), { PLTE: Buffer.alloc(3), tRNS: Buffer.from([0]) }))).toBeUndefined()
    expect(await read(pngFile(palette, Buffer.from([5, 0, 0, 0, 0, 0]), { PLTE: Buffer.alloc(3), tRNS: Buffer.from([0]) }))).toBeUndefined()
    // Rows that do not inflate.
    const rgba: PngLayout = { width: 2, height: 2, colorType: 6, bitDepth: 8 }
    const file = pngFile(rgba, pngRows(rgba, () => [0, 0, 0, 0]))
    file.fill(0xab, 8 + 25 + 8, file.length - 12 - 4)
    expect(await read(file)).toBeUndefined()
    // Cut before IEND, and a header no PNG may have (RGB at 4 bits).
    expect(await read(pngFile(rgba, pngRows(rgba, () => [0, 0, 0, 0])).subarray(0, -12))).toBeUndefined()
    expect(pngHeader(pngFile({ width: 1, height: 1, colorType: 2, bitDepth: 4 }, Buffer.alloc(3)))).toBeUndefined()
  })
})
