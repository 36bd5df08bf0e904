import { DefinitionError } from '../errors.js'
import type { SourceLocation } from '../errors.js'
import { MAX_DEFINITION_BYTES } from './limits.js'

/** The text of a definition read from bytes, or the one problem that keeps it from being read as text. */
export type DecodedDefinition =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly problem: DefinitionError }

const SAVE_AS_UTF8 = 'Save the file as UTF-8 (UTF-16 with a byte order mark is accepted too).'

/**
 * Decodes the bytes of a process definition: UTF-8 (with or without a byte order mark) or UTF-16
 * with a byte order mark. Refuses, before decoding anything, a file larger than
 * {@link MAX_DEFINITION_BYTES} (`definition.too-large`), and names what the bytes are when they
 * are not such text (`definition.encoding`): UTF-32, UTF-16 without a byte order mark, a binary
 * file, or text in another encoding, located at the first offending byte. Pure.
 */
export function decodeDefinition(bytes: Uint8Array, file: string): DecodedDefinition {
  const refuse = (problem: DefinitionError): DecodedDefinition => ({ ok: false, problem })
  if (bytes.length > MAX_DEFINITION_BYTES) return refuse(tooLargeProblem(bytes.length, file))
  const [b0, b1, b2, b3] = bytes
  if ((b0 === 0x00 && b1 === 0x00 && b2 === 0xfe && b3 === 0xff) || (b0 === 0xff && b1 === 0xfe && b2 === 0x00 && b3 === 0x00)) {
    return refuse(new DefinitionError('definition.encoding', 'The file is UTF-32 text (it starts with a UTF-32 byte order mark); process definitions are read as UTF-8.', at(file, 1, 1), SAVE_AS_UTF8))
  }
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    const encoding = b0 === 0xff ? 'utf-16le' : 'utf-16be'
    try {
      return checked(new TextDecoder(encoding, { fatal: true }).decode(bytes), file)
    } catch {
      return refuse(new DefinitionError('definition.encoding', `The file starts with a ${encoding === 'utf-16le' ? 'UTF-16 (little-endian)' : 'UTF-16 (big-endian)'} byte order mark, but the rest is not valid UTF-16 text.`, at(file, 1, 1), SAVE_AS_UTF8))
    }
  }
  const nul = bytes.indexOf(0)
  if (nul >= 0) {
    if (looksLikeUtf16(bytes)) {
      return refuse(new DefinitionError('definition.encoding', 'The file looks like UTF-16 text without a byte order mark (every other byte is zero); process definitions are read as UTF-8.', at(file, 1, 1), SAVE_AS_UTF8))
    }
    return refuse(new DefinitionError('definition.encoding', 'The file is binary, not YAML text: it contains a NUL byte.', locateByte(bytes, nul, file),
      'A process definition is a YAML text file; check that this is the right file.'))
  }
  try {
    return checked(new TextDecoder('utf-8', { fatal: true }).decode(bytes), file)
  } catch {
    const bad = firstInvalidUtf8(bytes)
    const byte = (bytes[bad] ?? 0).toString(16).toUpperCase().padStart(2, '0')
    return refuse(new DefinitionError('definition.encoding',
      `The file is not UTF-8 text: the byte 0x${byte} here is not valid UTF-8 (a binary file, or text saved in another encoding such as GBK or Latin-1).`,
      locateByte(bytes, bad, file), SAVE_AS_UTF8))
  }
}

function checked(text: string, file: string): DecodedDefinition {
  const problem = checkDefinitionText(text, file)
  return problem ? { ok: false, problem } : { ok: true, text }
}

/**
 * Checks definition text before it is parsed: at most {@link MAX_DEFINITION_BYTES} once encoded
 * as UTF-8 (`definition.too-large`), and no NUL or other control character that YAML text may
 * not hold (`definition.encoding`, at the character). Returns the problem, or undefined. Pure.
 */
