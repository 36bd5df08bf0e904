import { CompiledQuery } from 'kysely'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from './database.js'

/**
 * A unit of work that must be written all or nothing. It may be run more than once (its first
 * run rolled back), so it must do nothing but write through `trx`.
 */
export type Work = (trx: Transaction<Database>) => Promise<void>

type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown }

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
 * technique PostgreSQL calls commit_delay. Each unit is still all or nothing on its own (a unit
 * that fails is rolled back alone), and each caller is answered only after the shared commit:
 * nothing is acknowledged before it is durable. When grouping is off, each unit is its own
 * transaction.
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
    let outcomes: Outcome[]
    try {
      // Savepoints are costly in SQLite (each page a unit changes is first copied to a statement
      // journal), and units rarely fail: the group is first written without them. If a unit
      // fails, that attempt is rolled back whole and the group written again, one savepoint per unit.
      outcomes = await this.#write(group, false) ?? await this.#write(group, true) as Outcome[]
    } catch (error) {
      // The shared transaction itself failed: nothing of the group was written.
      for (const pending of group) pending.reject(error)
      return
    }
    group.forEach((pending, index) => {
      const outcome = outcomes[index]
      if (outcome?.ok) pending.resolve()
      else pending.reject(outcome?.error)
    })
  }

  /**
   * Writes the units in one transaction and commits it, each unit in its own savepoint when
   * `isolated`. Not isolated, a unit that fails rolls the whole transaction back: undefined is
   * returned, unless that unit was the only one (then nothing else was lost).
   */
  async #write(group: readonly Pending[], isolated: boolean): Promise<Outcome[] | undefined> {
    const outcomes: Outcome[] = []
    const trx = await this.#db.startTransaction().execute()
    try {
      for (const [index, pending] of group.entries()) {
        const savepoint = SAVEPOINTS[index] as (typeof SAVEPOINTS)[number]
        if (isolated) await trx.executeQuery(savepoint.open)
        try {
          await pending.work(trx)
          if (isolated) await trx.executeQuery(savepoint.release)
          outcomes.push({ ok: true })
        } catch (error) {
          if (!isolated) {
            await trx.rollback().execute()
            return group.length === 1 ? [{ ok: false, error }] : undefined
          }
          await trx.executeQuery(savepoint.rollback)
          await trx.executeQuery(savepoint.release)
          outcomes.push({ ok: false, error })
        }
      }
      await trx.commit().execute()
      return outcomes
    } catch (error) {
      await trx.rollback().execute().catch(() => undefined)
      throw error
    }
  }
}
