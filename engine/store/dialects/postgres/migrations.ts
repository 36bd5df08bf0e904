import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/** Migration 0017 on PostgreSQL: `public_event.payload` may be null, and `id` is not unique. */
export async function relaxPublicEvents(db: Kysely<unknown>): Promise<void> {
  await sql`alter table public_event drop constraint if exists public_event_id_key`.execute(db)
  await db.schema.alterTable('public_event').alterColumn('payload', (c) => c.dropNotNull()).execute()
}
