import { CompiledQuery } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from './database.js'

/** A unit of work that must be written all or nothing. */
export type Work = (trx: Transaction<Database>) => Promise<void>

interface Pending {
  readonly work: Work
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/** Most units of work sharing one commit. */
const MAX_GROUP = 512

/** The savepoint statements of each unit's place in a group, compiled once (the same SQL on both databases). */
const SAVEPOINTS = Array.from({ length: MAX_GROUP }, (_, i) => ({
  open: CompiledQuery.raw(`savepoint unit_${i}`),
  release: CompiledQuery.raw(`release savepoint unit_${i}`),
  rollback: CompiledQuery.raw(`rollback to savepoint unit_${i}`),
}))

/**
 * Group commit: units of work that arrive together share one transaction and so one fsync, the
 * technique PostgreSQL calls commit_delay. Each unit runs inside its own savepoint, so it is still
 * all or nothing on its own (a unit that fails is rolled back alone), and each caller is answered
 * only after the shared commit: nothing is acknowledged before it is durable. When grouping is
 * off, each unit is its own transaction.
 */
export class CommitGroup {
  readonly #db: Kysely<Database>
  readonly #grouped: boolean
  #queue: Pending[] = []
  #flushing = false

  constructor(db: Kysely<Database>, grouped: boolean) {
    this.#db = db
    this.#grouped = grouped
  }

  /** Runs `work` in a transaction (shared with others arriving together) and resolves once it is committed. */
  run(work: Work): Promise<void> {
    if (!this.#grouped) return this.#db.transaction().execute(work)
    return new Promise((resolve, reject) => {
      this.#queue.push({ work, resolve, reject })
      if (!this.#flushing) {
        this.#flushing = true
        // Let the requests already in flight reach the queue before the group is closed.
        setImmediate(() => { void this.#drain() })
      }
    })
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const group = this.#queue.splice(0, MAX_GROUP)
        await this.#commit(group)
      }
    } finally {
      this.#flushing = false
    }
  }

  async #commit(group: readonly Pending[]): Promise<void> {
    const outcomes: Array<{ ok: true } | { ok: false; error: unknown }> = []
    let trx
    try {
      trx = await this.#db.startTransaction().execute()
      for (const [index, pending] of group.entries()) {
        const savepoint = SAVEPOINTS[index] as (typeof SAVEPOINTS)[number]
        await trx.executeQuery(savepoint.open)
        try {
          await pending.work(trx)
          await trx.executeQuery(savepoint.release)
          outcomes.push({ ok: true })
        } catch (error) {
          await trx.executeQuery(savepoint.rollback)
          await trx.executeQuery(savepoint.release)
          outcomes.push({ ok: false, error })
        }
      }
      await trx.commit().execute()
    } catch (error) {
      // The shared transaction itself failed: nothing of the group was written.
      if (trx) await trx.rollback().execute().catch(() => undefined)
      for (const pending of group) pending.reject(error)
      return
    }
    group.forEach((pending, index) => {
      const outcome = outcomes[index]
      if (outcome?.ok) pending.resolve()
      else pending.reject(outcome?.error)
    })
  }
}
