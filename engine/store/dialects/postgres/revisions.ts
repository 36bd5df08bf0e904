import { CompiledQuery } from 'kysely'
import type { Kysely } from 'kysely'
import type { Database } from '../../database.js'
import { columnsOf } from '../../instance-writes.js'
import type { RevisionWrite } from '../../instance-writes.js'

/** Most instances in one multi-row UPDATE: ten bound parameters each. */
const UPDATE_CHUNK = 500
/** Bound parameters per instance: its id, the revision expected, and the eight columns written. */
const PER_ROW = 10

/** The statement for `rows` instances, written out once per size (its text depends on nothing else). */
const statements = new Map<number, string>()
function statementFor(rows: number): string {
  let text = statements.get(rows)
  if (text === undefined) {
    const values: string[] = []
    for (let r = 0; r < rows; r++) {
      const p = (k: number): string => `$${r * PER_ROW + k}`
      values.push(`(${p(1)}, cast(${p(2)} as integer), ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, cast(${p(7)} as integer), cast(${p(8)} as integer), ${p(9)}, ${p(10)})`)
    }
    text = `with v(id, expected, status, step, outcome, next_deadline, revision, last_seq, state, updated_at) as (values ${values.join(', ')})
      update instance set status = v.status, step = v.step, outcome = v.outcome, next_deadline = v.next_deadline,
        revision = v.revision, last_seq = v.last_seq, state = v.state, updated_at = v.updated_at, fire_failures = 0
      from v where instance.id = v.id and instance.revision = v.expected
      returning instance.id`
    statements.set(rows, text)
  }
  return text
}

/**
 * Stores each `state` whose instance is still at its `expected` revision (resetting its count of
 * failed attempts at firing a deadline, as `updateStatement` does), many per statement
 * (`with v(...) as (values ...) update instance ... from v`); returns the ids updated: PostgreSQL
 * claims write their batch so, saving a round trip per instance.
 */
export async function updateRevisions(db: Kysely<Database>, writes: readonly RevisionWrite[]): Promise<Set<string>> {
  const updated = new Set<string>()
  for (let i = 0; i < writes.length; i += UPDATE_CHUNK) {
    const chunk = writes.slice(i, i + UPDATE_CHUNK)
    const parameters: unknown[] = []
    for (const { expected, state, eventCount } of chunk) {
      const c = columnsOf(state, expected.lastSeq + eventCount)
      parameters.push(state.id, expected.state.revision, c.status, c.step, c.outcome, c.next_deadline, c.revision, c.last_seq, c.state, c.updated_at)
    }
    const { rows } = await db.executeQuery(CompiledQuery.raw(statementFor(chunk.length), parameters))
    for (const row of rows as ReadonlyArray<{ id: string }>) updated.add(row.id)
  }
  return updated
}
