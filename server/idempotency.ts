import { createHash, randomUUID } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { EngineError, iso, storedResponse } from '../engine/index.js'
import type { Clock, InstanceView, Receipt, Store } from '../engine/index.js'
import { bodyText } from './body.js'
import type { AppEnv } from './env.js'

/**
 * How long a claimed key may stay unanswered before a retry may take it over. Only requests that
 * store their answer in their own write's transaction can be taken over (start, act, terminate):
 * the first request, if it is still alive, then finds the key no longer its own and writes
 * nothing. Longer than such a request runs.
 */
const ABANDONED_AFTER_SECONDS = 60
const TAKEOVER_PATHS = /^\/v1\/instances(\/[^/]+\/(act|terminate))?$/

/** The media type `c.json()` answers with, stored with answers written by the engine. */
const JSON_TYPE = 'application/json'

/**
 * For a write answered with `c.json(view, status)`: the receipt the engine stores in the write's
 * own transaction when the request carries an Idempotency-Key (undefined otherwise).
 */
export function receiptFor(c: Context<AppEnv>, status: number): ((view: InstanceView) => Receipt) | undefined {
  const claimed = c.get('idempotencyKey')
  if (!claimed) return undefined
  return (view) => {
    c.set('receiptWritten', true)
    const body = JSON.stringify(view)
    c.set('receiptBody', { view, body })
    return { ...claimed, status, response: { body, type: JSON_TYPE } }
  }
}

/**
 * Answers a write's view as `c.json(view, status)` would, with the JSON its receipt stored when
 * there is one (the view is then serialised once, not twice).
 */
export function answerView(c: Context<AppEnv>, view: InstanceView, status: 200 | 201 = 200, headers?: Record<string, string>): Response {
  const stored = c.get('receiptBody')
  if (stored?.view !== view) return c.json(view, status, headers)
  return c.body(stored.body, status, { ...headers, 'Content-Type': JSON_TYPE })
}

export interface IdempotencyOptions {
  /** How long a key is remembered, in seconds. */
  readonly ttlSeconds: number
}

/**
 * `Idempotency-Key` on POST: the first request with a key runs and its response (any status but
 * 5xx) is stored; a retry with the same key, principal and request replays it without acting
 * again (`Idempotent-Replayed: true`); the same key with another request is refused (422), and
 * one arriving while the first still runs gets 409 (after a minute unanswered, a start, act or
 * terminate is taken for dead and the retry runs). Keys are scoped to the principal and expire.
 *
 * An upload is streamed, never buffered, so it is told by its URL and the SHA-256 of its file,
 * which only streaming it gives: the key is claimed before the body is read, and the file's hash
 * joins the key's `request_hash` when the upload is answered. A retry of a stored upload is handed
 * to the route with `uploadReplay`, which hashes the retry's file (keeping nothing) and replays the
 * answer for the same bytes or refuses others (`idempotency.mismatch`). A refused upload
 * gives its key back, as a failed one does: nothing was stored, and its bytes were maybe never read.
 * An answer holding a secret (`secretAnswer`: a console sign-in link) is never stored either, and
 * its key is given back. One whose action must not be repeated (a webhook endpoint created, its
 * secret rotated) is stored without its secret (`answerWithoutSecret`): a retry is answered what
 * was done, the secret left out, and nothing is done again.
 */
export function idempotency(store: Store, clock: Clock, options: IdempotencyOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key')
    if (c.req.method !== 'POST' || key === undefined) return next()
    if (key.length < 1 || key.length > 255) {
      throw new EngineError('request.invalid', 'An Idempotency-Key must be 1 to 255 characters.', { fields: [{ pointer: '/headers/idempotency-key', rule: 'maxLength', message: 'must be 1 to 255 characters' }] })
    }
    const { role, subject } = c.get('principal')
    const principal = `${role}:${subject}`
    // An upload's body cannot be hashed before it is read; a multipart body also differs on every
    // retry by its boundary. Its file's hash is added once known (see `uploadHash`).
    const upload = c.req.path === '/v1/attachments'
    const fingerprint = upload ? '' : bodyText(c)
    // The path and query, not the whole URL: a retry may reach another server behind another host name.
    const target = new URL(c.req.url)
    const requestHash = createHash('sha256').update(`${c.req.method} ${target.pathname}${target.search}\n${fingerprint}`).digest('hex')
    const now = iso(clock.now())
    const token = randomUUID()
    const row = { principal, key, request_hash: requestHash, status: null, response: null, created_at: now, expires_at: iso(clock.now().add({ seconds: options.ttlSeconds })), claim_token: token }

    let claimed = await store.idempotency.claim(row)
    if (!claimed) {
      const existing = await store.idempotency.find(principal, key)
      if (!existing || existing.expires_at <= now) {
        if (existing) await store.idempotency.removeExpired(principal, key, now)
        claimed = await store.idempotency.claim(row)
      } else if (upload && existing.status !== null) {
        // Only the bytes tell a retry of this upload from another file: the route reads and hashes them.
        c.set('uploadReplay', (sha256) => {
          const stored = storedResponse(existing)
          if (uploadHash(requestHash, sha256) !== existing.request_hash || !stored) throw mismatch(key)
          return c.body(stored.body, existing.status as 200, { 'Content-Type': stored.type, 'Idempotent-Replayed': 'true' })
        })
        return next()
      } else if (existing.request_hash !== requestHash) {
        throw mismatch(key)
      } else if (existing.status === null) {
        const abandoned = TAKEOVER_PATHS.test(c.req.path) && existing.created_at <= iso(clock.now().subtract({ seconds: ABANDONED_AFTER_SECONDS }))
        claimed = abandoned && await store.idempotency.takeOver(row, existing)
      } else {
        const stored = storedResponse(existing)
        if (stored) return c.body(stored.body, existing.status as 200, { 'Content-Type': stored.type, 'Idempotent-Replayed': 'true' })
      }
      if (!claimed) throw new EngineError('idempotency.in-progress', `A request with Idempotency-Key "${key}" is still running; retry in a moment.`)
    }
    c.set('idempotencyKey', { principal, key, token })
    try {
      await next()
    } catch (error) {
      await store.idempotency.release(principal, key, token)
      throw error
    }
    // A secret is never kept in the clear: a retry with the same key makes a new one (the first expires unused).
    // A refusal for now (429: a quota used up, a queue full) is no answer to keep: a retry later is tried again.
    if (c.res.status >= 500 || c.res.status === 429 || (upload && c.res.status >= 400) || c.get('secretAnswer')) {
      await store.idempotency.release(principal, key, token)
      return
    }
    // A write through the engine that succeeded stored its answer in its own transaction; the
    // rest, refusals included, store it now (unless a retry took the key over meanwhile).
    if (c.get('receiptWritten') && c.res.status < 300) return
    const body = c.get('answerWithoutSecret') ?? await c.res.clone().text()
    const sha256 = c.get('uploadSha256')
    await store.idempotency.complete({ principal, key, token, status: c.res.status, response: { body, type: c.res.headers.get('content-type') ?? JSON_TYPE } }, sha256 === undefined ? undefined : uploadHash(requestHash, sha256))
  }
}

/** The request hash of an upload: that of its URL, with the SHA-256 of its file. */
function uploadHash(requestHash: string, sha256: string): string {
  return createHash('sha256').update(`${requestHash}\nsha-256 ${sha256}`).digest('hex')
}

function mismatch(key: string): EngineError {
  return new EngineError('idempotency.mismatch', `Idempotency-Key "${key}" was already used with a different request; use a new key for a new request.`)
}
