import type { Context } from 'hono'
import { EngineError } from '../engine/index.js'
import { NUL_RULE } from '../server/request-limits.js'

/** A console form's fields: `all` keeps every value of a repeated name. */
export type FormBody = Record<string, string | File | Array<string | File>>

/**
 * The fields of a console form (URL-encoded, the only kind its pages send). A body that cannot be
 * read as one is the client's mistake (`request.malformed`, 400), never the server's.
 */
export async function readForm(c: Context, options: { all?: boolean } = {}): Promise<FormBody> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new EngineError('request.malformed', 'A console form is sent as application/x-www-form-urlencoded.')
  }
  let form: FormBody
  try {
    form = await c.req.parseBody({ all: options.all ?? false })
  } catch (error) {
    throw new EngineError('request.malformed', 'The form could not be read.', { cause: error })
  }
  // PostgreSQL's text cannot hold U+0000, and no field needs it.
  const held = Object.entries(form).find(([name, value]) => name.includes('\u0000') || [value].flat().some((v) => typeof v === 'string' && v.includes('\u0000')))
  if (held) {
    const pointer = `/${held[0].replace(/^\//, '')}`
    throw new EngineError('request.invalid', `The form's field ${held[0]} holds the character U+0000, which no value may hold.`, { fields: [{ pointer, rule: 'pattern', message: NUL_RULE }] })
  }
  return form
}

/** The revision a form was made at; undefined when the form says none (blank or not a whole number). */
export function revisionOf(value: unknown): number | undefined {
  const revision = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
  return Number.isInteger(revision) ? revision : undefined
}