export function checkDefinitionText(text: string, file: string): DefinitionError | undefined {
  const bytes = utf8Length(text)
  if (bytes > MAX_DEFINITION_BYTES) return tooLargeProblem(bytes, file)
  const index = firstControl(text)
  if (index < 0) return undefined
  const code = text.charCodeAt(index)
  const where = locateOffset(text, index, file)
  if (code === 0) {
    return new DefinitionError('definition.encoding', 'The file is binary, not YAML text: it contains a NUL character.', where,
      'A process definition is a YAML text file; check that this is the right file.')
  }
  const kind = code >= 0xfffe ? 'the noncharacter' : 'the control character'
  return new DefinitionError('definition.encoding',
    `The file contains ${kind} U+${code.toString(16).toUpperCase().padStart(4, '0')}, which YAML text may not contain.`, where,
    'Remove it; if the file is binary, check that this is the right file.')
}

/**
 * Index of the first character YAML does not admit in a text (its `c-printable`), or -1: a C0
 * control character but tab, line feed and carriage return; DEL; a C1 control character but
 * NEL (U+0085); and the noncharacters U+FFFE and U+FFFF.
 */
function firstControl(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if ((unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d) || (unit >= 0x7f && unit <= 0x9f && unit !== 0x85) || unit >= 0xfffe) return i
  }
  return -1
}

/** `definition.too-large` at 1:1 for a definition of `size` bytes (undefined: a stream cut off past the limit). */
export function tooLargeProblem(size: number | undefined, file: string): DefinitionError {
  const limit = MAX_DEFINITION_BYTES.toLocaleString('en')
  return new DefinitionError('definition.too-large',
    `The definition is ${size === undefined ? `more than ${limit}` : size.toLocaleString('en')} bytes; at most ${limit} bytes (1 MiB) are accepted.`,
    at(file, 1, 1), 'A process definition takes a few kilobytes; check that this is the right file.')
}

/** UTF-8 length of a string without encoding it: one to three bytes per UTF-16 unit, four per surrogate pair. */
function utf8Length(text: string): number {
  // Every UTF-16 unit takes at least one byte, so a text this long is too large whatever it holds.
  if (text.length > MAX_DEFINITION_BYTES) return text.length
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    bytes += unit < 0x80 ? 1 : unit < 0x800 ? 2 : unit >= 0xd800 && unit < 0xdc00 ? 2 : unit >= 0xdc00 && unit < 0xe000 ? 2 : 3
  }
  return bytes
}

/** Whether zero bytes sit mostly at one parity of position, as in ASCII text stored as UTF-16. */
function looksLikeUtf16(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 4096)
  let even = 0
  let odd = 0
  sample.forEach((byte, i) => {
    if (byte === 0) {
      if (i % 2 === 0) even++
      else odd++
    }
  })
  return Math.max(even, odd) >= sample.length / 4 && Math.min(even, odd) === 0
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0
    if (lead < 0x80) {
      i++
      continue
    }
    const need = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0
    if (need === 0) return i
    const second = bytes[i + 1] ?? 0
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are not UTF-8.
    if ((lead === 0xe0 && second < 0xa0) || (lead === 0xed && second > 0x9f) || (lead === 0xf0 && second < 0x90) || (lead === 0xf4 && second > 0x8f)) return i
    for (let k = 1; k <= need; k++) {
      if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i
    }
    i += need + 1
  }
  return bytes.length
}

/** Line and column (in UTF-16 units, as for every other location) of a byte of UTF-8 text. */
function locateByte(bytes: Uint8Array, offset: number, file: string): SourceLocation {
  const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1
  let line = 1
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++
  const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset))
  return at(file, line, before.length + 1)
}

function locateOffset(text: string, offset: number, file: string): SourceLocation {
  const lineStart = offset === 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1
  let line = 1
  for (let i = text.indexOf('\n'); i >= 0 && i < lineStart; i = text.indexOf('\n', i + 1)) line++
  return at(file, line, offset - lineStart + 1)
}

function at(file: string, line: number, column: number): SourceLocation {
  return { file, line, column, pointer: '' }
}
