import { randomBytes } from 'node:crypto'
import { Webhook } from 'standardwebhooks'

// Signatures as Standard Webhooks defines them, made by its reference library: a secret is
// `whsec_` and the base64 of 32 random bytes; `webhook-signature` lists one `v1,<base64>`
// signature per secret in use (two while a rotated secret overlaps the new one).

/** A new signing secret. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

const signers = new Map<string, Webhook>()

function signer(secret: string): Webhook {
  let found = signers.get(secret)
  if (!found) {
    if (signers.size > 10_000) signers.clear()
    found = new Webhook(secret)
    signers.set(secret, found)
  }
  return found
}

/** The `webhook-signature` header of `body` sent as message `id` at `at`, one signature per secret. */
export function signatureHeader(secrets: readonly string[], id: string, at: Date, body: string): string {
  return secrets.map((secret) => signer(secret).sign(id, at, body)).join(' ')
}
