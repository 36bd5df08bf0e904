import type { ListOrder } from './list-filters.js'
import type { ImageFacts } from './runtime/commands.js'
import type { InstanceView } from './runtime/view.js'
import type { Receipt } from './store/idempotency-repository.js'

// The shapes of what the Engine facade's commands and reads take.

/** What starting an instance needs. */
export interface StartRequest {
  readonly process: string
  /** Defaults to the latest registered version. */
  readonly version?: number
  /** Defaults to a new time-ordered UUID (version 7). */
  readonly id?: string
  readonly parties: Readonly<Record<string, string>>
  readonly parameters?: Readonly<Record<string, unknown>>
  readonly context?: Readonly<Record<string, unknown>>
}

/** What performing an action needs. */
export interface ActRequest {
  readonly action: string
  readonly step?: string
  readonly inputs?: unknown
  /** Ids of uploaded attachments per slot. */
  readonly attachments?: Readonly<Record<string, readonly string[]>>
  readonly expectedRevision?: number
}

/** What terminating an instance needs. */
export interface TerminateRequest {
  /** Why it ends, recorded in its history. */
  readonly reason: string
  readonly expectedRevision?: number
}

/** What retrying a failed instance needs. */
export interface RetryRequest {
  readonly expectedRevision?: number
}

/** Options of the commands that write. */
export interface WriteOptions {
  /**
   * For an idempotent request: its answer, given the resulting view, stored in the same
   * transaction as the write (see {@link Receipt}).
   */
  readonly receipt?: ((view: InstanceView) => Receipt) | undefined
}

/** Filters of `Instances.list`. */
export interface ListFilter {
  readonly process?: string
  readonly status?: string
  readonly step?: string
  /** Only instances whose current step waits on the caller. */
  readonly waitingOnMe?: boolean
  /** Admins only: instances where this role is held by this subject. */
  readonly party?: { readonly role: string; readonly subject: string }
  /** Only instances whose context's `orderId` is exactly this (case and spaces included; see `orderIdOf`). */
  readonly orderId?: string
  /** Only instances started at or after this RFC 3339 instant. */
  readonly startedFrom?: string
  /** Only instances started before this RFC 3339 instant. */
  readonly startedTo?: string
  /** By creation, `oldest` first (the default) or `newest` first. */
  readonly order?: ListOrder
  readonly limit?: number
  /** The `next` cursor of the previous page, of a list in the same order. */
  readonly cursor?: string
}

/** Metadata of an uploaded file, recorded by whoever stored its bytes. */
export interface AttachmentRecord {
  readonly id: string
  readonly fileName: string | null
  readonly size: number
  readonly sha256: string
  readonly type: string | null
  readonly mediaType: string
  readonly storageKey: string
  /** For an image, what its pixels say (width, height, transparent background), read when it was stored. */
  readonly image?: ImageFacts | undefined
}
