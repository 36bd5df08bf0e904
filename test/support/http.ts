import { join } from 'node:path'
import { pino } from 'pino'
import type { Logger } from 'pino'
import { Engine, ManualClock, SecretBox, Store } from '../../engine/index.js'
import { AttachmentStorage } from '../../engine/attachments/index.js'
import type { StorageFs } from '../../engine/attachments/index.js'
import { createApp } from '../../server/app.js'
import { createToken } from '../../server/auth.js'
import type { CheckQueue } from '../../server/check-queue.js'
import type { EventHub } from '../../server/event-hub.js'
import type { UploadQuotaLimits } from '../../server/upload-quota.js'
import { migratedDatabase } from './database.js'
import { T0 } from './engine.js'

/** The principals every HTTP test has a token for. */
export const WHO = {
  admin: { role: 'admin', subject: 'a-1' },
  system: { role: 'system', subject: 'scheduler' },
  customer: { role: 'customer', subject: 'c-1' },
  isv: { role: 'isv', subject: 'v-1' },
  strangerCustomer: { role: 'customer', subject: 'c-9' },
  strangerIsv: { role: 'isv', subject: 'v-9' },
} as const
export type Who = keyof typeof WHO

export interface Api {
  readonly app: ReturnType<typeof createApp>
  readonly store: Store
  readonly engine: Engine
  readonly clock: ManualClock
  /** The database, as `Store.open` takes it. */
  readonly database: string
  /** Where the app's attachment storage keeps its files. */
  readonly attachmentsDir: string
  readonly tokens: Record<Who, string>
  /** Sends a request as `who` (no token when undefined); `json` is sent as an application/json body. */
  call(method: string, path: string, options?: { who?: Who | undefined; json?: unknown; body?: RequestInit['body']; headers?: Record<string, string> }): Promise<Response>
  close(): Promise<void>
}

/** What {@link openApi} may set besides its defaults. */
export interface ApiOptions {
  readonly uploadBytes?: number
  readonly uploadQuota?: UploadQuotaLimits
  /** The file system the attachment storage writes through (to simulate a full disk). */
  readonly storageFs?: StorageFs
  /** The logger (silent unless TEST_LOG is set). */
  readonly logger?: Logger
  /** The server's public URL (`--public-url`). */
  readonly publicUrl?: string
  /** The queue of checks with scenarios, made by the test (to hold it busy). */
  readonly checks?: CheckQueue
  /** The live streams' reader of the event feed, made by the test (to watch or close it), and their heartbeat. */
  readonly events?: { readonly hub?: (engine: Engine) => EventHub; readonly heartbeatMs?: number }
}

/** The app on a fresh database, in sandbox mode at {@link T0}, with the built-in processes and a token per principal. */
export async function openApi(options: ApiOptions = {}): Promise<Api> {
  const { location, dir, drop } = await migratedDatabase('dc-http-')
  const store = await Store.open(location)
  const clock = new ManualClock(T0)
  const engine = new Engine({ store, clock })
  await engine.processes.registerBuiltIns()
  const attachmentsDir = join(dir, 'attachments')
  const app = createApp({
    engine, store, storage: new AttachmentStorage(attachmentsDir, options.storageFs ? { fs: options.storageFs } : {}),
    logger: options.logger ?? pino({ level: process.env['TEST_LOG'] ?? 'silent' }), sandbox: clock,
    webhooks: { allowPrivate: false, secrets: new SecretBox(SecretBox.newKey()) },
    limits: { uploadBytes: options.uploadBytes ?? 16 * 1024 * 1024, ...(options.uploadQuota ? { uploadQuota: options.uploadQuota } : {}) },
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.checks ? { checks: options.checks } : {}),
    ...(options.events?.hub ? { eventHub: options.events.hub(engine) } : {}),
    ...(options.events?.heartbeatMs === undefined ? {} : { eventHeartbeatMs: options.events.heartbeatMs }),
  })
  const tokens = {} as Record<Who, string>
  for (const [who, principal] of Object.entries(WHO)) tokens[who as Who] = await createToken(store, principal, T0)
  return {
    app, store, engine, clock, database: location, attachmentsDir, tokens,
    call: async (method, path, { who, json, body, headers } = {}) => app.request(path, {
      method,
      headers: {
        ...(who ? { Authorization: `Bearer ${tokens[who]}` } : {}),
        ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      ...(json !== undefined ? { body: JSON.stringify(json) } : body !== undefined ? { body } : {}),
    }),
    close: async () => {
      await store.close()
      await drop()
    },
  }
}
