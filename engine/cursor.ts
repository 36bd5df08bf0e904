import { EngineError } from './errors.js'

/** An opaque page cursor: the creation instant and id of the last instance of a page. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url')
}

/** Reads a cursor made by {@link encodeCursor}; refuses anything else with `input.invalid`. */
export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[]
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id }
  } catch {
    // fall through to the rejection below
  }
  throw new EngineError('input.invalid', 'The cursor is not one this API returned.', { fields: [{ pointer: '/cursor', rule: 'format', message: 'must be the `next` value of a previous page' }] })
}
