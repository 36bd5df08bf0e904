import { createHmac, randomBytes } from 'node:crypto'
import { EngineError, isSystem, iso } from '../engine/index.js'
import type { Clock, FieldProblem, Principal, Store } from '../engine/index.js'
import { hashToken, ROLE } from '../server/auth.js'

/** The path of a sign-in link under the server's public URL: `/console/link/<secret>`. */
export function signInLinkPath(secret: string): string {
  return `/console/link/${secret}`
}

/** How long a sign-in link can be used, once. */
export const LINK_TTL = { minutes: 10 } as const
/** How long a console session lasts at most (a session opened with an API token also ends with the token). */
export const SESSION_TTL = { hours: 12 } as const
/** Where a link lands when it names no other page. */
export const CONSOLE_HOME = '/console'
/** Longest return path accepted. */
const RETURN_PATH_MAX = 2048

/** What a sign-in link is for: who it signs in, and where in the console it lands. */
export interface NewLink {
  readonly role: string
  readonly subject: string
  /** A path in the console (see {@link returnPathProblem}); {@link CONSOLE_HOME} when omitted. */
  readonly returnPath?: string | undefined
}

/** A link's secret, shown once; only its hash is stored. */
export interface IssuedLink {
  readonly secret: string
  /** RFC 3339 instant after which the link is refused. */
  readonly expiresAt: string
}

/** A session just opened: its secret goes into the cookie, once; only its hash is stored. */
export interface OpenedSession {
  readonly secret: string
  readonly expiresAt: string
  readonly principal: Principal
  /** Where to go now: the link's return path, or {@link CONSOLE_HOME} for a session opened with a token. */
  readonly returnPath: string
}

/** A valid session, as found from its secret. */
export interface ConsoleSession {
  readonly principal: Principal
  readonly expiresAt: string
}

/**
 * Why `path` is not a page of the console a link may land on, or undefined when it is: it must be
 * `/console` or start with `/console/` (`?` or `#` may follow `/console`), and hold no `//`, no
 * backslash, no `.` or `..` segment, no space or control character, so it can never lead to
 * another site (no open redirect).
 */
