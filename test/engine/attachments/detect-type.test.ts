import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import CFB from 'cfb'
import { PNG } from 'pngjs'
import { afterAll, describe, expect, it } from 'vitest'
import { detectType } from '../../../engine/attachments/index.js'
import { OLE_ON_LOOP_BYTES } from '../../../engine/attachments/ole-type.js'
import type { AttachmentType } from '../../../engine/definition/attachment-types.js'
import { GIF, WEBP } from '../../support/images.js'
import { pngFile } from '../../support/png.js'

const FILES = fileURLToPath(new URL('../../fixtures/files/', import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), 'dc-detect-type-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

let samples = 0

/** Writes `bytes` under a name that says nothing about the content. */
function sample(bytes: Uint8Array): string {
  const file = join(tmp, `sample-${++samples}.bin`)
  writeFileSync(file, bytes)
  return file
}

/** An OLE compound file holding one empty stream per name. */
function ole(...streams: string[]): Uint8Array {
  const container = CFB.utils.cfb_new()
  for (const name of streams) CFB.utils.cfb_add(container, name, Buffer.alloc(16))
  return CFB.write(container, { type: 'buffer' }) as Buffer
}

/** An OLE file (version 3, 512-byte sectors) of `sectors` directory sectors: the root and a chain of `a` streams, as many as fit. */
function oleOfEntries(sectors: number): Buffer {
  const fatSectors = Math.ceil((sectors + Math.ceil(sectors / 128) + 1) / 128)
  if (fatSectors > 109) throw new RangeError('too many sectors for a header without DIFAT')
  const header = Buffer.alloc(512)
  Buffer.from('d0cf11e0a1b11ae1', 'hex').copy(header)
  header.writeUInt16LE(0x3e, 24); header.writeUInt16LE(3, 26); header.writeUInt16LE(0xfffe, 28); header.writeUInt16LE(9, 30); header.writeUInt16LE(6, 32)
  header.writeUInt32LE(fatSectors, 44); header.writeUInt32LE(fatSectors, 48); header.writeUInt32LE(4096, 56)
  header.writeUInt32LE(0xfffffffe, 60); header.writeUInt32LE(0xfffffffe, 68); header.writeUInt32LE(0, 72)
  for (let j = 0; j < 109; j++) header.writeUInt32LE(j < fatSectors ? j : 0xffffffff, 76 + 4 * j)
  const fat = Buffer.alloc(fatSectors * 512, 0xff)
  for (let j = 0; j < fatSectors; j++) fat.writeUInt32LE(0xfffffffd, 4 * j)
  for (let k = 0; k < sectors; k++) fat.writeUInt32LE(k < sectors - 1 ? fatSectors + k + 1 : 0xfffffffe, 4 * (fatSectors + k))
  const entries = Buffer.alloc(sectors * 512)
  const entry = (i: number, name: string, type: number, right: number, child: number): void => {
    const o = 128 * i
    const written = entries.write(`${name}\0`, o, 'utf16le')
    entries.writeUInt16LE(written, o + 64); entries.writeUInt8(type, o + 66); entries.writeUInt8(1, o + 67)
    entries.writeInt32LE(-1, o + 68); entries.writeInt32LE(right, o + 72); entries.writeInt32LE(child, o + 76); entries.writeInt32LE(-2, o + 116)
  }
  const count = sectors * 4
  entry(0, 'Root Entry', 5, -1, 1)
  for (let i = 1; i < count; i++) entry(i, 'a', 2, i < count - 1 ? i + 1 : -1, -1)
  return Buffer.concat([header, fat, entries])
}

/** A one-entry ustar archive: a header block (with its checksum) and an end-of-archive block. */
function tar(): Buffer {
  const block = Buffer.alloc(1024)
  block.write('readme.txt', 0)
  for (const [offset, field] of [[100, '0000644'], [108, '0000000'], [116, '0000000'], [124, '00000000000'], [136, '00000000000']] as const) {
    block.write(`${field}\0`, offset)
  }
  block.write('        ', 148) // the checksum counts its own field as spaces
  block.write('0', 156)
  block.write('ustar\u000000', 257, 'latin1')
  const checksum = block.subarray(0, 512).reduce((sum, byte) => sum + byte, 0)
  block.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148)
  return block
}

