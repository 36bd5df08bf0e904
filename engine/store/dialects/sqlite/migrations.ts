import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/**
 * Migration 0017 on SQLite: `public_event` copied into a table whose `payload` may be null and
 * whose `id` is not unique (SQLite alters neither), its rows with their positions, and the
 * highest position ever given (AUTOINCREMENT's) kept, so no position is given twice and the
 * endpoints' cursors still hold.
 */
export async function relaxPublicEvents(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('public_event_next')
    .addColumn('position', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('tx', 'bigint', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('instance_id', 'text')
    .addColumn('process_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('payload', 'text')
    .addColumn('seq', 'integer')
    .addColumn('revision', 'integer')
    .execute()
  await sql`insert into public_event_next (position, tx, id, type, instance_id, process_id, at, recorded_at, payload, seq, revision)
    select position, tx, id, type, instance_id, process_id, at, recorded_at, payload, seq, revision from public_event order by position`.execute(db)
  const given = sql`(select seq from sqlite_sequence where name = 'public_event')`
  await sql`update sqlite_sequence set seq = ${given} where name = 'public_event_next' and seq < ${given}`.execute(db)
  await sql`insert into sqlite_sequence (name, seq) select 'public_event_next', seq from sqlite_sequence
    where name = 'public_event' and not exists (select 1 from sqlite_sequence where name = 'public_event_next')`.execute(db)
  await db.schema.dropTable('public_event').execute()
  await db.schema.alterTable('public_event_next').renameTo('public_event').execute()
  await db.schema.createIndex('public_event_order').on('public_event').columns(['tx', 'position']).execute()
  await db.schema.createIndex('public_event_instance').on('public_event').columns(['instance_id', 'tx', 'position']).execute()
  await db.schema.createIndex('public_event_recorded').on('public_event').columns(['recorded_at']).execute()
}
