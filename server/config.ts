import { dirname, join, resolve } from 'node:path'
import { pino } from 'pino'
import { Temporal } from 'temporal-polyfill'
import { DEFAULT_FAIL_AFTER, isPostgresUrl } from '../engine/index.js'
import type { SecretKeySource } from './webhooks/secret-key.js'

/** Everything `serve` needs, resolved from command-line flags first, then the environment, then defaults. */
export interface ServerConfig {
  /** A SQLite file path or a `postgres://` URL. */
  readonly database: string
  /** Where uploaded files are kept; every server on one database must see the same directory. */
  readonly attachmentsDir: string
  /** PostgreSQL connections per server process. */
  readonly poolSize: number
  readonly host: string
  readonly port: number
  readonly sandbox: boolean
  /** Where the sandbox clock starts (RFC 3339); the real time when omitted. */
  readonly sandboxStart: string | undefined
  readonly schedulerIntervalMs: number
  readonly idempotencyTtlSeconds: number
  readonly uploadBytes: number
  /** How long an upload never attached to an instance is kept, in seconds. */
  readonly uploadTtlSeconds: number
  /** How many files and bytes one principal may upload per hour. */
  readonly uploadQuota: { readonly filesPerHour: number; readonly bytesPerHour: number }
  readonly logLevel: string
  /** SQLite: write instances on a thread of their own (see docs/engine.md). */
  readonly writerThread: boolean
  /** How long a SIGTERM or SIGINT waits for requests in flight before closing their connections. */
  readonly shutdownTimeoutMs: number
  /** Failed attempts in a row at firing an instance's due deadline after which it is marked failed. */
  readonly fireAttempts: number
  /** The URL people reach the server at (behind a proxy, say), without a trailing slash: console sign-in links are made under it. */
  readonly publicUrl: string | undefined
  /** Seed sample deliveries and print sign-in links for a customer, an ISV and an admin (implies the sandbox clock). */
  readonly demo: boolean
  /** Allow webhook endpoints whose host is a loopback, private or other internal address. */
  readonly webhookAllowPrivate: boolean
  /** How long one webhook attempt may take before it counts as failed. */
  readonly webhookTimeoutMs: number
  /** The key sealing webhook signing secrets: `DC_SECRET_KEY`, else a key file (made the first time when it is the default one). */
  readonly secretKey: SecretKeySource
}

export interface ServeFlags {
  readonly db?: string
  readonly attachments?: string
  readonly host?: string
  readonly port?: string
  readonly sandbox?: boolean
  readonly sandboxStart?: string
  readonly schedulerInterval?: string
  readonly idempotencyTtl?: string
  readonly maxUploadMb?: string
  readonly uploadTtl?: string
  readonly uploadQuotaFiles?: string
  readonly uploadQuotaMb?: string
  readonly writerThread?: boolean
  readonly shutdownTimeout?: string
  readonly fireAttempts?: string
  readonly publicUrl?: string
  readonly demo?: boolean
  readonly webhookAllowPrivate?: boolean
  readonly webhookTimeout?: string
  readonly secretKeyFile?: string
}

export const DEFAULT_DB = join('data', 'delivery-center.db')

/**
 * The database named by `--db`, else `DATABASE_URL`: a `postgres://` URL as given, or a SQLite
 * file (a path, or a `sqlite:`/`file:` URL) resolved to an absolute path; ./data/delivery-center.db
 * when neither is set.
 */
export function resolveDatabase(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const url = flag ?? env['DATABASE_URL']
  if (url === undefined || url === '') return resolve(DEFAULT_DB)
  if (isPostgresUrl(url)) return url
  return resolve(url.replace(/^(sqlite|file):(\/\/)?/i, ''))
}

/** The database for logs: a PostgreSQL URL without its password. */
export function describeDatabase(database: string): string {
  if (!isPostgresUrl(database)) return database
  const url = new URL(database)
  if (url.password) url.password = '***'
  return url.toString()
}