describe('detectType', () => {
  it.each<[string, AttachmentType | null]>([
    ['contract.pdf', 'pdf'],
    ['contract.docx', 'docx'],
    ['contract.xlsx', 'xlsx'],
    ['slides.pptx', 'pptx'],
    ['legacy.doc', 'doc'],
    ['legacy.xls', 'xls'],
    ['legacy.ppt', 'ppt'],
    ['logo.png', 'png'],
    ['photo.jpg', 'jpg'],
    ['archive.zip', 'zip'],
    ['archive.7z', '7z'],
    ['program.exe', null],
    ['program.pdf', null],
    ['notes.txt', null],
  ])('recognises fixture %s as %s', async (file, type) => {
    expect((await detectType(join(FILES, file))).type).toBe(type)
  })

  it('serves a recognised type as its canonical media type', async () => {
    expect(await detectType(join(FILES, 'legacy.doc'))).toEqual({ type: 'doc', mediaType: 'application/msword' })
    expect(await detectType(join(FILES, 'contract.docx'))).toEqual({
      type: 'docx', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    })
  })

  it('gives a renamed executable no type, whatever its name says', async () => {
    expect(await detectType(join(FILES, 'program.pdf'))).toEqual({ type: null, mediaType: 'application/x-msdownload' })
  })

  it('gives unrecognisable content no type and application/octet-stream', async () => {
    expect(await detectType(join(FILES, 'notes.txt'))).toEqual({ type: null, mediaType: 'application/octet-stream' })
  })

  it.each<[string, Uint8Array, AttachmentType | null]>([
    ['gif', GIF, 'gif'],
    ['webp', WEBP, 'webp'],
    ['tiff', Buffer.concat([Buffer.from('II*\0\x08\0\0\0\x01\0\x00\x01\x03\0\x01\0\0\0\x01\0', 'latin1'), Buffer.alloc(44)]), 'tiff'],
    ['mp4', Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom\0\0\x02\0isomiso2', 'latin1'), Buffer.alloc(32)]), 'mp4'],
    ['mov', Buffer.concat([Buffer.from([0, 0, 0, 0x14]), Buffer.from('ftypqt  \0\0\x02\0qt  ', 'latin1'), Buffer.alloc(32)]), 'mov'],
    ['rar', Buffer.concat([Buffer.from('526172211a070100', 'hex'), Buffer.alloc(32)]), 'rar'],
    ['gz', gzipSync('delivery notes'), 'gz'],
    ['tar', tar(), 'tar'],
    ['tar.gz', gzipSync(tar()), 'gz'],
    ['ELF executable', Buffer.concat([Buffer.from('7f454c46020101', 'hex'), Buffer.alloc(57)]), null],
    ['OLE file with no Office stream', ole('Contents', 'SummaryInformation'), null],
    ['OLE file with WordDocument only below the root', ole('ObjectPool/_1/WordDocument'), null],
    ['Excel 5 workbook (Book stream)', ole('Book'), 'xls'],
    ['OLE signature followed by garbage', Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600, 0xab)]), null],
  ])('classifies generated %s content', async (_name, bytes, type) => {
    expect((await detectType(sample(bytes))).type).toBe(type)
  })

  it('classifies a large OLE file on a worker thread, holding the event loop no longer than a small one', async () => {
    const word = CFB.utils.cfb_new()
    CFB.utils.cfb_add(word, 'WordDocument', Buffer.alloc(OLE_ON_LOOP_BYTES, 7))
    expect((await detectType(sample(CFB.write(word, { type: 'buffer' }) as Buffer))).type).toBe('doc')
    // 24,000 directory entries, which cfb names in time growing with their square (seconds on the loop).
    const crafted = sample(oleOfEntries(6000))
    let longest = 0
    let last = performance.now()
    const ticks = setInterval(() => { const now = performance.now(); longest = Math.max(longest, now - last); last = now }, 10)
    const detected = await detectType(crafted).finally(() => {
      clearInterval(ticks)
      longest = Math.max(longest, performance.now() - last)
    })
    expect(detected).toEqual({ type: null, mediaType: 'application/x-cfb' })
    expect(longest).toBeLessThan(250)
  })

  it('reports an OLE file that is no Office document as application/x-cfb', async () => {
    expect(await detectType(sample(ole('Contents')))).toEqual({ type: null, mediaType: 'application/x-cfb' })
  })
})

