/** Small images of each type the Delivery Center recognises besides PNG and JPEG (which test/fixtures/files holds). */

/** A 1 x 1 GIF. */
export const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')

/** A 1 x 1 lossless WebP. */
export const WEBP = Buffer.concat([Buffer.from('RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0\x2f\0\0\0', 'latin1'), Buffer.from('10071011118888fe0700', 'hex')])

/** A 1 x 1 TIFF (little-endian): the header, then one directory of the entries a reader needs, then the pixel. */
export const TIFF = (() => {
  const entries: Array<[number, number, number, number]> = [[256, 3, 1, 1], [257, 3, 1, 1], [258, 3, 1, 8], [259, 3, 1, 1], [262, 3, 1, 1], [273, 4, 1, 8 + 2 + 9 * 12 + 4], [277, 3, 1, 1], [278, 3, 1, 1], [279, 4, 1, 1]]
  const bytes = Buffer.alloc(8 + 2 + entries.length * 12 + 4 + 1)
  bytes.write('II', 0, 'latin1')
  bytes.writeUInt16LE(42, 2)
  bytes.writeUInt32LE(8, 4)
  bytes.writeUInt16LE(entries.length, 8)
  entries.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12
    bytes.writeUInt16LE(tag, at)
    bytes.writeUInt16LE(type, at + 2)
    bytes.writeUInt32LE(count, at + 4)
    if (type === 3) bytes.writeUInt16LE(value, at + 8)
    else bytes.writeUInt32LE(value, at + 8)
  })
  return bytes
})()
