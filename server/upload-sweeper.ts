import type { Logger } from 'pino'
import type { AttachmentStorage, Clock, PlannedRemoval, Store } from '../engine/index.js'
import { iso, RemovalJournal } from '../engine/index.js'

export interface UploadSweeperOptions {
  readonly store: Store
  readonly storage: AttachmentStorage
  /** The engine's clock: uploads are stamped with it, so their age is measured with it. */
  readonly clock: Clock
  /** How long an upload may stay unattached before it is deleted, in seconds. */
  readonly ttlSeconds: number
  readonly logger: Logger
  /** How often expired uploads are looked for (default five minutes). */
  readonly intervalMs?: number
}

/** Uploads deleted per batch: one journal, one delete statement. */
const BATCH = 200
/** A journal this old (real time) belongs to no sweep still running: one batch takes far less. */
const JOURNAL_STALE_MS = 10 * 60_000

/**
 * How long a `.part` file must have been silent before it is deleted as an interrupted upload's:
 * longer than Node.js's 300 s request timeout, after which no upload is still arriving on any
 * server sharing the directory.
 */
export const PART_SILENCE_MS = 10 * 60_000

/**
 * Keeps the attachment storage clean. At start it deletes the `.part` files of uploads cut off
 * before it (by a crash or a kill); then, at start and every interval, it deletes the uploads
 * never attached to an instance within `ttlSeconds`, row and file.
 *
 * Rows go before files: a crash in between leaves a file without a row (never served, never
 * attachable) rather than a row an action could attach whose file is gone. The uploads of a batch
 * are written to a {@link RemovalJournal} before their rows are deleted, and a later sweep (on any
 * server sharing the directory) deletes the files of journaled uploads whose rows are gone, so
 * not even that file is left. An action attaching an upload as it is deleted is refused with
 * `conflict.stale` (its write binds only rows that still exist), or keeps it (then it is attached
 * and not deleted); after the sweep, attaching it answers `attachment.not-found`.
 */
export class UploadSweeper {
  readonly #options: UploadSweeperOptions
  readonly #journal: RemovalJournal
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined

  constructor(options: UploadSweeperOptions) {
    this.#options = options
    this.#journal = new RemovalJournal(options.storage.dir)
  }

  /** Deletes the `.part` files of interrupted uploads (see {@link PART_SILENCE_MS}), then sweeps now and every interval. */
  async start(): Promise<void> {
    await this.#sweepParts(Date.now())
    this.#timer = setInterval(() => { void this.tick() }, this.#options.intervalMs ?? 5 * 60_000)
    this.#timer.unref()
    void this.tick()
  }

  /** Runs one sweep now, unless one is already running; failures are logged, the next tick tries again. */
  async tick(): Promise<void> {
    if (this.#running) return this.#running
    this.#running = this.sweep().then(
      ({ expired, recovered }) => {
        if (expired + recovered > 0) this.#options.logger.info({ expired, recovered }, 'deleted uploads never attached')
      },
      (error: unknown) => { this.#options.logger.error({ err: error }, 'upload sweep failed') },
    ).finally(() => { this.#running = undefined })
    return this.#running
  }

  /** Stops sweeping and waits for a running sweep to finish. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.#running
  }

  /**
   * One sweep: finishes the removals of journals left by an interrupted sweep (files of uploads
   * whose rows are gone), then deletes every upload stored more than `ttlSeconds` ago and never
   * attached. Returns how many uploads it deleted and how many left-over files it removed.
   */
  async sweep(realNowMs: number = Date.now()): Promise<{ expired: number; recovered: number }> {
    await this.#sweepParts(realNowMs)
    const recovered = await this.#recover(realNowMs - JOURNAL_STALE_MS)
    const { store, clock, ttlSeconds } = this.#options
    const before = iso(clock.now().subtract({ seconds: ttlSeconds }))
    let expired = 0
    for (;;) {
      const batch = await store.attachments.unattachedBefore(before, BATCH)
      expired += await this.#remove(batch)
      if (batch.length < BATCH) return { expired, recovered }
    }
  }

  /**
   * Deletes the `.part` files silent for {@link PART_SILENCE_MS}: those of uploads cut off by a
   * crash or a kill (of this server or another sharing the directory), never one still arriving.
   */
  async #sweepParts(realNowMs: number): Promise<void> {
    const parts = await this.#options.storage.sweepPartFiles(realNowMs - PART_SILENCE_MS)
    if (parts > 0) this.#options.logger.info({ parts }, 'deleted the partial files of interrupted uploads')
  }

  async #remove(uploads: readonly PlannedRemoval[]): Promise<number> {
    if (uploads.length === 0) return 0
    const journal = await this.#journal.write(uploads)
    const keys = await this.#options.store.attachments.deleteUnattached(uploads.map((u) => u.id))
    for (const key of keys) await this.#options.storage.remove(key)
    await this.#journal.finish(journal)
    return keys.length
  }

  /** Deletes the files of journaled uploads whose rows are gone, then the journals, written before `beforeMs`. */
  async #recover(beforeMs: number): Promise<number> {
    let removed = 0
    for (const { name, removals } of await this.#journal.pending(beforeMs)) {
      const kept = new Set((await this.#options.store.attachments.findMany(removals.map((r) => r.id))).map((row) => row.id))
      for (const { id, storageKey } of removals) {
        if (kept.has(id)) continue
        await this.#options.storage.remove(storageKey)
        removed++
      }
      await this.#journal.finish(name)
    }
    return removed
  }
}
