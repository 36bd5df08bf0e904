import { EngineError } from './errors.js'
import type { ListOrder } from './list-filters.js'

/** A place in a list: the creation instant and id of the last instance of a page, and the list's order. */
export interface CursorPlace {
  readonly createdAt: string
  readonly id: string
  readonly order: ListOrder
}

/**
 * An opaque page cursor for the page after `place`. A newest-first list's cursor says so (the
 * oldest-first ones are as they always were), so that it is never read in the other order.
 */
export function encodeCursor(place: CursorPlace): string {
  const { createdAt, id, order } = place
  return Buffer.from(JSON.stringify(order === 'oldest' ? [createdAt, id] : [createdAt, id, order])).toString('base64url')
}

/** The order of the list `cursor` continues; undefined when it is not a cursor. */
export function cursorOrder(cursor: string): ListOrder | undefined {
  return parseCursor(cursor)?.order
}

/**
 * Reads a cursor made by {@link encodeCursor} for a list in `order`; refuses anything else, and
 * a cursor of a list in the other order, with `request.invalid` at `/cursor` (see list-filters.ts for
 * why that code).
 */
export function decodeCursor(cursor: string, order: ListOrder): CursorPlace {
  const parsed = parseCursor(cursor)
  if (!parsed) throw new EngineError('request.invalid', 'The cursor is not one this API returned.', { fields: [{ pointer: '/cursor', rule: 'format', message: CURSOR_RULE }] })
  if (parsed.order !== order) {
    throw new EngineError('request.invalid', `The cursor continues a list in ${parsed.order}-first order, not ${order}-first.`, { fields: [{ pointer: '/cursor', rule: 'format', message: orderRule(parsed.order) }] })
  }
  return parsed
}

/** What a cursor must be, as rejections say it. */
export const CURSOR_RULE = 'must be the `next` value of a previous page'

/** What a rejection says of a cursor of a list in `order` used with the other order. */
export function orderRule(order: ListOrder): string {
  return `continues a list in ${order}-first order: pass order=${order} with it, or leave it out to start from the first page`
}

function parseCursor(cursor: string): CursorPlace | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString())
    if (Array.isArray(parsed) && (parsed.length === 2 || (parsed.length === 3 && parsed[2] === 'newest'))) {
      const [createdAt, id] = parsed as unknown[]
      // Only what encodeCursor writes: an instant and an id, neither holding U+0000 (a forged one would reach the database).
      if (typeof createdAt === 'string' && typeof id === 'string' && !`${createdAt}${id}`.includes('\u0000')) return { createdAt, id, order: parsed.length === 2 ? 'oldest' : 'newest' }
    }
  } catch {
    // not JSON: not a cursor
  }
  return undefined
}
