import type pg from 'pg'
import type { Kysely } from 'kysely'
import { EngineError } from '../../../errors.js'
import type { GroupWriter } from '../../commit-group.js'
import { transactionBegin, transactionWriter } from '../../commit-group.js'
import type { Database } from '../../database.js'
import { writeIsolated } from '../../write-plan.js'
import type { PlannedStatement, UnitOutcome, WritePlan } from '../../write-plan.js'

// A group of units of work in one round trip. node-postgres sends a query without values as one
// simple-protocol Query message, which may hold several statements; PostgreSQL runs them one
// after another in one implicit transaction and commits it, or rolls it all back at the first
// error. So a command's whole write (its revision check, events, party rows, outbox, receipt)
// is one message and one commit, instead of BEGIN, one round trip per statement and COMMIT.

/** The tag an unmet expectation raises, with the statement's index and the rows it changed. */
const EXPECTATION_TAG = 'dc-expect'
const EXPECTATION_ERROR = new RegExp(`${EXPECTATION_TAG}:(\\d+):(\\d+)`)
/** SQLSTATE of "invalid input syntax" (22P02), which the expectation check raises on purpose. */
const INVALID_TEXT_REPRESENTATION = '22P02'

/** What a literal's text must have doubled: quotes, and backslashes (which then make it an `E''` string). */
const TO_DOUBLE = /['\\]/
const EVERY_TO_DOUBLE = /['\\]/g

/**
 * `text` as a string literal, exactly as node-postgres's `escapeLiteral` writes it: quotes
 * doubled, and text with a backslash as ` E'...'` (backslashes doubled), its leading space
 * keeping it apart from what precedes it. `escapeLiteral` builds its answer a character at a
 * time: about 25 µs for an instance's 2 KB of state, against 2 µs for one scan and a copy.
 */
export function quoted(text: string): string {
  if (!TO_DOUBLE.test(text)) return `'${text}'`
  const doubled = `'${text.replace(EVERY_TO_DOUBLE, '$&$&')}'`
  return text.includes('\\') ? ` E${doubled}` : doubled
}

/**
 * A value written as a literal: text (see {@link quoted}), a number or null; anything else is
 * sent as a parameter, the slower way.
 */
function literal(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'null'
  // Quoted like a parameter sent as text: PostgreSQL infers its type from where it stands.
  if (typeof value === 'number') return Number.isFinite(value) ? `'${value}'` : undefined
  if (typeof value === 'bigint') return `'${value}'`
  if (typeof value === 'boolean') return value ? "'true'" : "'false'"
  if (typeof value !== 'string') return undefined
  // A NUL cannot be stored in text either way; let the parameter path refuse it as before.
  if (value.includes('\0')) return undefined
  return quoted(value)
}

/** `statement`'s SQL with its `$n` placeholders replaced by literals, or undefined if one value cannot be. */
export function inline(statement: Pick<PlannedStatement, 'sql' | 'parameters'>): string | undefined {
  const literals: string[] = []
  for (const value of statement.parameters) {
    const text = literal(value)
    if (text === undefined) return undefined
    literals.push(text)
  }
  let missing = false
  // Kysely writes values only as $n placeholders, never inside a quoted string of its own.
  const sql = statement.sql.replace(/\$(\d+)/g, (_, n: string) => {
    const text = literals[Number(n) - 1]
    if (text === undefined) missing = true
    return text ?? ''
  })
  return missing ? undefined : sql
}

/**
 * The statement `index` of a batch, checking its expectation: it changes its rows as a CTE, and
 * the outer SELECT fails the whole batch (with {@link EXPECTATION_TAG}, the index and the count)
 * when their number is not the one expected. The failing cast is not a constant, so it is only
 * evaluated when reached.
 */
function checked(sql: string, rows: number, index: number): string {
  return `with changed as (${sql} returning 1) select case when count(*) = ${rows} then 0 else cast('${EXPECTATION_TAG}:${index}:' || cast(count(*) as text) as integer) end from changed`
}

/** The statements of `units` as one string, each expectation checked in SQL, and the unit of each statement; undefined if a value cannot be inlined. */
export function batchOf(units: readonly WritePlan[]): { sql: string; statements: PlannedStatement[]; unitOf: number[] } | undefined {
  const statements: PlannedStatement[] = []
  const unitOf: number[] = []
  const parts: string[] = []
  for (const [unit, plan] of units.entries()) {
    for (const statement of plan) {
      const sql = inline(statement)
      if (sql === undefined) return undefined
      parts.push(statement.expect ? checked(sql, statement.expect.rows, statements.length) : sql)
      statements.push(statement)
      unitOf.push(unit)
    }
  }
  return { sql: parts.join(';\n'), statements, unitOf }
}

/** The statement whose expectation a batch's failure reports, by its index in the batch; undefined for any other failure. */
function unmet(error: unknown): number | undefined {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== INVALID_TEXT_REPRESENTATION) return undefined
  const match = EXPECTATION_ERROR.exec(error.message)
  return match ? Number(match[1]) : undefined
}

/**
 * Writes each group as one simple-protocol message: one round trip and one commit for all its
 * units. A unit whose expectation fails (a stale revision, most often) is refused with its own
 * error and the others are sent again, still as one message. Any other failure of a group of
 * several units has it written again the portable way (one statement at a time, each unit in a
 * savepoint), so that only the failing unit is refused; so are groups holding a value that
 * cannot be written as a literal.
 */
export function batchWriter(pool: pg.Pool, db: Kysely<Database>): GroupWriter {
  const portable = transactionWriter(db)
  const begin = transactionBegin(db)
  return {
    depth: 1,
    close: () => portable.close(),
    write: async (units): Promise<UnitOutcome[]> => {
      const outcomes: Array<UnitOutcome | undefined> = units.map(() => undefined)
      let pending = units.map((_, i) => i)
      while (pending.length > 0) {
        const plans = pending.map((i) => units[i] as WritePlan)
        const batch = batchOf(plans)
        if (!batch) {
          const written = await portable.write(plans)
          pending.forEach((i, k) => { outcomes[i] = written[k] })
          break
        }
        try {
          await pool.query(batch.sql)
          for (const i of pending) outcomes[i] = { ok: true }
          break
        } catch (error) {
          const index = unmet(error)
          const expect = index === undefined ? undefined : batch.statements[index]?.expect
          const unit = index === undefined ? undefined : batch.unitOf[index]
          if (expect && unit !== undefined) {
            // Nothing of the batch was written: refuse this unit, send the others again.
            const refused = pending[unit] as number
            outcomes[refused] = { ok: false, error: new EngineError(expect.code, expect.message) }
            pending = pending.filter((i) => i !== refused)
            continue
          }
          if (pending.length === 1) {
            outcomes[pending[0] as number] = { ok: false, error }
            break
          }
          const isolated = await writeIsolated(begin, plans)
          pending.forEach((i, k) => { outcomes[i] = isolated[k] })
          break
        }
      }
      return outcomes.map((outcome) => outcome ?? { ok: false, error: new Error('A unit of a batch was left unwritten.') })
    },
  }
}
