import { lookup as dnsLookup } from 'node:dns'
import type { LookupAddress, LookupOptions } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import type { LookupFunction } from 'node:net'
import { hostOf, isBlockedAddress } from '../../engine/index.js'

/** What one POST came to. */
export interface SendResult {
  /** The HTTP status answered; null when none was. */
  readonly status: number | null
  /** Why it failed, or null for a 2xx. */
  readonly error: string | null
  readonly latencyMs: number
}

export interface SenderOptions {
  /** Send to internal addresses too (`--webhook-allow-private`). */
  readonly allowPrivate: boolean
  /** How long an attempt may take, connection to end of the answer (default 10 s). */
  readonly timeoutMs?: number
  /** Connections per host at most (default 256). */
  readonly maxSockets?: number
}

/**
 * A resolver that refuses a host with any address webhooks are not sent to, at connection time,
 * so a name that resolved to a public address when the endpoint was saved and to an internal one
 * now (DNS rebinding) is still refused.
 */
export const guardedLookup: LookupFunction = (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, [])
    const blocked = addresses.find((a) => isBlockedAddress(a.address))
    if (blocked) return callback(Object.assign(new Error(`${hostname} resolves to ${blocked.address}, an internal address webhooks are not sent to`), { code: 'EBLOCKED' }), [])
    if (options.all === true) return callback(null, addresses)
    const first = addresses[0]
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), [])
    callback(null, first.address, first.family)
  })
}

/** POSTs signed webhooks over keep-alive connections, with a deadline per attempt. */
export class WebhookSender {
  readonly #http: http.Agent
  readonly #https: https.Agent
  readonly #allowPrivate: boolean
  readonly #timeoutMs: number

  constructor(options: SenderOptions) {
    this.#allowPrivate = options.allowPrivate
    this.#timeoutMs = options.timeoutMs ?? 10_000
    const agent = { keepAlive: true, maxSockets: options.maxSockets ?? 256, ...(options.allowPrivate ? {} : { lookup: guardedLookup }) }
    this.#http = new http.Agent(agent)
    this.#https = new https.Agent(agent)
  }

  /** POSTs `body` with `headers` to `url`; never rejects. */
  send(url: string, headers: Readonly<Record<string, string>>, body: string): Promise<SendResult> {
    const started = performance.now()
    const done = (status: number | null, error: string | null): SendResult => ({ status, error, latencyMs: performance.now() - started })
    let target: URL
    try {
      target = new URL(url)
    } catch {
      return Promise.resolve(done(null, 'the URL cannot be parsed'))
    }
    const host = hostOf(target)
    if (!this.#allowPrivate && isIP(host) !== 0 && isBlockedAddress(host)) {
      return Promise.resolve(done(null, `${host} is an internal address webhooks are not sent to`))
    }
    const secure = target.protocol === 'https:'
    return new Promise((resolve) => {
      let settled = false
      const finish = (result: SendResult): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resolve(result)
      }
      const request = (secure ? https : http).request(target, {
        method: 'POST', agent: secure ? this.#https : this.#http,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'delivery-center-webhooks/1' },
      }, (response) => {
        const status = response.statusCode ?? null
        response.on('error', (error) => finish(done(status, `the answer broke off: ${error.message}`)))
        response.on('end', () => finish(done(status, status !== null && status >= 200 && status < 300 ? null : `answered ${status ?? 'no status'}`)))
        response.resume()
      })
      const timer = setTimeout(() => {
        request.destroy()
        finish(done(null, `no answer within ${this.#timeoutMs} ms`))
      }, this.#timeoutMs)
      request.on('error', (error: NodeJS.ErrnoException) => finish(done(null, error.message || error.code || 'connection failed')))
      request.end(body)
    })
  }

  /** Closes the idle connections. */
  close(): void {
    this.#http.destroy()
    this.#https.destroy()
  }
}
