import { dirname, join, resolve } from 'node:path'

/** Everything `serve` needs, resolved from command-line flags first, then the environment, then defaults. */
export interface ServerConfig {
  readonly dbFile: string
  readonly attachmentsDir: string
  readonly host: string
  readonly port: number
  readonly sandbox: boolean
  /** Where the sandbox clock starts (RFC 3339); the real time when omitted. */
  readonly sandboxStart: string | undefined
  readonly schedulerIntervalMs: number
  readonly idempotencyTtlSeconds: number
  readonly uploadBytes: number
  readonly logLevel: string
}

export interface ServeFlags {
  readonly db?: string
  readonly host?: string
  readonly port?: string
  readonly sandbox?: boolean
  readonly sandboxStart?: string
  readonly schedulerInterval?: string
  readonly idempotencyTtl?: string
  readonly maxUploadMb?: string
}

export const DEFAULT_DB = join('data', 'delivery-center.db')

/** The SQLite file named by `--db`, else `DATABASE_URL` (a path, or `sqlite:`/`file:` URL), else ./data/delivery-center.db. */
export function resolveDbFile(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const url = flag ?? env['DATABASE_URL']
  if (url === undefined || url === '') return resolve(DEFAULT_DB)
  if (/^postgres(ql)?:\/\//i.test(url)) {
    throw new Error('DATABASE_URL names a PostgreSQL database, which this version does not support yet; give a SQLite file path.')
  }
  return resolve(url.replace(/^(sqlite|file):(\/\/)?/i, ''))
}

/** Resolves the server's configuration; throws with a clear message for a value that cannot be used. */
export function resolveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServerConfig {
  const dbFile = resolveDbFile(flags.db, env)
  const number = (name: string, value: string | undefined, fallback: number, min: number, max: number): number => {
    if (value === undefined || value === '') return fallback
    const n = Number(value)
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number from ${min} to ${max} (got "${value}").`)
    return n
  }
  return {
    dbFile,
    attachmentsDir: join(dirname(dbFile), 'attachments'),
    host: flags.host ?? env['HOST'] ?? '127.0.0.1',
    port: number('--port / PORT', flags.port ?? env['PORT'], 3000, 0, 65535),
    sandbox: flags.sandbox ?? env['DC_SANDBOX'] === 'true',
    sandboxStart: flags.sandboxStart ?? env['DC_SANDBOX_START'],
    schedulerIntervalMs: 1000 * number('--scheduler-interval / DC_SCHEDULER_INTERVAL', flags.schedulerInterval ?? env['DC_SCHEDULER_INTERVAL'], 5, 0.05, 3600),
    idempotencyTtlSeconds: number('--idempotency-ttl / DC_IDEMPOTENCY_TTL', flags.idempotencyTtl ?? env['DC_IDEMPOTENCY_TTL'], 86_400, 1, 30 * 86_400),
    uploadBytes: Math.floor(1024 * 1024 * number('--max-upload-mb / DC_MAX_UPLOAD_MB', flags.maxUploadMb ?? env['DC_MAX_UPLOAD_MB'], 16, 0.001, 1024)),
    logLevel: env['LOG_LEVEL'] ?? 'info',
  }
}
