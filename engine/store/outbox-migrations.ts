import type { Kysely, Migration } from 'kysely'
import type { OutboxOrder } from './dialect.js'

// The migrations of the outbox and the webhooks, part of the schema's history in migrations.ts.

/**
 * The migrations that need what differs between databases: from 0011 on, each is made with the
 * dialect's traits (and is, once released, never edited either).
 */
export function dialectMigrations(outbox: OutboxOrder): Record<string, Migration> {
  return {
    '0011-public-events': {
      // The outbox of public events, written with the changes they describe and read in
      // (tx, position) order by the feed, the live stream and the webhook dispatcher (see
      // OutboxOrder). `recorded_at` is when the change was decided, `at` when it took effect.
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema.createTable('public_event')
          .addColumn('position', outbox.keyType, (c) => outbox.autoIncrement(c))
          .addColumn('tx', 'bigint', (c) => c.notNull())
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('instance_id', 'text')
          .addColumn('process_id', 'text')
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('recorded_at', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('public_event_order').on('public_event').columns(['tx', 'position']).execute()
        await db.schema.createIndex('public_event_instance').on('public_event').columns(['instance_id', 'tx', 'position']).execute()
        await db.schema.createIndex('public_event_recorded').on('public_event').columns(['recorded_at']).execute()
      },
    },
    '0012-webhooks': {
      // Webhook endpoints (each with where its reading of the outbox stands), the deliveries of
      // events to them (claimed with a lease by one server at a time) and the log of attempts.
      async up(db: Kysely<unknown>): Promise<void> {
        await db.schema.createTable('webhook_endpoint')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('url', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('types', 'text')
          .addColumn('process_id', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('disabled_reason', 'text')
          .addColumn('secret', 'text', (c) => c.notNull())
          .addColumn('previous_secret', 'text')
          .addColumn('previous_until', 'text')
          .addColumn('cursor_tx', 'bigint', (c) => c.notNull())
          .addColumn('cursor_position', 'bigint', (c) => c.notNull())
          .addColumn('failing_since', 'text')
          .addColumn('last_success_at', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema.createTable('webhook_delivery')
          .addColumn('id', outbox.keyType, (c) => outbox.autoIncrement(c))
          .addColumn('endpoint_id', 'text', (c) => c.notNull())
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('instance_id', 'text')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('next_attempt_at', 'text', (c) => c.notNull())
          .addColumn('claimed_by', 'text')
          .addColumn('claimed_until', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('webhook_delivery_due').on('webhook_delivery').columns(['status', 'next_attempt_at']).execute()
        await db.schema.createIndex('webhook_delivery_order').on('webhook_delivery').columns(['endpoint_id', 'instance_id', 'status', 'id']).execute()
        await db.schema.createTable('webhook_attempt')
          .addColumn('id', outbox.keyType, (c) => outbox.autoIncrement(c))
          .addColumn('endpoint_id', 'text', (c) => c.notNull())
          .addColumn('delivery_id', 'bigint', (c) => c.notNull())
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('attempt', 'integer', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('status', 'integer')
          .addColumn('latency_ms', 'integer', (c) => c.notNull())
          .addColumn('error', 'text')
          .execute()
        await db.schema.createIndex('webhook_attempt_endpoint').on('webhook_attempt').columns(['endpoint_id', 'id']).execute()
      },
    },
    '0017-public-events-by-reference': {
      // A delivery's public event is kept by reference (`seq`, `revision`) and rebuilt from the
      // delivery's history when read: its `payload` is null. And the event id's unique index goes
      // (an id is the delivery's id and a number: the index of a delivery's events finds it);
      // both were most of what every change wrote. Events stored before keep their payload.
      // One transaction on both databases (see 0008): on SQLite, which copies the table, it also
      // holds other writers off until the copy has replaced the table.
      async up(db: Kysely<unknown>): Promise<void> {
        const migrate = async (trx: Kysely<unknown>): Promise<void> => {
          await trx.schema.alterTable('public_event').addColumn('seq', 'integer').execute()
          await trx.schema.alterTable('public_event').addColumn('revision', 'integer').execute()
          await outbox.relaxPublicEvents(trx)
        }
        await (db.isTransaction ? migrate(db) : db.transaction().execute(migrate))
      },
    },
  }
}
