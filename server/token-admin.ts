import { EngineError } from '../engine/index.js'
import type { Store, TokenRow } from '../engine/index.js'
import { forgetTokens } from './auth.js'

/** How many hex characters of a token's SHA-256 hash make its public id (64 bits: ids never collide in practice). */
export const TOKEN_ID_LENGTH = 16
const TOKEN_ID = new RegExp(`^[0-9a-f]{${TOKEN_ID_LENGTH}}$`)

/** A token as administrators see it: never its secret, nor its full hash. */
export interface TokenView {
  /** The first {@link TOKEN_ID_LENGTH} hex characters of the token's stored SHA-256 hash. */
  readonly id: string
  readonly role: string
  readonly subject: string
  readonly label: string | null
  readonly createdAt: string
  readonly expiresAt: string | null
  /** When it last made a request that succeeded, to the minute (null when never). */
  readonly lastUsedAt: string | null
  readonly revokedAt: string | null
}

/** The public view of a stored token. */
export function tokenView(row: TokenRow): TokenView {
  return {
    id: row.hash.slice(0, TOKEN_ID_LENGTH), role: row.role, subject: row.subject, label: row.label,
    createdAt: row.created_at, expiresAt: row.expires_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at,
  }
}

/** Every token of the store, oldest first, revoked and expired ones included. */
export async function listTokens(store: Store): Promise<TokenView[]> {
  return (await store.tokens.list()).map(tokenView)
}

/**
 * Revokes the token with this public id at `now` (RFC 3339): it is refused from then on, by this
 * process at once and by others once their cache entry lapses. Revoking a revoked token changes
 * nothing and returns it with its first revocation time.
 * @throws {EngineError} `token.not-found` when no token has this id.
 */
export async function revokeToken(store: Store, id: string, now: string): Promise<TokenView> {
  const rows = TOKEN_ID.test(id) ? await store.tokens.revoke(id, now) : []
  const row = rows[0]
  if (!row) {
    throw new EngineError('token.not-found', `There is no token "${id}". A token id is the ${TOKEN_ID_LENGTH} hex characters that \`token list\` and GET /v1/tokens show.`)
  }
  forgetTokens(store, id)
  return tokenView(row)
}
