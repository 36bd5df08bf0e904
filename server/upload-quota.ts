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

/** An upload's share of the quota, held while it runs. */
export interface QuotaClaim {
  /** What the principal could still upload when the claim was made, this upload included. */
  readonly allowance: Allowance
  /** Gives the share back: once the upload is stored (its row now counts) or refused. */
  release(): void
}

/**
 * Uploads per principal over the last hour, counted from the attachment table (so the count holds
 * across restarts and is shared by every server on the database), in the engine's clock, as the
 * uploads' `created_at` are. Uploads still running on this server count too, each with the most it
 * may store, so uploads sent at once cannot together pass the quota; on several servers, each
 * counts only its own running uploads.
 */
export class UploadQuota {
  readonly #store: Store
  readonly #clock: Clock
  readonly #limits: UploadQuotaLimits
  /** Files and bytes claimed by uploads running now, by principal. */
  readonly #running = new Map<string, { files: number; bytes: number }>()

  constructor(store: Store, clock: Clock, limits: UploadQuotaLimits) {
    this.#store = store
    this.#clock = clock
    this.#limits = limits
  }

  /**
   * Claims one file and up to `maxBytes` of what `who` may still upload, for an upload about to
   * run; the claim's allowance says what was left before it (a refusal, when `files` or `bytes`
   * is below one, claims nothing).
   */
  async claim(who: Principal, maxBytes: number): Promise<QuotaClaim> {
    const allowance = await this.allowance(who)
    // Decided after the read, with nothing awaited in between, so two claims never see the same room.
    if (allowance.files < 1 || allowance.bytes < 1) return { allowance, release: () => undefined }
    const key = principalKey(who)
    const share = { files: 1, bytes: Math.min(maxBytes, allowance.bytes) }
    const running = this.#running.get(key) ?? { files: 0, bytes: 0 }
    this.#running.set(key, { files: running.files + share.files, bytes: running.bytes + share.bytes })
    let released = false
    return {
      allowance,
      release: () => {
        if (released) return
        released = true
        const now = this.#running.get(key)
        if (!now) return
        const left = { files: now.files - share.files, bytes: now.bytes - share.bytes }
        if (left.files <= 0) this.#running.delete(key)
        else this.#running.set(key, left)
      },
    }
  }

  /** The files and bytes `who` may still upload this hour, its running uploads' claims deducted (never below zero). */
  async allowance(who: Principal): Promise<Allowance> {
    const now = this.#clock.now()
    const usage = await this.#store.attachments.usageSince(who, iso(now.subtract({ seconds: HOUR_SECONDS })))
    const running = this.#running.get(principalKey(who)) ?? { files: 0, bytes: 0 }
    const frees = usage.earliest === null
      ? HOUR_SECONDS
      : Math.ceil((Date.parse(usage.earliest) + HOUR_SECONDS * 1000 - now.epochMilliseconds) / 1000)
    return {
      files: Math.max(0, this.#limits.filesPerHour - usage.files - running.files),
      bytes: Math.max(0, this.#limits.bytesPerHour - usage.bytes - running.bytes),
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

function principalKey(who: Principal): string {
  return `${who.role}\u0000${who.subject}`
}
