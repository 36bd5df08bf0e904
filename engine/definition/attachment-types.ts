/**
 * The attachment types a process may accept. Each is recognised from the file's content (magic
 * bytes, the parts inside a ZIP or an OLE compound file), never from its name; the usual file
 * name extensions are only for pickers (a browser's file dialog shows those files first).
 */
export const ATTACHMENT_TYPES = {
  pdf: { mime: 'application/pdf', label: 'PDF document', extensions: ['pdf'] },
  doc: { mime: 'application/msword', label: 'Word 97-2003 document (OLE)', extensions: ['doc'] },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', label: 'Word document', extensions: ['docx'] },
  xls: { mime: 'application/vnd.ms-excel', label: 'Excel 97-2003 workbook (OLE)', extensions: ['xls'] },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Excel workbook', extensions: ['xlsx'] },
  ppt: { mime: 'application/vnd.ms-powerpoint', label: 'PowerPoint 97-2003 presentation (OLE)', extensions: ['ppt'] },
  pptx: { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', label: 'PowerPoint presentation', extensions: ['pptx'] },
  png: { mime: 'image/png', label: 'PNG image', extensions: ['png'] },
  jpg: { mime: 'image/jpeg', label: 'JPEG image', extensions: ['jpg', 'jpeg'] },
  gif: { mime: 'image/gif', label: 'GIF image', extensions: ['gif'] },
  webp: { mime: 'image/webp', label: 'WebP image', extensions: ['webp'] },
  bmp: { mime: 'image/bmp', label: 'BMP image', extensions: ['bmp'] },
  tiff: { mime: 'image/tiff', label: 'TIFF image', extensions: ['tif', 'tiff'] },
  mp4: { mime: 'video/mp4', label: 'MP4 video', extensions: ['mp4', 'm4v'] },
  mov: { mime: 'video/quicktime', label: 'QuickTime video', extensions: ['mov'] },
  zip: { mime: 'application/zip', label: 'ZIP archive', extensions: ['zip'] },
  '7z': { mime: 'application/x-7z-compressed', label: '7-Zip archive', extensions: ['7z'] },
  rar: { mime: 'application/vnd.rar', label: 'RAR archive', extensions: ['rar'] },
  gz: { mime: 'application/gzip', label: 'gzip archive', extensions: ['gz', 'tgz'] },
  tar: { mime: 'application/x-tar', label: 'tar archive', extensions: ['tar'] },
} as const satisfies Record<string, { mime: string; label: string; extensions: readonly string[] }>

/** Name of an attachment type, e.g. `pdf` or `docx`. */
export type AttachmentType = keyof typeof ATTACHMENT_TYPES

/** Whether `name` is a known attachment type. */
export function isAttachmentType(name: string): name is AttachmentType {
  return Object.hasOwn(ATTACHMENT_TYPES, name)
}
