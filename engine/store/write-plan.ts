import { EngineError } from '../errors.js'
import type { ErrorCode } from '../errors.js'

// Writes as data: the statements of a unit of work, compiled, with what their row counts must be.
// A plan can be written by any connection (the event loop's own, or the writer thread's), and
// written again if its first attempt was rolled back, without running any code of the caller.

/** How many rows a statement must change for its unit to stand, and the refusal otherwise. */
export interface Expectation {
  readonly rows: number
  readonly code: ErrorCode
  readonly message: string
}

/** One SQL statement of a unit of work, compiled, with its bound values. */
export interface PlannedStatement {
  readonly sql: string
  readonly parameters: readonly unknown[]
  readonly expect?: Expectation
}

/** A unit of work: statements written in order, all or nothing. */
export type WritePlan = readonly PlannedStatement[]

/** The statement of a query built with Kysely: its SQL and values only. */
export function statementOf(query: { compile(): { readonly sql: string; readonly parameters: readonly unknown[] } }, expect?: Expectation): PlannedStatement {
  const { sql, parameters } = query.compile()
  return expect ? { sql, parameters, expect } : { sql, parameters }
}

export type UnitOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown }

/** An open transaction a group is written through. */
export interface GroupTransaction {
  /** Runs one statement; resolves with the number of rows it changed. */
  run(sql: string, parameters: readonly unknown[]): Promise<number>
  commit(): Promise<void>
  rollback(): Promise<void>
}

/** Runs `statement` in `trx`, refusing it (an {@link EngineError}) when it changed other than the rows it expects. */
export async function runStatement(trx: Pick<GroupTransaction, 'run'>, statement: PlannedStatement): Promise<void> {
  const changed = await trx.run(statement.sql, statement.parameters)
  const { expect } = statement
  if (expect && changed !== expect.rows) throw new EngineError(expect.code, expect.message)
}

/**
 * Writes the units in one transaction (from `begin`) and commits it, each unit all or nothing:
 * a unit that fails is rolled back alone, and the others are written. Resolves with each unit's
 * outcome once committed; rejects when the transaction itself failed (then nothing was written).
 *
 * Savepoints are costly in SQLite (each page a unit changes is first copied to a statement
 * journal), and units rarely fail: the group is first written without them. If a unit fails,
 * that attempt is rolled back whole and the group written again, one savepoint per unit.
 */
export async function writeGroup(begin: () => Promise<GroupTransaction>, units: readonly WritePlan[]): Promise<UnitOutcome[]> {
  return await attempt(begin, units, false) ?? await attempt(begin, units, true) as UnitOutcome[]
}

/**
 * Writes the units in one transaction, each in a savepoint of its own: a unit that fails is
 * rolled back alone. For a group known to hold a failing unit.
 */
export async function writeIsolated(begin: () => Promise<GroupTransaction>, units: readonly WritePlan[]): Promise<UnitOutcome[]> {
  return await attempt(begin, units, true) as UnitOutcome[]
}

/**
 * One attempt of {@link writeGroup}, each unit in its own savepoint when `isolated`. Not
 * isolated, a unit that fails rolls the whole transaction back: undefined is returned, unless
 * that unit was the only one (then nothing else was lost).
 */
async function attempt(begin: () => Promise<GroupTransaction>, units: readonly WritePlan[], isolated: boolean): Promise<UnitOutcome[] | undefined> {
  const outcomes: UnitOutcome[] = []
  const trx = await begin()
  try {
    for (const unit of units) {
      // Units are written one after another, so one savepoint name serves them all (and one
      // compiled statement each).
      if (isolated) await trx.run('savepoint unit', [])
      try {
        for (const statement of unit) await runStatement(trx, statement)
        if (isolated) await trx.run('release savepoint unit', [])
        outcomes.push({ ok: true })
      } catch (error) {
        if (!isolated) {
          // A rollback that fails leaves the unit's error to tell what went wrong.
          await trx.rollback().catch(() => { throw error })
          return units.length === 1 ? [{ ok: false, error }] : undefined
        }
        await trx.run('rollback to savepoint unit', [])
        await trx.run('release savepoint unit', [])
        outcomes.push({ ok: false, error })
      }
    }
    await trx.commit()
    return outcomes
  } catch (error) {
    await trx.rollback().catch(() => undefined)
    throw error
  }
}
