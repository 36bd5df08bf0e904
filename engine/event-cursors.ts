import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import type { Cipher, Decipher } from 'node:crypto'
import { CURSOR_RULE } from './cursor.js'
import { EngineError } from './errors.js'
import type { FeedPosition } from './store/event-feed.js'

/** The name of the feed cursors' key among the engine's keys (the store's `keys`). */
export const EVENT_CURSOR_KEY = 'event-cursor'

/** A new key for {@link EventCursors}: 32 random bytes, in base64url. */
export function newEventCursorKey(): string {
  return randomBytes(32).toString('base64url')
}

/** One AES block: a position's two numbers, 8 bytes each. */
const BLOCK = 16
/** A cursor's text: one block in base64url, unpadded. */
const CURSOR_TEXT = /^[A-Za-z0-9_-]{22}$/

/**
 * The event feed's cursors. A place in the feed is a position in the outbox of every delivery's
 * events: written out, a party reading its own feed would count the platform's events between
 * two of its own (and `end` would give their total). So a cursor is the position encrypted, as
 * one AES-256 block under a key of the database's own: opaque, the same for the same place.
 * Text of any other form is refused, and so is a block made up, but for one in four million
 * (which then stands for some place in the feed, showing only what its reader may see anyway).
 */
export class EventCursors {
  // One block at a time (ECB, no padding), so one cipher serves every call: nothing is carried
  // from one block to the next, provided every call is whole blocks.
  readonly #cipher: Cipher
  readonly #decipher: Decipher

  constructor(key: string) {
    const bytes = Buffer.from(key, 'base64url')
    if (bytes.length !== 32) throw new RangeError(`An event cursor key is 32 bytes, not ${bytes.length}.`)
    this.#cipher = createCipheriv('aes-256-ecb', bytes, null).setAutoPadding(false)
    this.#decipher = createDecipheriv('aes-256-ecb', bytes, null).setAutoPadding(false)
  }

  /** The cursors of `positions`, in their order (encrypted in one call). */
  encodeAll(positions: readonly FeedPosition[]): string[] {
    const blocks = Buffer.alloc(positions.length * BLOCK)
    positions.forEach(({ tx, position }, i) => {
      blocks.writeBigUInt64BE(BigInt(tx), i * BLOCK)
      blocks.writeBigUInt64BE(BigInt(position), i * BLOCK + 8)
    })
    const sealed = this.#cipher.update(blocks)
    return positions.map((_, i) => sealed.subarray(i * BLOCK, (i + 1) * BLOCK).toString('base64url'))
  }

  /** The cursor of `position`. */
  encode(position: FeedPosition): string {
    return this.encodeAll([position])[0] as string
  }

  /** The place `cursor` stands for; `request.invalid` at `/after` if it is not a cursor of this feed. */
  decode(cursor: string): FeedPosition {
    const block = CURSOR_TEXT.test(cursor) ? Buffer.from(cursor, 'base64url') : undefined
    if (block?.length === BLOCK) {
      const opened = this.#decipher.update(block)
      const tx = opened.readBigUInt64BE(0)
      const position = opened.readBigUInt64BE(8)
      if (tx <= Number.MAX_SAFE_INTEGER && position <= Number.MAX_SAFE_INTEGER) return { tx: Number(tx), position: Number(position) }
    }
    throw new EngineError('request.invalid', 'The cursor is not one the event feed returned.', { fields: [{ pointer: '/after', rule: 'format', message: CURSOR_RULE }] })
  }
}