/** Resolves the server's configuration; throws with a clear message for a value that cannot be used. */
export function resolveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServerConfig {
  const database = resolveDatabase(flags.db, env)
  const number = (name: string, value: string | undefined, fallback: number, min: number, max: number): number => {
    if (value === undefined || value === '') return fallback
    const n = Number(value)
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number from ${min} to ${max} (got "${value}").`)
    return n
  }
  const attachments = flags.attachments ?? env['DC_ATTACHMENTS_DIR']
  return {
    database,
    attachmentsDir: attachments ? resolve(attachments) : join(isPostgresUrl(database) ? resolve('data') : dirname(database), 'attachments'),
    poolSize: number('DC_POOL_SIZE', env['DC_POOL_SIZE'], 10, 2, 1000),
    host: flags.host ?? env['HOST'] ?? '127.0.0.1',
    port: whole('--port / PORT', number('--port / PORT', flags.port ?? env['PORT'], 3000, 0, 65535)),
    sandbox: flags.demo === true || (flags.sandbox ?? flag('DC_SANDBOX', env['DC_SANDBOX'])),
    demo: flags.demo === true,
    sandboxStart: instant('--sandbox-start / DC_SANDBOX_START', flags.sandboxStart ?? env['DC_SANDBOX_START']),
    schedulerIntervalMs: 1000 * number('--scheduler-interval / DC_SCHEDULER_INTERVAL', flags.schedulerInterval ?? env['DC_SCHEDULER_INTERVAL'], 5, 0.05, 3600),
    // At least twice the minute after which an unanswered key may be taken over.
    idempotencyTtlSeconds: number('--idempotency-ttl / DC_IDEMPOTENCY_TTL', flags.idempotencyTtl ?? env['DC_IDEMPOTENCY_TTL'], 86_400, 120, 30 * 86_400),
    uploadBytes: Math.floor(1024 * 1024 * number('--max-upload-mb / DC_MAX_UPLOAD_MB', flags.maxUploadMb ?? env['DC_MAX_UPLOAD_MB'], 16, 0.001, 1024)),
    // At least the hour the upload quota counts over, so a swept upload has left the count.
    uploadTtlSeconds: Math.round(3600 * number('--upload-ttl / DC_UPLOAD_TTL', flags.uploadTtl ?? env['DC_UPLOAD_TTL'], 24, 1, 24 * 365)),
    uploadQuota: {
      filesPerHour: Math.floor(number('--upload-quota-files / DC_UPLOAD_QUOTA_FILES', flags.uploadQuotaFiles ?? env['DC_UPLOAD_QUOTA_FILES'], 100, 1, 1_000_000)),
      bytesPerHour: Math.floor(1024 * 1024 * number('--upload-quota-mb / DC_UPLOAD_QUOTA_MB', flags.uploadQuotaMb ?? env['DC_UPLOAD_QUOTA_MB'], 1024, 0.001, 1024 * 1024)),
    },
    logLevel: logLevel(env['LOG_LEVEL']),
    writerThread: flags.writerThread ?? flag('DC_WRITER_THREAD', env['DC_WRITER_THREAD']),
    fireAttempts: whole('--fire-attempts / DC_FIRE_ATTEMPTS', number('--fire-attempts / DC_FIRE_ATTEMPTS', flags.fireAttempts ?? env['DC_FIRE_ATTEMPTS'], DEFAULT_FAIL_AFTER, 1, 1000)),
    publicUrl: publicUrl('--public-url / DC_PUBLIC_URL', flags.publicUrl ?? env['DC_PUBLIC_URL']),
    webhookAllowPrivate: flags.webhookAllowPrivate ?? flag('DC_WEBHOOK_ALLOW_PRIVATE', env['DC_WEBHOOK_ALLOW_PRIVATE']),
    secretKey: secretKeySource(flags.secretKeyFile, env, isPostgresUrl(database) ? resolve('data') : dirname(database)),
    webhookTimeoutMs: 1000 * number('--webhook-timeout / DC_WEBHOOK_TIMEOUT', flags.webhookTimeout ?? env['DC_WEBHOOK_TIMEOUT'], 10, 0.1, 60),
    shutdownTimeoutMs: 1000 * number('--shutdown-timeout / DC_SHUTDOWN_TIMEOUT', flags.shutdownTimeout ?? env['DC_SHUTDOWN_TIMEOUT'], 10, 0, 3600),
  }
}

/** The default key file: `secret.key` in the data directory (beside the SQLite file; ./data for PostgreSQL). */
export const SECRET_KEY_FILE = 'secret.key'

function secretKeySource(flag: string | undefined, env: NodeJS.ProcessEnv, dataDir: string): SecretKeySource {
  const file = flag ?? env['DC_SECRET_KEY_FILE']
  if (file !== undefined && file !== '') return { kind: 'file', path: resolve(file), create: false }
  const value = env['DC_SECRET_KEY']
  if (value !== undefined && value !== '') return { kind: 'value', text: value, origin: 'DC_SECRET_KEY' }
  return { kind: 'file', path: join(dataDir, SECRET_KEY_FILE), create: true }
}

function whole(name: string, n: number): number {
  if (!Number.isInteger(n)) throw new Error(`${name} must be a whole number (got ${n}).`)
  return n
}

/** A boolean environment variable: `true` or `false` (unset or empty is false). */
function flag(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false') return false
  if (value === 'true') return true
  throw new Error(`${name} must be true or false (got "${value}").`)
}

function logLevel(value: string | undefined): string {
  if (value === undefined || value === '') return 'info'
  const levels = [...Object.keys(pino.levels.values), 'silent']
  if (!levels.includes(value)) throw new Error(`LOG_LEVEL must be one of ${levels.join(', ')} (got "${value}").`)
  return value
}

function instant(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined
  try {
    return Temporal.Instant.from(value).toString()
  } catch {
    throw new Error(`${name} must be an RFC 3339 instant such as 2026-01-01T09:00:00Z (got "${value}").`)
  }
}


/**
 * An http(s) URL without query or fragment, as the base of the links the server hands out (a
 * trailing slash is dropped).
 * @throws {Error} naming the option and what is accepted.
 */
export function publicUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new Error(`${name} must be an http or https URL without query, fragment or credentials, such as https://delivery.example.com (got "${value}").`)
  }
  return url.href.replace(/\/+$/, '')
}
