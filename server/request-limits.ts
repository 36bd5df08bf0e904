import { EngineError, REQUEST_CARRIES } from '../engine/index.js'

/**
 * Limits on what a caller can make the server parse, allocate or store, beyond the shapes of
 * `schemas/api.schema.json` (which bound each field of a body or a query string). Each is documented in docs/api.md ("Limits").
 */
export const REQUEST_LIMITS = {
  /** Deepest nesting of arrays and objects in a JSON body; the body itself is level 1. */
  jsonDepth: 64,
  /**
   * Most members (names with their values) of all the objects of a JSON body together: what no
   * request comes near, while a megabyte of distinct names costs JSON.parse and the checks after
   * it a third of a second of the event loop.
   */
  jsonMembers: 10_000,
  /** Most attachment ids one act may name, over all its slots (each slot takes at most 50). */
  attachmentIdsPerAct: REQUEST_CARRIES.attachmentIds,
} as const

const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const CLOSE_BRACE = 0x7d
const CLOSE_BRACKET = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const COMMA = 0x2c

/** Where a JSON text passes a limit of {@link jsonShapeProblem}: the offset of the character passing it. */
export interface JsonShapeProblem {
  readonly kind: 'depth' | 'members'
  readonly at: number
}

/**
 * Where JSON arrays and objects in `text` are first nested deeper than `maxDepth`, or its objects
 * hold more than `maxMembers` members in all (a colon outside strings is one); undefined when
 * neither. Brackets and colons inside strings do not count. Meant to run before `JSON.parse`, so
 * nothing nested deeper or wider is ever built or walked: one pass over the characters, no
 * allocation. Malformed JSON is left to the parser.
 */
export function jsonShapeProblem(text: string, maxDepth: number, maxMembers: number): JsonShapeProblem | undefined {
  let depth = 0
  let members = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      i = stringEnd(text, i)
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return { kind: 'depth', at: i }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--
    } else if (c === COLON) {
      if (++members > maxMembers) return { kind: 'members', at: i }
    }
  }
  return undefined
}

/**
 * Where the JSON string opened by the quote at `start` is closed (its closing quote: one not
 * escaped by an odd number of backslashes), or the text's length when it never is. Found with
 * indexOf, which is faster than reading the string a character at a time.
 */
function stringEnd(text: string, start: number): number {
  for (let end = text.indexOf('"', start + 1); end !== -1; end = text.indexOf('"', end + 1)) {
    let slashes = 0
    while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++
    if (slashes % 2 === 0) return end
  }
  return text.length
}

/**
 * Refuses a JSON body nested deeper than {@link REQUEST_LIMITS.jsonDepth} levels, or of more than
 * {@link REQUEST_LIMITS.jsonMembers} object members in all.
 * @throws {EngineError} `request.too-deep` (400) or `request.too-large` (413), saying where the limit was passed.
 */
export function checkJsonShape(text: string): void {
  const { jsonDepth, jsonMembers } = REQUEST_LIMITS
  const problem = jsonShapeProblem(text, jsonDepth, jsonMembers)
  if (problem?.kind === 'depth') {
    throw new EngineError('request.too-deep', `The body nests arrays and objects more than ${jsonDepth} levels deep (passed at character ${problem.at + 1}); at most ${jsonDepth} levels are accepted.`)
  }
  if (problem?.kind === 'members') {
    const message = `must hold at most ${jsonMembers.toLocaleString('en')} object members (names with values) in all`
    throw new EngineError('request.too-large', `The body holds more than ${jsonMembers.toLocaleString('en')} object members in all (passed at character ${problem.at + 1}); at most ${jsonMembers.toLocaleString('en')} are accepted.`,
      { fields: [{ pointer: '', rule: 'maxMembers', message }] })
  }
}

/**
 * Refuses an act naming more than {@link REQUEST_LIMITS.attachmentIdsPerAct} attachment ids in all.
 * @throws {EngineError} `request.invalid` (422) at `/attachments`.
 */
export function checkAttachmentTotal(attachments: Readonly<Record<string, readonly string[]>> | undefined): void {
  const total = Object.values(attachments ?? {}).reduce((sum, ids) => sum + ids.length, 0)
  if (total <= REQUEST_LIMITS.attachmentIdsPerAct) return
  const message = `must name at most ${REQUEST_LIMITS.attachmentIdsPerAct} attachment ids over all slots (names ${total})`
  throw new EngineError('request.invalid', `The ActRequest body is invalid: /attachments ${message}.`, { fields: [{ pointer: '/attachments', rule: 'maxItems', message }] })
}

/** What a rejection says of a value holding U+0000, which PostgreSQL's text cannot store. */
export const NUL_RULE = 'must not contain the character U+0000'