export function returnPathProblem(path: string): string | undefined {
  const inConsole = /^\/console(?:[/?#]|$)/.test(path) && !path.includes('//') && !/[\\\s\p{Cc}]/u.test(path)
    && !/\/\.{1,2}(?:[/?#]|$)/.test(path) && path.length <= RETURN_PATH_MAX
    // As a browser reads it: `%2e%2e` is `..` to a URL parser, so the path must stay in the console once resolved.
    && /^\/console(?:\/|$)/.test(new URL(path, 'http://console.invalid').pathname)
  return inConsole ? undefined : `must be a path in the console: /console or one starting with /console/, at most ${RETURN_PATH_MAX} characters, without //, backslashes, . or .. segments, spaces, a scheme or a host`
}

/**
 * What is wrong with a link request, each at the pointer of its field in the API's body
 * (`/role`, `/subject`, `/returnUrl`); empty when nothing is.
 */
export function linkProblems(link: NewLink): FieldProblem[] {
  const problems: FieldProblem[] = []
  if (!ROLE.test(link.role)) problems.push({ pointer: '/role', rule: 'pattern', message: 'must be a kebab-case role, such as customer, isv or admin' })
  else if (isSystem(link)) problems.push({ pointer: '/role', rule: 'not', message: 'must be a role a person holds: a console user is never the system' })
  if (link.subject.trim() === '' || link.subject.length > 200) problems.push({ pointer: '/subject', rule: 'maxLength', message: 'must be 1 to 200 characters, not only spaces' })
  const path = link.returnPath === undefined ? undefined : returnPathProblem(link.returnPath)
  if (path) problems.push({ pointer: '/returnUrl', rule: 'pattern', message: path })
  return problems
}

/**
 * Sign-in links and sessions of the console. Secrets are random 256-bit values shown once and
 * stored as SHA-256 hashes; every check reads the database, so a session ended or a token revoked
 * on one server is refused by every server at once. The clock should be the real one: sessions,
 * like tokens, expire in real time whatever a sandbox clock says.
 */
export class ConsoleSessions {
  readonly #store: Store
  readonly #clock: Clock
  constructor(store: Store, clock: Clock) {
    this.#store = store
    this.#clock = clock
  }

  /**
   * Creates a one-time sign-in link valid for {@link LINK_TTL}.
   * @throws {EngineError} `request.invalid` naming each failing field ({@link linkProblems}).
   */
  async createLink(link: NewLink): Promise<IssuedLink> {
    const fields = linkProblems(link)
    if (fields.length > 0) throw new EngineError('request.invalid', `The sign-in link request is invalid: ${fields.map((f) => `${f.pointer} ${f.message}`).join('; ')}.`, { fields })
    const now = this.#clock.now()
    const secret = newSecret('dcl_')
    const expiresAt = iso(now.add(LINK_TTL))
    await this.#store.console.insertLink({
      hash: hashToken(secret), role: link.role, subject: link.subject, return_path: link.returnPath ?? CONSOLE_HOME,
      created_at: iso(now), expires_at: expiresAt, used_at: null,
    })
    return { secret, expiresAt }
  }

  /** Whom a sign-in link would sign in, without using it; undefined for a link unknown, used or expired. */
  async linkPrincipal(secret: string): Promise<Principal | undefined> {
    const link = await this.#store.console.findUsableLink(hashToken(secret), iso(this.#clock.now()))
    return link && { role: link.role, subject: link.subject }
  }

  /** Uses a sign-in link and opens a session for its principal; undefined for a link unknown, used or expired. */
  async redeem(secret: string): Promise<OpenedSession | undefined> {
    const now = this.#clock.now()
    const link = await this.#store.console.redeemLink(hashToken(secret), iso(now))
    if (!link) return undefined
    return this.#open({ role: link.role, subject: link.subject }, iso(now.add(SESSION_TTL)), null, link.return_path)
  }

  /**
   * Opens a session for the principal of an API token an operator pasted: refused (undefined) when
   * the token is unknown, revoked, expired, or a `system` token (a person is never the system).
   * The session ends when the token expires or is revoked, and after {@link SESSION_TTL} at most.
   */
  async openWithToken(apiToken: string): Promise<OpenedSession | undefined> {
    const now = iso(this.#clock.now())
    const hash = hashToken(apiToken.trim())
    const token = await this.#store.tokens.find(hash)
    if (!token || token.revoked_at !== null || (token.expires_at !== null && token.expires_at <= now) || isSystem(token)) return undefined
    await this.#store.tokens.touch(hash, now)
    const longest = iso(this.#clock.now().add(SESSION_TTL))
    const expiresAt = token.expires_at !== null && token.expires_at < longest ? token.expires_at : longest
    return this.#open({ role: token.role, subject: token.subject }, expiresAt, hash, CONSOLE_HOME)
  }

  /** The session this cookie secret carries, or undefined when it is unknown, expired, ended, or its token was revoked or has expired. */
  async find(secret: string): Promise<ConsoleSession | undefined> {
    const now = iso(this.#clock.now())
    const row = await this.#store.console.findSession(hashToken(secret))
    if (!row || row.ended_at !== null || row.expires_at <= now) return undefined
    if (row.token_hash !== null) {
      const token = await this.#store.tokens.find(row.token_hash)
      if (!token || token.revoked_at !== null || (token.expires_at !== null && token.expires_at <= now)) return undefined
    }
    return { principal: { role: row.role, subject: row.subject }, expiresAt: row.expires_at }
  }

  /** Ends the session (signing out): it is refused from then on. Ending an unknown or ended session does nothing. */
  async end(secret: string): Promise<void> {
    await this.#store.console.endSession(hashToken(secret), iso(this.#clock.now()))
  }

  /**
   * The CSRF token of a session: HMAC-SHA256 of a fixed label keyed by the session's secret,
   * base64url. Nothing is stored; only the holder of the cookie's secret can compute it.
   */
  csrfToken(secret: string): string {
    return createHmac('sha256', secret).update('delivery-center console csrf').digest('base64url')
  }

  async #open(principal: Principal, expiresAt: string, tokenHash: string | null, returnPath: string): Promise<OpenedSession> {
    const secret = newSecret('dcs_')
    await this.#store.console.insertSession({
      hash: hashToken(secret), role: principal.role, subject: principal.subject, token_hash: tokenHash,
      created_at: iso(this.#clock.now()), expires_at: expiresAt, ended_at: null,
    })
    return { secret, expiresAt, principal, returnPath }
  }
}

/** A random 256-bit secret, base64url, after `prefix` (which tells a link's from a session's and a token's). */
function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`
}
