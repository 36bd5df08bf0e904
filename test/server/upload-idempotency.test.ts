import { readdirSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { snapshot } from '../support/engine.js'
import { openApi } from '../support/http.js'
import type { Api } from '../support/http.js'
import { serveOnLoopback } from '../support/loopback.js'
import type { Loopback } from '../support/loopback.js'

let api: Api
let server: Loopback
beforeEach(async () => {
  api = await openApi({ uploadBytes: 4 * 1024 * 1024 })
  server = await serveOnLoopback(api)
})
afterEach(async () => {
  await server.close()
  await api.close()
})

/** `size` bytes of `fill`, with a marker at the start so two files of one size differ only there. */
const bytesOf = (size: number, fill: number, marker = 'A'): Uint8Array => {
  const bytes = new Uint8Array(size).fill(fill)
  bytes.set(Buffer.from(marker), 0)
  return bytes
}

/** Uploads `bytes` over HTTP as the customer with Idempotency-Key `key`: raw with `?filename=`, or as multipart/form-data (a new boundary each time). */
async function upload(key: string, bytes: Uint8Array, as: 'raw' | 'multipart' = 'raw'): Promise<Response> {
  const headers = { Authorization: `Bearer ${api.tokens.customer}`, 'Idempotency-Key': key }
  if (as === 'raw') return fetch(`${server.url}/v1/attachments?filename=notes.bin`, { method: 'POST', headers, body: bytes })
  const form = new FormData()
  form.append('file', new Blob([bytes]), 'notes.bin')
  return fetch(`${server.url}/v1/attachments`, { method: 'POST', headers, body: form })
}

const stored = (): string[] => readdirSync(api.attachmentsDir).sort()

describe('Idempotency-Key on uploads (compared by the bytes, hashed while streaming)', () => {
  it.each(['multipart', 'raw'] as const)('replays a %s retry with the same bytes and keeps one file (a multipart retry comes in a new envelope)', async (as) => {
    const file = bytesOf(3 * 1024 * 1024, 0x61)
    const first = await upload('up-1', file, as)
    expect(first.status).toBe(201)
    const body = await first.text()
    const before = await snapshot(api.database)

    for (let i = 0; i < 2; i++) {
      const retry = await upload('up-1', file, as)
      expect(retry.status).toBe(201)
      expect(retry.headers.get('idempotent-replayed')).toBe('true')
      expect(await retry.text()).toBe(body)
    }
    expect(await snapshot(api.database)).toEqual(before)
    expect(stored()).toHaveLength(1)
  })

  it('refuses the same key with other bytes of the same size (idempotency.mismatch, 422) and keeps nothing of them', async () => {
    const first = await upload('up-2', bytesOf(200_000, 0x62, 'first'))
    expect(first.status).toBe(201)
    const before = await snapshot(api.database)
    const files = stored()

    for (let i = 0; i < 2; i++) {
      const other = await upload('up-2', bytesOf(200_000, 0x62, 'other'))
      expect(other.status).toBe(422)
      expect(other.headers.get('content-type')).toBe('application/problem+json')
      expect(await other.json()).toMatchObject({ code: 'idempotency.mismatch' })
    }
    expect(await snapshot(api.database)).toEqual(before)
    expect(stored()).toEqual(files)

    // The first answer still replays for the first bytes.
    const replay = await upload('up-2', bytesOf(200_000, 0x62, 'first'))
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(await replay.json()).toEqual(await first.json())
  })

  it('binds a key to bytes only once they are stored: a refused upload is retried with the same key and runs', async () => {
    const tooLarge = await upload('up-3', bytesOf(4 * 1024 * 1024 + 1, 0x63))
    expect(tooLarge.status).toBe(413)
    const empty = await upload('up-3', new Uint8Array(0))
    expect(empty.status).toBe(422)
    const fitting = await upload('up-3', bytesOf(1000, 0x63))
    expect(fitting.status).toBe(201)
    expect(fitting.headers.get('idempotent-replayed')).toBeNull()
    expect(stored()).toHaveLength(1)
  })
})
