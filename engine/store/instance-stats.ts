import type { Kysely } from 'kysely'
import type { Database } from './database.js'

// Figures about instances for monitoring, each one indexed query whatever the number of
// instances: scanning them all (a count by status) would block a SQLite server for about a
// second per million instances.

/**
 * The number of instances in `status` for each process that has any, e.g. the failed ones.
 * Counted per registered process id so the `(process_id, status, step)` index is searched, not
 * scanned.
 */
export async function countInStatus(db: Kysely<Database>, status: string): Promise<Array<{ process: string; count: number }>> {
  const rows = await db.selectFrom('instance')
    .select((eb) => ['process_id', eb.fn.countAll<number | string>().as('count')])
    .where('process_id', 'in', db.selectFrom('process_definition').select('id'))
    .where('status', '=', status)
    .groupBy('process_id')
    .execute()
  // PostgreSQL counts are bigint, read as strings.
  return rows.map((row) => ({ process: row.process_id, count: Number(row.count) }))
}

/** The earliest deadline of an active instance that is due at `now` (ISO 8601), or undefined when none is overdue. */
export async function oldestDueDeadline(db: Kysely<Database>, now: string): Promise<string | undefined> {
  const row = await db.selectFrom('instance').select('next_deadline')
    .where('next_deadline', '<=', now)
    .where('status', '=', 'active')
    .orderBy('next_deadline')
    .limit(1)
    .executeTakeFirst()
  return row?.next_deadline ?? undefined
}
