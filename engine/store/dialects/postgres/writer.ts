import type pg from 'pg'
import type { Kysely } from 'kysely'
import { EngineError } from '../../../errors.js'
import type { GroupWriter } from '../../commit-group.js'
import { transactionWriter } from '../../commit-group.js'
import type { Database } from '../../database.js'
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

/** A value written as a literal: text, a number or null (anything else is sent as a parameter, the slower way). */
function literal(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'null'
  // Quoted like a parameter sent as text: PostgreSQL infers its type from where it stands.
  if (typeof value === 'number') return Number.isFinite(value) ? `'${value}'` : undefined
  if (typeof value === 'bigint') return `'${value}'`
  if (typeof value === 'boolean') return value ? "'true'" : "'false'"
  if (typeof value !== 'string') return undefined
  // A NUL cannot be stored in text either way; let the parameter path refuse it as before.
  if (value.includes('\0')) return undefined
  const quoted = value.replaceAll("'", "''")
  // E'' reads backslashes as escapes whatever standard_conforming_strings says: doubled, they stand for themselves.
  return value.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`
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

/** The statements of `units` as one string, each expectation checked in SQL; undefined if a value cannot be inlined. */
export function batchOf(units: readonly WritePlan[]): { sql: string; statements: PlannedStatement[] } | undefined {
  const statements = units.flat()
  const parts: string[] = []
  for (const [index, statement] of statements.entries()) {
    const sql = inline(statement)
    if (sql === undefined) return undefined
    parts.push(statement.expect ? checked(sql, statement.expect.rows, index) : sql)
  }
  return { sql: parts.join(';\n'), statements }
}

/** The refusal a batch's failure stands for: the expectation it did not meet, or the database's own error. */
function refusal(error: unknown, statements: readonly PlannedStatement[]): unknown {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== INVALID_TEXT_REPRESENTATION) return error
  const match = EXPECTATION_ERROR.exec(error.message)
  const expect = match ? statements[Number(match[1])]?.expect : undefined
  return expect ? new EngineError(expect.code, expect.message) : error
}

/**
 * Writes each group as one simple-protocol message: one round trip and one commit for all its
 * units. If the group fails and has several units, it is written again the portable way (one
 * statement at a time, each unit in a savepoint), so that only the failing unit is refused.
 * Values that cannot be written as literals take that way too.
 */
export function batchWriter(pool: pg.Pool, db: Kysely<Database>): GroupWriter {
  const portable = transactionWriter(db)
  return {
    depth: 1,
    close: () => portable.close(),
    write: async (units): Promise<UnitOutcome[]> => {
      const batch = batchOf(units)
      if (!batch) return portable.write(units)
      try {
        await pool.query(batch.sql)
        return units.map(() => ({ ok: true }))
      } catch (error) {
        if (units.length > 1) return portable.write(units)
        return [{ ok: false, error: refusal(error, batch.statements) }]
      }
    },
  }
}
