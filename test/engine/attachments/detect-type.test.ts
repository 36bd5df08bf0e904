import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import CFB from 'cfb'
import { afterAll, describe, expect, it } from 'vitest'
import { detectType } from '../../../engine/attachments/index.js'
import type { AttachmentType } from '../../../engine/definition/attachment-types.js'

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
    ['gif', Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64'), 'gif'],
    ['webp', Buffer.concat([Buffer.from('RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0', 'latin1'), Buffer.from('10071011118888fe0700', 'hex')]), 'webp'],
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

  it('reports an OLE file that is no Office document as application/x-cfb', async () => {
    expect(await detectType(sample(ole('Contents')))).toEqual({ type: null, mediaType: 'application/x-cfb' })
  })
})
