import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { Database } from '../../database.js'
import { columnsOf } from '../../instance-writes.js'
import type { RevisionWrite } from '../../instance-writes.js'

/** Most instances in one multi-row UPDATE: ten bound parameters each. */
const UPDATE_CHUNK = 500

/**
 * Stores each `state` whose instance is still at its `expected` revision (resetting its count of
 * failed attempts at firing a deadline, as `updateStatement` does), many per statement
 * (`with v(...) as (values ...) update instance ... from v`); returns the ids updated: PostgreSQL
 * claims write their batch so, saving a round trip per instance.
 */
export async function updateRevisions(db: Kysely<Database>, writes: readonly RevisionWrite[]): Promise<Set<string>> {
  const updated = new Set<string>()
  for (let i = 0; i < writes.length; i += UPDATE_CHUNK) {
    const values = writes.slice(i, i + UPDATE_CHUNK).map(({ expected, state, eventCount }) => {
      const c = columnsOf(state, expected.lastSeq + eventCount)
      return sql`(${state.id}, cast(${expected.state.revision} as integer), ${c.status}, ${c.step}, ${c.outcome}, ${c.next_deadline},
        cast(${c.revision} as integer), cast(${c.last_seq} as integer), ${c.state}, ${c.updated_at})`
    })
    const { rows } = await sql<{ id: string }>`with v(id, expected, status, step, outcome, next_deadline, revision, last_seq, state, updated_at) as (values ${sql.join(values)})
      update instance set status = v.status, step = v.step, outcome = v.outcome, next_deadline = v.next_deadline,
        revision = v.revision, last_seq = v.last_seq, state = v.state, updated_at = v.updated_at, fire_failures = 0
      from v where instance.id = v.id and instance.revision = v.expected
      returning instance.id`.execute(db)
    for (const row of rows) updated.add(row.id)
  }
  return updated
}
