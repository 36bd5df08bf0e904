import { timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { CookieOptions } from 'hono/utils/cookie'
import { EngineError } from '../engine/index.js'
import type { AppEnv } from '../server/env.js'
import { readForm } from './form-body.js'
import type { ConsoleSessions } from './sessions.js'

/** The cookie that carries a console session's secret. */
export const SESSION_COOKIE = 'dc_session'
/** Where a person without a session is sent, with `?next=<the page asked for>`. */
export const SIGN_IN_PATH = '/console/sign-in'
/** The form field and the header a state-changing console request carries its CSRF token in. */
export const CSRF_FIELD = '_csrf'
export const CSRF_HEADER = 'X-CSRF-Token'

export interface ConsoleSessionOptions {
  /** Whether the routes need a signed-in person: else a GET is sent to the sign-in page (303) and anything else is refused (401). */
  readonly required: boolean
  /** The server's public URL (`--public-url`), whose origin is accepted besides the request's own. */
  readonly publicUrl?: string | undefined
}

/**
 * The console's sessions: reads the `dc_session` cookie and, for a valid session, sets
 * `principal`, `consoleSession` and `csrf` (the token its forms must send). Without one, a route
 * that `required` a session sends a GET or HEAD to {@link SIGN_IN_PATH}`?next=PATH` (303) and
 * refuses anything else with `auth.missing` (401).
 *
 * Every request other than GET and HEAD is checked against cross-site request forgery: its
 * `Origin` (or, without one, `Sec-Fetch-Site`) must be this server's own origin, and on a route
 * that requires a session it must carry the session's CSRF token in the form field `_csrf` (of a
 * URL-encoded form) or the header `X-CSRF-Token` (uploads). Refused with `console.csrf` (403).
 */
export function consoleSession(sessions: ConsoleSessions, options: ConsoleSessionOptions): MiddlewareHandler<AppEnv> {
  const publicOrigin = options.publicUrl === undefined ? undefined : new URL(options.publicUrl).origin
  return async (c, next) => {
    const secret = getCookie(c, SESSION_COOKIE)
    const session = secret ? await sessions.find(secret) : undefined
    const safe = c.req.method === 'GET' || c.req.method === 'HEAD'
    if (!safe && !sameOrigin(c, publicOrigin)) {
      throw new EngineError('console.csrf', 'This request did not come from a page of this console (its Origin or Sec-Fetch-Site names another site, or neither was sent); it was refused.')
    }
    if (!session || !secret) {
      if (!options.required) {
        c.set('consoleSession', undefined)
        c.set('csrf', undefined)
        return next()
      }
      if (safe) {
        const url = new URL(c.req.url)
        return c.redirect(`${SIGN_IN_PATH}?next=${encodeURIComponent(url.pathname + url.search)}`, 303)
      }
      throw new EngineError('auth.missing', `Sign in to the console first, at ${SIGN_IN_PATH}; the session is missing, has expired or has ended.`)
    }
    const csrf = sessions.csrfToken(secret)
    // Signing in (a route that needs no session) is checked by origin only: a person still
    // signed in may use a new link or token, whose forms carry no session's token.
    if (!safe && options.required && !matches(await sentCsrfToken(c), csrf)) {
      throw new EngineError('console.csrf', `The request did not carry this session's CSRF token (form field ${CSRF_FIELD} or header ${CSRF_HEADER}); reload the page and try again.`)
    }
    c.set('principal', session.principal)
    c.set('consoleSession', { secret, expiresAt: session.expiresAt })
    c.set('csrf', csrf)
    return next()
  }
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Path=/, Secure over HTTPS, expiring with the session. */
export function setSessionCookie(c: Context, secret: string, expiresAt: string): void {
  setCookie(c, SESSION_COOKIE, secret, { ...cookieOptions(c), expires: new Date(expiresAt) })
}

/** Removes the session cookie from the browser (the session itself is ended with `ConsoleSessions.end`). */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c))
}

/** Whether the request reached the server over HTTPS: its URL says so, or a proxy's `X-Forwarded-Proto: https` does. */
export function isHttps(c: Context): boolean {
  const forwarded = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase()
  return new URL(c.req.url).protocol === 'https:' || forwarded === 'https'
}

function cookieOptions(c: Context): CookieOptions {
  return { httpOnly: true, sameSite: 'Strict', path: '/', secure: isHttps(c) }
}

/**
 * Whether a state-changing request comes from this server's own pages: its `Origin` is the
 * request's own origin (scheme as {@link isHttps} says, host from the URL) or the public URL's;
 * without an `Origin`, `Sec-Fetch-Site` must be `same-origin`. With neither, it is refused.
 */
function sameOrigin(c: Context, publicOrigin: string | undefined): boolean {
  const origin = c.req.header('origin')
  if (origin === undefined) return c.req.header('sec-fetch-site') === 'same-origin'
  const own = `${isHttps(c) ? 'https:' : 'http:'}//${new URL(c.req.url).host}`
  return origin === own || origin === publicOrigin
}

/**
 * The CSRF token the request sent: the header, else the `_csrf` field of a URL-encoded form
 * (small: the console limits forms to 1 MiB). Any other body (an upload) must send the header:
 * it is never read here, so no upload is buffered to find a token.
 */
async function sentCsrfToken(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER)
  if (header !== undefined) return header
  if (!/^application\/x-www-form-urlencoded\b/i.test(c.req.header('content-type') ?? '')) return undefined
  const field = (await readForm(c))[CSRF_FIELD]
  return typeof field === 'string' ? field : undefined
}

function matches(sent: string | undefined, expected: string): boolean {
  if (sent === undefined) return false
  const a = Buffer.from(sent)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
