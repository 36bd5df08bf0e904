import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { EngineError } from '../errors.js'

// Webhook signing secrets are kept encrypted (AES-256-GCM) under a key held outside the database
// (`DC_SECRET_KEY` or a key file; see docs/webhooks.md): a copy of the database or of a backup
// does not give the secrets away. A sealed secret reads `v1.<key id>.<iv>.<ciphertext>.<tag>`
// (base64url), the key id being the first bytes of the key's SHA-256, so a server given another
// key says so instead of signing with garbage. The endpoint's id is authenticated with it, so a
// sealed secret copied to another endpoint's row does not open.

const VERSION = 'v1'
const KEY_BYTES = 32
/** Secrets kept opened, by endpoint and sealed text (a dispatcher opens them for every event it sends). */
const OPENED_KEPT = 1024

/** Seals and opens webhook secrets with one key. */
export class SecretBox {
  readonly #key: Buffer
  /** Names the key without revealing it. */
  readonly keyId: string
  /** Secrets opened before: the endpoint's id and the sealed text, to the secret. */
  readonly #opened = new Map<string, string>()

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`A secret key is ${KEY_BYTES} bytes (got ${key.length}).`)
    this.#key = Buffer.from(key)
    this.keyId = createHash('sha256').update(key).digest().subarray(0, 6).toString('base64url')
  }

  /** A new random key. */
  static newKey(): Buffer {
    return randomBytes(KEY_BYTES)
  }

  /** `secret` sealed for the endpoint `endpointId`. */
  seal(secret: string, endpointId: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    cipher.setAAD(Buffer.from(endpointId))
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()])
    return [VERSION, this.keyId, iv.toString('base64url'), sealed.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.')
  }

  /** Whether `stored` is sealed (rather than a secret kept as issued by an earlier version). */
  static isSealed(stored: string): boolean {
    return stored.startsWith(`${VERSION}.`)
  }

  /**
   * The secret in `stored` (sealed for `endpointId`; a secret kept as issued is answered as is).
   * Throws `webhook-endpoint.secret-unreadable` when it was sealed with another key or altered.
   */
  open(stored: string, endpointId: string): string {
    if (!SecretBox.isSealed(stored)) return stored
    const known = `${endpointId}\n${stored}`
    const opened = this.#opened.get(known)
    if (opened !== undefined) return opened
    const secret = this.#open(stored, endpointId)
    if (this.#opened.size >= OPENED_KEPT) this.#opened.clear()
    this.#opened.set(known, secret)
    return secret
  }

  /** {@link open} of a sealed secret, every time. */
  #open(stored: string, endpointId: string): string {
    const [, keyId, iv, sealed, tag] = stored.split('.')
    if (keyId !== this.keyId) throw unreadable(endpointId, `it was sealed with key ${String(keyId)}, and this server's key is ${this.keyId}: give every server the same DC_SECRET_KEY`)
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv ?? '', 'base64url'))
      decipher.setAAD(Buffer.from(endpointId))
      decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(sealed ?? '', 'base64url')), decipher.final()]).toString('utf8')
    } catch {
      throw unreadable(endpointId, 'it does not open with this server\'s key (altered, or moved from another endpoint)')
    }
  }
}

function unreadable(endpointId: string, why: string): EngineError {
  return new EngineError('webhook-endpoint.secret-unreadable', `The signing secret of webhook endpoint "${endpointId}" cannot be read: ${why}.`)
}

/**
 * A key from its text form: 32 bytes as base64 or base64url (`openssl rand -base64 32`), or as
 * 64 hexadecimal digits. Throws with what is accepted otherwise.
 */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim()
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64')
  if (key.length !== KEY_BYTES || (!/^[0-9a-f]{64}$/i.test(trimmed) && !/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed))) {
    throw new Error(`A secret key must be ${KEY_BYTES} random bytes written as base64 (e.g. \`openssl rand -base64 32\`) or as 64 hexadecimal digits.`)
  }
  return key
}
