import type { InstanceView, Principal } from '../engine/index.js'

/** What the middleware puts on every request's context. */
export interface AppEnv {
  Variables: {
    /** Set by the authentication middleware on every /v1 route, and by the console's session middleware when signed in. */
    principal: Principal
    /** Console: the signed-in session's cookie secret and expiry (set by `consoleSession`), undefined when signed out. */
    consoleSession: { readonly secret: string; readonly expiresAt: string } | undefined
    /** Console: the CSRF token every state-changing form or request of this session must send (set by `consoleSession`). */
    csrf: string | undefined
    /** Set by the request-id middleware; echoed in `X-Request-Id` and in problem bodies. */
    requestId: string
    /** Set by the idempotency middleware when the request claimed an Idempotency-Key. */
    idempotencyKey: { readonly principal: string; readonly key: string; readonly token: string } | undefined
    /** The request body as text, set by the body middleware on /v1 routes other than uploads. */
    body: string | undefined
    /** Set when the engine was given the answer to store with its write (stored if the write committed). */
    receiptWritten: boolean | undefined
    /** The view the engine stored as the answer to an Idempotency-Key, with its JSON: answered as it is. */
    receiptBody: { readonly view: InstanceView; readonly body: string } | undefined
    /** Set by the idempotency middleware on a retried upload: the stored answer for a file of this SHA-256, else `idempotency.mismatch` thrown. */
    uploadReplay: ((sha256: string) => Response) | undefined
    /** Set by a route whose answer holds a secret (a sign-in link): it is never stored for an Idempotency-Key, whose key is given back. */
    secretAnswer: boolean | undefined
    /**
     * Set by a route whose answer holds a secret that must not be made twice (a webhook endpoint's
     * signing secret): the answer stored for an Idempotency-Key instead, the same without it.
     */
    answerWithoutSecret: string | undefined
    /** Set by the upload route once the file is stored: its SHA-256, which binds an Idempotency-Key to the bytes. */
    uploadSha256: string | undefined
  }
}
