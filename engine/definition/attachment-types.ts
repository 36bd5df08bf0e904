/**
 * The attachment types a process may accept. Each is recognised from the file's content (magic
 * bytes, the parts inside a ZIP or an OLE compound file), never from its name.
 */
export const ATTACHMENT_TYPES = {
  pdf: { mime: 'application/pdf', label: 'PDF document' },
  doc: { mime: 'application/msword', label: 'Word 97-2003 document (OLE)' },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', label: 'Word document' },
  xls: { mime: 'application/vnd.ms-excel', label: 'Excel 97-2003 workbook (OLE)' },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Excel workbook' },
  ppt: { mime: 'application/vnd.ms-powerpoint', label: 'PowerPoint 97-2003 presentation (OLE)' },
  pptx: { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', label: 'PowerPoint presentation' },
  png: { mime: 'image/png', label: 'PNG image' },
  jpg: { mime: 'image/jpeg', label: 'JPEG image' },
  gif: { mime: 'image/gif', label: 'GIF image' },
  webp: { mime: 'image/webp', label: 'WebP image' },
  bmp: { mime: 'image/bmp', label: 'BMP image' },
  tiff: { mime: 'image/tiff', label: 'TIFF image' },
  zip: { mime: 'application/zip', label: 'ZIP archive' },
  '7z': { mime: 'application/x-7z-compressed', label: '7-Zip archive' },
  rar: { mime: 'application/vnd.rar', label: 'RAR archive' },
  gz: { mime: 'application/gzip', label: 'gzip archive' },
  tar: { mime: 'application/x-tar', label: 'tar archive' },
} as const satisfies Record<string, { mime: string; label: string }>

/** Name of an attachment type, e.g. `pdf` or `docx`. */
export type AttachmentType = keyof typeof ATTACHMENT_TYPES

/** Whether `name` is a known attachment type. */
export function isAttachmentType(name: string): name is AttachmentType {
  return Object.hasOwn(ATTACHMENT_TYPES, name)
}