describe('what a PNG\'s pixels say, read with its type', () => {
  /** A `width` x `height` PNG whose pixels are `alpha(x, y)` opaque or not, written with pngjs in `colorType`. */
  function png(width: number, height: number, alpha: (x: number, y: number) => number, colorType: 2 | 6 = 6): Buffer {
    const image = new PNG({ width, height })
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) image.data.set([10, 20, 30, alpha(x, y)], (y * width + x) * 4)
    return PNG.sync.write(image, { colorType })
  }
  const centre = (x: number, y: number) => (x > 2 && x < 7 && y > 2 && y < 7 ? 255 : 0)

  it('tells a transparent background (every corner fully transparent) from an opaque one', async () => {
    expect(await detectType(sample(png(10, 8, centre)))).toEqual({ type: 'png', mediaType: 'image/png', image: { width: 10, height: 8, transparentBackground: true } })
    expect((await detectType(sample(png(10, 8, () => 255)))).image).toEqual({ width: 10, height: 8, transparentBackground: false })
    // An RGB image has no alpha: opaque everywhere, whatever the alpha it was drawn with.
    expect((await detectType(sample(png(10, 8, centre, 2)))).image).toEqual({ width: 10, height: 8, transparentBackground: false })
    // One opaque corner (the bottom right) is a background that is not transparent.
    expect((await detectType(sample(png(10, 8, (x, y) => (x === 9 && y === 7 ? 255 : centre(x, y)))))).image?.transparentBackground).toBe(false)
    // Half transparent is not fully transparent.
    expect((await detectType(sample(png(10, 8, (x, y) => (x === 0 && y === 0 ? 1 : centre(x, y)))))).image?.transparentBackground).toBe(false)
    expect((await detectType(join(FILES, 'logo.png'))).image).toEqual({ width: 16, height: 16, transparentBackground: false })
  })

  it('reads a palette PNG\'s transparency (tRNS), and bytes after the image end', async () => {
    // 3 x 3 pixels of palette entries 0 (made transparent by tRNS) around one of entry 1 (opaque red).
    const palette = pngFile({ width: 3, height: 3, colorType: 3, bitDepth: 8 }, Buffer.from([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]), { PLTE: Buffer.from([0, 0, 0, 255, 0, 0]), tRNS: Buffer.from([0]) })
    expect((await detectType(sample(palette))).image).toEqual({ width: 3, height: 3, transparentBackground: true })
    const opaque = pngFile({ width: 3, height: 3, colorType: 3, bitDepth: 8 }, Buffer.from([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]), { PLTE: Buffer.from([0, 0, 0, 255, 0, 0]) })
    expect((await detectType(sample(opaque))).image).toEqual({ width: 3, height: 3, transparentBackground: false })
    expect((await detectType(sample(Buffer.concat([png(10, 8, centre), Buffer.alloc(5000)])))).image?.transparentBackground).toBe(true)
  })

  it('gives no answer for pixels it cannot read: corrupt data, or more pixels than it decodes', async () => {
    const cut = png(10, 8, centre)
    expect((await detectType(sample(Buffer.concat([cut.subarray(0, 60), Buffer.alloc(100, 0xab)])))).image).toEqual({ width: 10, height: 8 })
    // A header claiming 100,000 x 100,000 pixels (40 GB decoded): not decoded, however small the file.
    expect((await detectType(sample(pngFile({ width: 100_000, height: 100_000, colorType: 6, bitDepth: 8 }, Buffer.alloc(0))))).image).toEqual({ width: 100_000, height: 100_000 })
  })

  it('reads the corners of a picture of any size within the bound, one row at a time: a transparent 2,900 x 2,900 logo', async () => {
    // 2,900 x 2,900 transparent pixels: 34 MB of rows at 8 bits a channel, 67 MB at 16 (files of tens of KB).
    const side = 2_900
    for (const bitDepth of [8, 16]) {
      const rows = Buffer.alloc(side * (1 + side * bitDepth / 2))
      expect((await detectType(sample(pngFile({ width: side, height: side, colorType: 6, bitDepth }, rows)))).image).toEqual({ width: side, height: side, transparentBackground: true })
    }
  })

  it('tells an image without alpha or tRNS opaque from its chunks, without decoding its pixels', async () => {
    // Pixel data that cannot be inflated (the IDAT chunk's, after the signature, IHDR and its own header): decoded, it would have no answer.
    const rgb = pngFile({ width: 4, height: 4, colorType: 2, bitDepth: 8 }, Buffer.alloc(4 * 13))
    rgb.fill(0xab, 8 + 25 + 8, rgb.length - 12 - 4)
    expect((await detectType(sample(rgb))).image).toEqual({ width: 4, height: 4, transparentBackground: false })
  })
})
