import { hash, randomBytes } from 'node:crypto'
import { Temporal } from 'temporal-polyfill'
import type { MiddlewareHandler } from 'hono'
import { EngineError, forbidden, iso, may } from '../engine/index.js'
import type { Clock, Permission, Principal, Store, TokenRow } from '../engine/index.js'
import type { AppEnv } from './env.js'

/** Roles a token may carry: the built-in ones and any kebab-case party role a process declares. */
export const ROLE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

/** SHA-256 of a token, hex: tokens are random 256-bit secrets, so a fast hash is what stores them safely. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex')
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

/** A token row as remembered: with its instants read once as epoch milliseconds, so a request compares numbers. */
interface CachedToken {
  readonly row: TokenRow
  /** When the entry lapses and the row is read again. */
  readonly until: number
  /** `expires_at` in epoch milliseconds, or null when the token never expires. */
  readonly expiresMs: number | null
  /** `last_used_at` in epoch milliseconds, or null when never recorded. */
  readonly usedMs: number | null
  /** Who the token speaks for, one object shared by its requests. */
  readonly principal: Principal
}

function cached(row: TokenRow, until: number): CachedToken {
  return {
    row, until,
    expiresMs: row.expires_at === null ? null : Date.parse(row.expires_at),
    usedMs: row.last_used_at === null ? null : Date.parse(row.last_used_at),
    principal: { role: row.role, subject: row.subject },
  }
}

/**
 * Token rows by hash, each kept for {@link TOKEN_CACHE_MS}: looking a token up is about a tenth
 * of an act's cost. Only tokens found are kept (a token just created works at once), and expiry
 * and revocation are checked on every request; a row revoked or deleted in the database by
 * another process is still honoured until its entry lapses (a revocation through this process
 * forgets it at once).
 */
class TokenCache {
  readonly #entries = new Map<string, CachedToken>()

  /** The token remembered for `hash` and not lapsed at `now`, if any: no promise for the common case. */
  remembered(hash: string, now: number): CachedToken | undefined {
    const entry = this.#entries.get(hash)
    return entry !== undefined && entry.until > now ? entry : undefined
  }

  /** Reads the token's row with `lookup` and remembers it; undefined when there is none. */
  async read(hash: string, now: number, lookup: (hash: string) => Promise<TokenRow | undefined>): Promise<CachedToken | undefined> {
    this.#entries.delete(hash)
    const row = await lookup(hash)
    if (!row) return undefined
    if (this.#entries.size >= TOKEN_CACHE_SIZE) this.#entries.delete(this.#entries.keys().next().value as string)
    const fresh = cached(row, now + TOKEN_CACHE_MS)
    this.#entries.set(hash, fresh)
    return fresh
  }

  /**
   * Records a token's last use in its remembered row, keeping when it lapses (nothing if it is not
   * remembered). Only that field: the row remembered now may be newer than the one the request
   * started with (revoked meanwhile), and must not be put back.
   */
  touched(hash: string, lastUsedAt: string): void {
    const entry = this.#entries.get(hash)
    if (entry) this.#entries.set(hash, cached({ ...entry.row, last_used_at: lastUsedAt }, entry.until))
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
      c.header('WWW-Authenticate', header === undefined ? 'Bearer' : 'Bearer error="invalid_request"')
      // What is wrong with a header that was sent, never its value (it may hold a secret).
      const sent = header === undefined ? ''
        : /^Bearer\s*$/i.test(header) ? 'The Authorization header holds no token after Bearer. '
          : /^Bearer\s/i.test(header) ? 'The Authorization header holds more than one token. '
            : 'The Authorization header is not of the Bearer scheme. '
      throw new EngineError('auth.missing', `${sent}Send an API token as \`Authorization: Bearer <token>\`; create one with \`npx delivery-center token create --role R --subject S\`.`)
    }
    // One reading of the clock, and numbers from there on: formatting and comparing instants per
    // request cost more than looking the token up.
    const now = clock.now().epochMilliseconds
    const hash = hashToken(match[1] as string)
    const token = tokens.remembered(hash, now) ?? await tokens.read(hash, now, lookup)
    if (!token || token.row.revoked_at !== null || (token.expiresMs !== null && token.expiresMs <= now)) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"')
      throw new EngineError('auth.invalid', 'The token is unknown, has expired or has been revoked.')
    }
    c.set('principal', token.principal)
    await next()
    // Recorded once the request has succeeded: a refused request changes nothing.
    if (c.res.status < 400 && (token.usedMs === null || token.usedMs <= now - TOKEN_TOUCH_MS)) {
      const used = iso(Temporal.Instant.fromEpochMilliseconds(now))
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

