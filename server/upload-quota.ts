import type { Clock, Principal, Store } from '../engine/index.js'
import { EngineError, iso } from '../engine/index.js'

/** How much one principal may upload in any hour. */
export interface UploadQuotaLimits {
  readonly filesPerHour: number
  readonly bytesPerHour: number
}

/** What a principal may still upload now, and when the earliest of its uploads in the window leaves it. */
export type Allowance = Readonly<{
  files: number
  bytes: number
  /** Seconds until some of the allowance comes back (at least 1): the `Retry-After` of a refusal. */
  retryAfterSeconds: number
}>

const HOUR_SECONDS = 3600

/**
 * Uploads per principal over the last hour, counted from the attachment table (so the count holds
 * across restarts and is shared by every server on the database), in the engine's clock, as the
 * uploads' `created_at` are. Uploads running at the same time are each checked against what was
 * stored before them, so concurrent uploads may together pass the quota by what they carry.
 */
export class UploadQuota {
  readonly #store: Store
  readonly #clock: Clock
  readonly #limits: UploadQuotaLimits

  constructor(store: Store, clock: Clock, limits: UploadQuotaLimits) {
    this.#store = store
    this.#clock = clock
    this.#limits = limits
  }

  /** The files and bytes `who` may still upload this hour (never below zero). */
  async allowance(who: Principal): Promise<Allowance> {
    const now = this.#clock.now()
    const usage = await this.#store.attachments.usageSince(who, iso(now.subtract({ seconds: HOUR_SECONDS })))
    const frees = usage.earliest === null
      ? HOUR_SECONDS
      : Math.ceil((Date.parse(usage.earliest) + HOUR_SECONDS * 1000 - now.epochMilliseconds) / 1000)
    return {
      files: Math.max(0, this.#limits.filesPerHour - usage.files),
      bytes: Math.max(0, this.#limits.bytesPerHour - usage.bytes),
      retryAfterSeconds: Math.max(1, frees),
    }
  }

  /** The refusal for an upload past `allowance`: `upload.quota`, saying which limit and when to retry. */
  exceeded(allowance: Allowance): EngineError {
    const { filesPerHour, bytesPerHour } = this.#limits
    const retry = `retry after ${allowance.retryAfterSeconds} seconds`
    return new EngineError('upload.quota', allowance.files < 1
      ? `You have uploaded ${filesPerHour} files in the last hour, the most allowed; ${retry}.`
      : `This upload passes the ${bytesPerHour} bytes you may upload in an hour (${allowance.bytes} bytes are left); ${retry}, or upload a smaller file.`)
  }
}
