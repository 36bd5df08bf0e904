import { CompiledQuery } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from './database.js'
import { writeGroup } from './write-plan.js'
import type { GroupTransaction, UnitOutcome, WritePlan } from './write-plan.js'

/** Writes a group of units in one transaction; see {@link writeGroup}. */
export interface GroupWriter {
  write(units: readonly WritePlan[]): Promise<UnitOutcome[]>
  /** How many groups may be sent before the first is answered (they are written in the order sent). */
  readonly depth: number
  /** Waits for the group being written, then lets go of what the writer holds. */
  close(): Promise<void>
}

/** Runs a planned statement's SQL through Kysely on `db` (a database or a transaction); resolves with the rows it changed. */
export function runThrough(db: Kysely<Database>): GroupTransaction['run'] {
  return async (sql, parameters) => Number((await db.executeQuery(CompiledQuery.raw(sql, [...parameters]))).numAffectedRows ?? 0n)
}

/** Writes groups through Kysely transactions on `db`: portable (the PostgreSQL dialect's writer; SQLite's skip Kysely). */
export function transactionWriter(db: Kysely<Database>): GroupWriter {
  const begin = transactionBegin(db)
  return { write: (units) => writeGroup(begin, units), depth: 1, close: () => Promise.resolve() }
}

/** Begins a Kysely transaction on `db` for {@link writeGroup} and its kin. */
export function transactionBegin(db: Kysely<Database>): () => Promise<GroupTransaction> {
  return async () => {
    const trx = await db.startTransaction().execute()
    return {
      run: runThrough(trx),
      commit: () => trx.commit().execute(),
      rollback: () => trx.rollback().execute(),
    }
  }
}

interface Pending {
  readonly plan: WritePlan
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/** Most units of work sharing one commit. */
const MAX_GROUP = 512

/**
 * Group commit: units of work that arrive together share one transaction and so one fsync, the
 * technique PostgreSQL calls commit_delay. Each unit is still all or nothing on its own (a unit
 * that fails is rolled back alone), and each caller is answered only after the shared commit:
 * nothing is acknowledged before it is durable. When grouping is off, each unit is its own
 * transaction.
 */
export class CommitGroup {
  readonly #writer: GroupWriter
  readonly #grouped: boolean
  #queue: Pending[] = []
  /** Groups sent to the writer and not yet answered. */
  #inFlight = 0
  #scheduled = false
  /** Resolved when nothing is queued or being written (for {@link close}). */
  #idle: Array<() => void> = []

  constructor(writer: GroupWriter, grouped: boolean) {
    this.#writer = writer
    this.#grouped = grouped
  }

  /** Writes `plan` in a transaction (shared with others arriving together) and resolves once it is committed. */
  async run(plan: WritePlan): Promise<void> {
    if (!this.#grouped) {
      const [outcome] = await this.#writer.write([plan])
      if (!outcome?.ok) throw outcome?.error
      return
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ plan, resolve, reject })
      this.#schedule()
    })
  }

  /** Writes each plan all or nothing, in as few transactions as grouping allows; resolves with each one's outcome once committed. */
  async runEach(plans: readonly WritePlan[]): Promise<UnitOutcome[]> {
    if (!this.#grouped) return plans.length === 0 ? [] : this.#writer.write(plans)
    const settled = await Promise.allSettled(plans.map((plan) => this.run(plan)))
    return settled.map((s) => (s.status === 'fulfilled' ? { ok: true } : { ok: false, error: s.reason as unknown }))
  }

  /** Waits for the units queued so far to be written, then closes the writer. */
  async close(): Promise<void> {
    if (this.#queue.length > 0 || this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.push(resolve))
    await this.#writer.close()
  }

  /** Closes a group on the next turn of the event loop, so that the requests already in flight reach it first. */
  #schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#send()
    })
  }

  /**
   * Sends what is queued as groups while the writer takes more (its `depth`); the rest waits for
   * a group to be answered. With a depth of two the writer thread is never left waiting for the
   * next group while this thread handles the answer to the last.
   */
  #send(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#writer.depth) {
      const group = this.#queue.splice(0, MAX_GROUP)
      this.#inFlight++
      void this.#commit(group).finally(() => {
        this.#inFlight--
        if (this.#queue.length > 0) this.#send()
        else if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve()
      })
    }
  }

  async #commit(group: readonly Pending[]): Promise<void> {
    let outcomes: UnitOutcome[]
    try {
      outcomes = await this.#writer.write(group.map((pending) => pending.plan))
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
}