/** Refuses a request path holding U+0000 (percent-encoded as %00): no id holds one. @throws {EngineError} `request.invalid` at `/path` */
export function checkPathText(path: string): void {
  if (path.includes('\u0000')) {
    throw new EngineError('request.invalid', 'The path holds the character U+0000, which no id may hold.', { fields: [{ pointer: '/path', rule: 'pattern', message: NUL_RULE }] })
  }
}

/**
 * Refuses a parsed JSON body that gives a name twice in one object, or holds U+0000 in a string
 * or a key, at its JSON pointer. `text` is the body as sent: it is scanned once for names, and
 * only a body whose text escapes U+0000 (`\\u0000`; JSON cannot carry it raw) is walked.
 * @throws {EngineError} `request.invalid`
 */
export function checkJsonText(text: string, body: unknown): void {
  const problem = nameProblemAt(text)
  if (problem?.kind === 'duplicate') {
    throw new EngineError('request.invalid', `The body names ${problem.pointer} twice; JSON.parse would keep the last value and drop the first.`, { fields: [{ pointer: problem.pointer, rule: 'uniqueNames', message: 'is given twice in its object: give each name once' }] })
  }
  if (problem?.kind === 'long') {
    // Pointed at its object, not at itself: a refusal does not repeat a megabyte of name.
    throw new EngineError('request.invalid', `The body holds a name of ${problem.length.toLocaleString('en')} characters in the object at ${problem.pointer || '/'}; names are at most ${MAX_NAME_LENGTH.toLocaleString('en')} characters.`,
      { fields: [{ pointer: problem.pointer, rule: 'maxNameLength', message: `holds a name longer than ${MAX_NAME_LENGTH.toLocaleString('en')} characters` }] })
  }
  if (!text.includes('\\u0000')) return
  const pointer = nulPointer(body, '')
  if (pointer !== undefined) {
    throw new EngineError('request.invalid', `The body holds the character U+0000 at ${pointer || '/'}; no value may hold it.`, { fields: [{ pointer, rule: 'pattern', message: NUL_RULE }] })
  }
}

/** An open object (the names it has had so far, and the last) or array (the index of its current item). */
type Frame = { names: Set<string>; name: string } | { names: undefined; index: number }

/** The longest name a member of a JSON body may have, in characters: what no field of the API or of a process comes near. */
export const MAX_NAME_LENGTH = 1000

/** A name given twice in one object (at its pointer), or one longer than {@link MAX_NAME_LENGTH} (at its object's pointer). */
export type NameProblem = { readonly kind: 'duplicate'; readonly pointer: string } | { readonly kind: 'long'; readonly pointer: string; readonly length: number }

/**
 * The first member of an object, in text `JSON.parse` accepted, whose name an earlier member of
 * the same object already has, or whose name is longer than {@link MAX_NAME_LENGTH}; undefined
 * when every name is given once and short enough. (JSON.parse keeps the last value silently, so a
 * client's `{"by": "P1D", "by": "P1000Y"}` would mean what it may not have meant; and a refusal
 * naming a member repeats its name, which a stored answer would keep.) One pass over the
 * characters, names decoded only when escaped.
 */
export function nameProblemAt(text: string): NameProblem | undefined {
  const frames: Frame[] = []
  let expectName = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      const start = i
      i = stringEnd(text, i)
      const top = frames.at(-1)
      if (!expectName || top?.names === undefined) continue
      expectName = false
      const raw = text.slice(start, i + 1)
      const name = raw.includes('\\') ? JSON.parse(raw) as string : raw.slice(1, -1)
      const parent = (): string => frames.slice(0, -1).map((f) => segment(f.names ? f.name : f.index)).join('')
      if (name.length > MAX_NAME_LENGTH) return { kind: 'long', pointer: parent(), length: name.length }
      if (top.names.has(name)) return { kind: 'duplicate', pointer: parent() + segment(name) }
      top.names.add(name)
      top.name = name
    } else if (c === OPEN_BRACE) {
      frames.push({ names: new Set(), name: '' })
      expectName = true
    } else if (c === OPEN_BRACKET) {
      frames.push({ names: undefined, index: 0 })
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      frames.pop()
    } else if (c === COMMA) {
      const top = frames.at(-1)
      if (top?.names) expectName = true
      else if (top) top.index++
    }
  }
  return undefined
}

/** A name or an index as one segment of a JSON pointer. */
const segment = (name: string | number): string => `/${String(name).replace(/~/g, '~0').replace(/\//g, '~1')}`

/** The JSON pointer of the first string or key of `value` holding U+0000, or undefined. */
function nulPointer(value: unknown, at: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? at : undefined
  if (typeof value !== 'object' || value === null) return undefined
  for (const [key, item] of Object.entries(value)) {
    const here = `${at}${segment(key)}`
    if (key.includes('\u0000')) return here
    const found = nulPointer(item, here)
    if (found !== undefined) return found
  }
  return undefined
}
