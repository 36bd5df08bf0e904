import { createHash, randomBytes } from 'node:crypto'
import { Temporal } from 'temporal-polyfill'
import type { MiddlewareHandler } from 'hono'
import { EngineError, forbidden, iso, may } from '../engine/index.js'
import type { Clock, Permission, Store, TokenRow } from '../engine/index.js'
import type { AppEnv } from './env.js'

/** Roles a token may carry: the built-in ones and any kebab-case party role a process declares. */
export const ROLE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

/** SHA-256 of a token, hex: tokens are random 256-bit secrets, so a fast hash is what stores them safely. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export interface NewToken {
  readonly role: string
  readonly subject: string
  readonly label?: string
  /** RFC 3339 instant after which the token is refused. */
  readonly expiresAt?: string
}

/**
 * Creates a token and stores only its hash. The token is returned once; it cannot be recovered.
 * @throws {RangeError} for a role or subject that is not acceptable.
 */
export async function createToken(store: Store, token: NewToken, now: string): Promise<string> {
  if (!ROLE.test(token.role)) throw new RangeError(`Role "${token.role}" must be kebab-case, such as customer, isv, admin or system.`)
  if (token.subject.trim() === '' || token.subject.length > 200) throw new RangeError('The subject must be 1 to 200 characters.')
  const secret = `dc_${randomBytes(32).toString('base64url')}`
  await store.tokens.insert({
    hash: hashToken(secret), role: token.role, subject: token.subject, label: token.label ?? null,
    created_at: now, expires_at: token.expiresAt ? iso(Temporal.Instant.from(token.expiresAt)) : null,
    last_used_at: null, revoked_at: null,
  })
  return secret
}

/** How long a token found in the database is trusted without reading its row again, in milliseconds. */
export const TOKEN_CACHE_MS = 5_000
/** Most tokens remembered at once; the oldest is forgotten first. */
const TOKEN_CACHE_SIZE = 10_000
/** How often a token's `last_used_at` is written at most: a write per request would cost every request. */
export const TOKEN_TOUCH_MS = 60_000

/**
 * Token rows by hash, each kept for {@link TOKEN_CACHE_MS}: looking a token up is about a tenth
 * of an act's cost. Only tokens found are kept (a token just created works at once), and expiry
 * and revocation are checked on every request; a row revoked or deleted in the database by
 * another process is still honoured until its entry lapses (a revocation through this process
 * forgets it at once).
 */
class TokenCache {
  readonly #entries = new Map<string, { readonly row: TokenRow; readonly until: number }>()

  async find(hash: string, now: number, lookup: (hash: string) => Promise<TokenRow | undefined>): Promise<TokenRow | undefined> {
    const cached = this.#entries.get(hash)
    if (cached && cached.until > now) return cached.row
    this.#entries.delete(hash)
    const row = await lookup(hash)
    if (row) {
      if (this.#entries.size >= TOKEN_CACHE_SIZE) this.#entries.delete(this.#entries.keys().next().value as string)
      this.#entries.set(hash, { row, until: now + TOKEN_CACHE_MS })
    }
    return row
  }

  /**
   * Records a token's last use in its remembered row, keeping when it lapses (nothing if it is not
   * remembered). Only that field: the row remembered now may be newer than the one the request
   * started with (revoked meanwhile), and must not be put back.
   */
  touched(hash: string, lastUsedAt: string): void {
    const cached = this.#entries.get(hash)
    if (cached) this.#entries.set(hash, { row: { ...cached.row, last_used_at: lastUsedAt }, until: cached.until })
  }

  /** Forgets every token whose hash starts with `prefix`, so its row is read again on its next use. */
  forget(prefix: string): void {
    for (const hash of this.#entries.keys()) if (hash.startsWith(prefix)) this.#entries.delete(hash)
  }
}

/** One cache per store, shared by the authentication of its app and by token revocation. */
const caches = new WeakMap<Store, TokenCache>()

function cacheOf(store: Store): TokenCache {
  let cache = caches.get(store)
  if (!cache) caches.set(store, cache = new TokenCache())
  return cache
}

/** Makes this process read the rows of the tokens whose hash starts with `prefix` again on their next use (after a revocation). */
export function forgetTokens(store: Store, prefix: string): void {
  cacheOf(store).forget(prefix)
}

/**
 * Resolves the bearer token of every request to its principal; 401 for a missing, unknown,
 * expired or revoked one. Records when each token last made a request that succeeded (status
 * below 400), at most once per {@link TOKEN_TOUCH_MS}; failing to record it never fails the request.
 */
export function authenticate(store: Store, clock: Clock): MiddlewareHandler<AppEnv> {
  const tokens = cacheOf(store)
  const lookup = (hash: string): Promise<TokenRow | undefined> => store.tokens.find(hash)
  return async (c, next) => {
    const header = c.req.header('authorization')
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (!match) {
      c.header('WWW-Authenticate', 'Bearer')
      throw new EngineError('auth.missing', 'Send an API token as `Authorization: Bearer <token>`; create one with `npx delivery-center token create --role R --subject S`.')
    }
    const now = clock.now()
    const hash = hashToken(match[1] as string)
    const row = await tokens.find(hash, now.epochMilliseconds, lookup)
    if (!row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= iso(now))) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"')
      throw new EngineError('auth.invalid', 'The token is unknown, has expired or has been revoked.')
    }
    c.set('principal', { role: row.role, subject: row.subject })
    await next()
    // Recorded once the request has succeeded: a refused request changes nothing.
    if (c.res.status < 400 && (row.last_used_at === null || row.last_used_at <= iso(now.subtract({ milliseconds: TOKEN_TOUCH_MS })))) {
      const used = iso(now)
      tokens.touched(hash, used)
      // Best effort: when the write fails (a busy or read-only database), the next read of the row tries again.
      await store.tokens.touch(hash, used).catch(() => undefined)
    }
  }
}

/** Refuses callers without `permission` (403 `auth.forbidden`), as the engine would. */
export function requirePermission(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.get('principal')
    if (!may(principal, permission)) {
      const { code, message } = forbidden(principal, permission)
      throw new EngineError(code, message)
    }
    await next()
  }
}

