import { createHmac, randomBytes } from 'node:crypto'

// Signatures as Standard Webhooks defines them: a secret is `whsec_` and the base64 of 32 random
// bytes; a signature is `v1,` and the base64 of the HMAC-SHA256, under the secret's bytes, of
// `<id>.<timestamp in whole seconds>.<body>`; `webhook-signature` lists one per secret in use
// (two while a rotated secret overlaps the new one). The HMAC is node:crypto's: the reference
// library (`standardwebhooks`, against which the tests check every signature made here) computes
// it in JavaScript, which cost a dispatcher about as much per event as sending it.

const PREFIX = 'whsec_'

/** A new signing secret. */
export function newSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64')}`
}

/** The bytes of the secrets signed with, by secret. */
const keys = new Map<string, Buffer>()

/** The bytes a secret stands for, as the reference library reads them (the base64 after the prefix). */
function keyOf(secret: string): Buffer {
  let key = keys.get(secret)
  if (!key) {
    key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64')
    if (key.length === 0) throw new Error('A signing secret cannot be empty.')
    if (keys.size > 10_000) keys.clear()
    keys.set(secret, key)
  }
  return key
}

/** The `webhook-signature` header of `body` sent as message `id` at `at`, one signature per secret. */
export function signatureHeader(secrets: readonly string[], id: string, at: Date, body: string): string {
  const signed = `${id}.${Math.floor(at.getTime() / 1000)}.${body}`
  return secrets.map((secret) => `v1,${createHmac('sha256', keyOf(secret)).update(signed).digest('base64')}`).join(' ')
}
