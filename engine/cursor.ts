import { EngineError } from './errors.js'

/** An opaque page cursor: the creation instant and id of the last instance of a page. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url')
}

/** Whether `cursor` is one {@link encodeCursor} made. */
export function isCursor(cursor: string): boolean {
  return parseCursor(cursor) !== undefined
}

/** Reads a cursor made by {@link encodeCursor}; refuses anything else with `input.invalid`. */
export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const parsed = parseCursor(cursor)
  if (parsed) return parsed
  throw new EngineError('input.invalid', 'The cursor is not one this API returned.', { fields: [{ pointer: '/cursor', rule: 'format', message: CURSOR_RULE }] })
}

/** What a cursor must be, as rejections say it. */
export const CURSOR_RULE = 'must be the `next` value of a previous page'

function parseCursor(cursor: string): { createdAt: string; id: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString())
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [createdAt, id] = parsed as unknown[]
      if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id }
    }
  } catch {
    // not JSON: not a cursor
  }
  return undefined
}
