import { readFile } from 'node:fs/promises'
import { fileTypeFromFile } from 'file-type'
import { ATTACHMENT_TYPES, type AttachmentType } from '../definition/attachment-types.js'
import type { ImageFacts } from '../runtime/commands.js'
import { pngFacts } from './image-facts.js'
import { oleTypeOfLarge } from './ole-type.js'

/**
 * What a file's content is: one of our attachment types (or `null`), the media type to serve it
 * as, and for a PNG what its pixels say (see {@link pngFacts}).
 */
export type DetectedType = Readonly<{ type: AttachmentType | null; mediaType: string; image?: ImageFacts | undefined }>

/** Our type for each file-type extension we accept; any extension not listed is not an attachment type. */
const FROM_FILE_TYPE: Readonly<Record<string, AttachmentType>> = {
  pdf: 'pdf', docx: 'docx', xlsx: 'xlsx', pptx: 'pptx',
  png: 'png', apng: 'png', jpg: 'jpg', gif: 'gif', webp: 'webp', bmp: 'bmp', tif: 'tiff', mp4: 'mp4', m4v: 'mp4', mov: 'mov',
  zip: 'zip', '7z': '7z', rar: 'rar', gz: 'gz', 'tar.gz': 'gz', tar: 'tar',
}

const UNKNOWN = 'application/octet-stream'

/**
 * Detects the type of the file at `file` from its content, never its name.
 *
 * file-type reads the magic bytes (and, for a ZIP, the names of its entries, which is how
 * docx, xlsx and pptx are told from a plain zip). Legacy Office files are all OLE compound files
 * (`cfb` to file-type): only then is the whole file read, and classified by its streams, so the
 * caller must have bounded the file's size. A recognised type is served as its canonical media
 * type from {@link ATTACHMENT_TYPES}; anything else (text, executables, macro-enabled Office
 * files, ...) has type `null` and file-type's media type or `application/octet-stream`.
 *
 * @example
 * await detectType('uploads/3f0c...') // { type: 'docx', mediaType: 'application/vnd.openxmlformats-...' }
 */
export async function detectType(file: string): Promise<DetectedType> {
  const detected = await fileTypeFromFile(file)
  if (detected === undefined) return { type: null, mediaType: UNKNOWN }
  const type = detected.ext === 'cfb'
    ? await oleTypeOfLarge(await readFile(file))
    : FROM_FILE_TYPE[detected.ext] ?? null
  if (type === null) return { type, mediaType: detected.mime }
  const image = type === 'png' ? await pngFacts(file) : undefined
  return image ? { type, mediaType: ATTACHMENT_TYPES[type].mime, image } : { type, mediaType: ATTACHMENT_TYPES[type].mime }
}
