import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { EventCursors, newEventCursorKey } from '../../engine/event-cursors.js'

// Fixed keys: what a made-up cursor opens to is then the same in every run.
const KEY = Buffer.alloc(32, 7).toString('base64url')
const OTHER_KEY = Buffer.alloc(32, 8).toString('base64url')

/** Whether `cursor` is refused as the feed's cursors are, at `/after`. */
function refused(cursors: EventCursors, cursor: string): boolean {
  try {
    cursors.decode(cursor)
    return false
  } catch (error) {
    expect(error).toMatchObject({ code: 'request.invalid', fields: [{ pointer: '/after', rule: 'format' }] })
    return true
  }
}

describe('the event feed cursors', () => {
  it('give back the place each was made of, the same cursor for the same place', () => {
    const cursors = new EventCursors(KEY)
    const places = [{ tx: 0, position: 0 }, { tx: 0, position: 1 }, { tx: 7, position: 123_456 }, { tx: Number.MAX_SAFE_INTEGER, position: Number.MAX_SAFE_INTEGER }]
    const made = cursors.encodeAll(places)
    expect(made.map((cursor) => cursors.decode(cursor))).toEqual(places)
    expect(places.map((place) => cursors.encode(place))).toEqual(made)
    expect(new Set(made).size).toBe(places.length)
    // Read by another instance on the same key (another server on the database).
    expect(made.map((cursor) => new EventCursors(KEY).decode(cursor))).toEqual(places)
  })

  it('show nothing of the place: neither its numbers nor the order of two places', () => {
    const cursors = new EventCursors(KEY)
    const made = cursors.encodeAll(Array.from({ length: 200 }, (_, i) => ({ tx: 0, position: i + 1 })))
    for (const cursor of made) {
      expect(cursor).toMatch(/^[A-Za-z0-9_-]{22}$/)
      // Not the base64 of a JSON text or of the plain numbers.
      expect(() => JSON.parse(Buffer.from(cursor, 'base64url').toString())).toThrow()
      expect(Buffer.from(cursor, 'base64url').readBigUInt64BE(8)).toBeGreaterThan(200n)
    }
    // Consecutive places do not sort as their cursors do: about half the neighbours are out of order.
    const outOfOrder = made.slice(1).filter((cursor, i) => cursor < (made[i] as string)).length
    expect(outOfOrder).toBeGreaterThan(50)
    expect(outOfOrder).toBeLessThan(150)
  })

  it('differ from one database to another: each makes its own key', () => {
    const place = { tx: 3, position: 42 }
    const [a, b] = [newEventCursorKey(), newEventCursorKey()].map((key) => new EventCursors(key).encode(place))
    expect(a).not.toBe(b)
    // One database's cursor is not one of another's.
    expect(refused(new EventCursors(OTHER_KEY), new EventCursors(KEY).encode(place))).toBe(true)
  })

  it('refuse what they did not make, and go on working after', () => {
    const cursors = new EventCursors(KEY)
    const good = cursors.encode({ tx: 1, position: 2 })
    const legacy = Buffer.from(JSON.stringify(['e', 0, 100])).toString('base64url')
    for (const cursor of ['', 'x', legacy, `${good}A`, good.slice(1), `${good.slice(0, 21)}=`, `${good.slice(0, 21)}+`, 'A'.repeat(22), '_'.repeat(22)]) {
      expect(refused(cursors, cursor), cursor).toBe(true)
    }
    // Made up: refused but about once in four million (11 bits of each number must be 0).
    const madeUp = Array.from({ length: 2000 }, (_, i) => createHash('sha256').update(`made up ${i}`).digest().subarray(0, 16).toString('base64url'))
    expect(madeUp.filter((cursor) => !refused(cursors, cursor))).toEqual([])
    // A refused text leaves nothing behind: the next cursor is read right.
    expect(cursors.decode(good)).toEqual({ tx: 1, position: 2 })
  })

  it('take a key of 32 bytes only', () => {
    expect(() => new EventCursors(Buffer.alloc(16).toString('base64url'))).toThrow(/32 bytes, not 16/)
    expect(Buffer.from(newEventCursorKey(), 'base64url')).toHaveLength(32)
  })
})
