import type { Context } from 'hono'
import apiSchema from '../schemas/api.schema.json' with { type: 'json' }
import { EngineError } from '../engine/index.js'
import { NUL_RULE } from '../server/request-limits.js'

/**
 * The most fields a console form may have: about four times the largest form of the built-in
 * processes (listing review's, 2,592 at most with every row of every list filled).
 */
export const MAX_FORM_FIELDS = 10_000

/** A console form's fields: `all` keeps every value of a repeated name. */
export type FormBody = Record<string, string | File | Array<string | File>>

/**
 * The fields of a console form (URL-encoded, the only kind its pages send), as Hono's
 * `parseBody` gives them: the last value of a repeated name, or with `all` every value (an
 * array where a name is repeated). The fields are counted in the body's bytes before any is
 * decoded, so a body of hundreds of thousands of tiny fields, which anyone may send to the
 * sign-in page, is refused at once (`request.too-large`) rather than parsed. A body that cannot
 * be read as a form is the client's mistake (`request.malformed`, 400), never the server's.
 */
export async function readForm(c: Context, options: { all?: boolean } = {}): Promise<FormBody> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new EngineError('request.malformed', 'A console form is sent as application/x-www-form-urlencoded.')
  }
  let bytes: Buffer
  try {
    bytes = Buffer.from(await c.req.arrayBuffer())
  } catch (error) {
    if (error instanceof EngineError) throw error
    throw new EngineError('request.malformed', 'The form could not be read.', { cause: error })
  }
  const names = fieldCount(bytes)
  if (names > MAX_FORM_FIELDS) {
    throw new EngineError('request.too-large', `The form has ${names.toLocaleString('en')} fields; a console form has at most ${MAX_FORM_FIELDS.toLocaleString('en')}.`, {
      fields: [{ pointer: '', rule: 'maxProperties', message: `must have at most ${MAX_FORM_FIELDS.toLocaleString('en')} fields` }],
    })
  }
  // Without a prototype, as Hono's: a field named `__proto__` is a field like any other.
  const form: FormBody = Object.create(null) as FormBody
  for (const [name, value] of new URLSearchParams(bytes.toString('utf8'))) {
    const earlier = form[name]
    if (!options.all || earlier === undefined) form[name] = value
    else if (Array.isArray(earlier)) earlier.push(value)
    else form[name] = [earlier, value]
  }
  // PostgreSQL's text cannot hold U+0000, and no field needs it.
  const held = Object.entries(form).find(([name, value]) => name.includes('\u0000') || [value].flat().some((v) => typeof v === 'string' && v.includes('\u0000')))
  if (held) {
    const pointer = `/${held[0].replace(/^\//, '')}`
    throw new EngineError('request.invalid', `The form's field ${held[0]} holds the character U+0000, which no value may hold.`, { fields: [{ pointer, rule: 'pattern', message: NUL_RULE }] })
  }
  return form
}

/** The fields of a URL-encoded body: its parts between `&`, the empty ones left out (as URLSearchParams does). */
function fieldCount(bytes: Buffer): number {
  let count = 0
  let empty = true
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x26) empty = false
    else if (!empty) {
      count++
      empty = true
    }
  }
  return empty ? count : count + 1
}

/** The largest revision a form may name: the API's `expectedRevision` (what the revision columns hold). */
const MAX_REVISION = apiSchema.$defs.ActRequest.properties.expectedRevision.maximum

/**
 * The revision a form was made at; undefined when the form says none (no field, or blank).
 * @throws {EngineError} `request.invalid` at `/_revision` for anything but a whole number from 1:
 *   a form's revision is never skipped for being malformed.
 */
export function revisionOf(value: unknown): number | undefined {
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined
  const revision = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN
  if (Number.isInteger(revision) && revision >= 1 && revision <= MAX_REVISION) return revision
  throw new EngineError('request.invalid', 'The form does not say which revision it was made at.', {
    fields: [{ pointer: '/_revision', rule: 'type', message: `must be a whole number from 1 to ${MAX_REVISION.toLocaleString('en')}: the revision the page was made at` }],
  })
}
