/** Attachment files: streaming storage with a hard size limit, type detection by content, multipart parsing. */
export { detectType } from './detect-type.js'
export type { DetectedType } from './detect-type.js'
export { firstFilePart } from './multipart.js'
export type { FilePart } from './multipart.js'
export { AttachmentStorage } from './storage.js'
export type { StoredFile } from './storage.js'
