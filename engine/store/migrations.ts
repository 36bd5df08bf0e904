import type { Kysely, Migration, MigrationProvider } from 'kysely'
import type { OutboxOrder } from './dialect.js'
import { dialectMigrations } from './outbox-migrations.js'
import { orderIdOf } from './instance-writes.js'

/**
 * The schema's history, oldest first. Written once with Kysely's schema builder so the same
 * migrations run on SQLite and PostgreSQL; a released migration is never edited, only followed.
 */
const migrations: Record<string, Migration> = {
  '0001-initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('process_definition')
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('owner', 'text')
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('process_definition_pk', ['id', 'version'])
        .execute()

      await db.schema.createTable('instance')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('process_id', 'text', (c) => c.notNull())
        .addColumn('process_version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('step', 'text')
        .addColumn('outcome', 'text')
        .addColumn('next_deadline', 'text')
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('last_seq', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addForeignKeyConstraint('instance_process_fk', ['process_id', 'process_version'], 'process_definition', ['id', 'version'])
        .execute()
      await db.schema.createIndex('instance_next_deadline').on('instance').columns(['next_deadline']).execute()
      await db.schema.createIndex('instance_listing').on('instance').columns(['created_at', 'id']).execute()
      await db.schema.createIndex('instance_process_status').on('instance').columns(['process_id', 'status', 'step']).execute()

      await db.schema.createTable('instance_party')
        .addColumn('instance_id', 'text', (c) => c.notNull().references('instance.id'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('waiting', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('instance_party_pk', ['instance_id', 'role'])
        .execute()
      await db.schema.createIndex('instance_party_subject').on('instance_party').columns(['subject', 'role', 'waiting', 'instance_id']).execute()

      await db.schema.createTable('event')
        .addColumn('instance_id', 'text', (c) => c.notNull().references('instance.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('fired_at', 'text')
        .addColumn('step', 'text')
        .addColumn('action', 'text')
        .addColumn('actor_role', 'text')
        .addColumn('actor_subject', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('event_pk', ['instance_id', 'seq'])
        .execute()

      await db.schema.createTable('attachment')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('uploaded_by_role', 'text', (c) => c.notNull())
        .addColumn('uploaded_by_subject', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.references('instance.id'))
        .addColumn('file_name', 'text')
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('type', 'text')
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('storage_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('attachment_instance').on('attachment').columns(['instance_id']).execute()
    },
  },
  '0002-api': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('api_token')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('label', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .execute()

      await db.schema.createTable('idempotency_key')
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('response', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_key_pk', ['principal', 'key'])
        .execute()
      await db.schema.createIndex('idempotency_key_expiry').on('idempotency_key').columns(['expires_at']).execute()
    },
  },
  '0003-derived-processes': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('process_definition').addColumn('base', 'text').execute()
    },
  },
  '0004-deadline-order': {
    // Deadline claims read `order by next_deadline, id`: with the id in the index, the first batch
    // of many equal deadlines comes straight from it instead of from a sort of every due row.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('instance_due').on('instance').columns(['next_deadline', 'id']).execute()
      await db.schema.dropIndex('instance_next_deadline').execute()
    },
  },
  '0005-idempotency-claim': {
    // Who holds an unanswered key: a retry that takes over a dead request's key gets a new token,
    // and an answer is stored only under the token of the request that holds the key.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('idempotency_key').addColumn('claim_token', 'text').execute()
    },
  },
  '0006-hardening': {
    // Consecutive failures to fire an instance's due deadline: after a few, it is marked failed
    // and left for an administrator instead of being retried for ever.
    // Tokens: when each was last used and revoked. Uploads: counted per principal and hour.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('instance').addColumn('fire_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute()
      await db.schema.alterTable('api_token').addColumn('last_used_at', 'text').execute()
      await db.schema.alterTable('api_token').addColumn('revoked_at', 'text').execute()
      await db.schema.createIndex('attachment_uploader').on('attachment').columns(['uploaded_by_role', 'uploaded_by_subject', 'created_at']).execute()
    },
  },
  '0007-console': {
    // People in the console: one-time sign-in links and the sessions they (or a pasted API
    // token) open. Only hashes of their secrets are stored.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('console_link')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('return_path', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute()
      await db.schema.createTable('console_session')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .execute()
      await db.schema.createIndex('console_link_expiry').on('console_link').column('expires_at').execute()
      await db.schema.createIndex('console_session_expiry').on('console_session').column('expires_at').execute()
    },
  },
  '0008-order-id': {
    // Finding a delivery by its order ID: the context's `orderId` in a column of its own, indexed
    // with the listing order so a search answers from the index in either direction. Instances
    // inserted before are filled in from their stored state.
    // A party's list (the console's inbox), newest or oldest first: the instance's creation
    // instant is copied to its party rows, so the list is read in order from an index (with or
    // without "waiting on me") instead of sorting all of the party's instances for every page.
    // One transaction on both databases (Kysely runs a migration in one on PostgreSQL only), so
    // a failure leaves nothing half done.
    async up(db: Kysely<unknown>): Promise<void> {
      const migrate = async (trx: Kysely<unknown>): Promise<void> => {
        await trx.schema.alterTable('instance').addColumn('order_id', 'text').execute()
        await fillOrderIds(trx as Kysely<OrderIdRows>)
        await trx.schema.createIndex('instance_order_id').on('instance').columns(['order_id', 'created_at', 'id']).execute()
        await trx.schema.alterTable('instance_party').addColumn('instance_created_at', 'text').execute()
        const rows = trx as Kysely<OrderIdRows>
        await rows.updateTable('instance_party').set((eb) => ({
          instance_created_at: eb.selectFrom('instance').select('instance.created_at').whereRef('instance.id', '=', 'instance_party.instance_id'),
        })).execute()
        await trx.schema.createIndex('instance_party_listing').on('instance_party').columns(['subject', 'role', 'instance_created_at', 'instance_id']).execute()
        await trx.schema.createIndex('instance_party_waiting').on('instance_party').columns(['subject', 'role', 'waiting', 'instance_created_at', 'instance_id']).execute()
        // Superseded by instance_party_waiting, which leads with the same columns.
        await trx.schema.dropIndex('instance_party_subject').execute()
      }
      await (db.isTransaction ? migrate(db) : db.transaction().execute(migrate))
    },
  },
  '0009-process-listing': {
    // An administrator's list of one process's deliveries, newest or oldest first, read in order
    // from an index instead of sorting every delivery of that process. Neither column ever
    // changes, so acts never update it.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('instance_process_listing').on('instance').columns(['process_id', 'created_at', 'id']).execute()
    },
  },
  '0010-owner-role': {
    // A private process belongs to a subject in one of the process's roles, stored beside it. The
    // private processes registered before this migration were all registered for ISVs.
    async up(db: Kysely<unknown>): Promise<void> {
      const rows = db as Kysely<{ process_definition: { owner: string | null; owner_role: string | null } }>
      await rows.schema.alterTable('process_definition').addColumn('owner_role', 'text').execute()
      await rows.updateTable('process_definition').set({ owner_role: 'isv' }).where('owner', 'is not', null).execute()
    },
  },
  '0014-unique-values-and-image-facts': {
    // What an uploaded image's pixels say (ImageFacts as JSON), read once when it is stored; files
    // stored before have none. And the values that no two instances of a process in progress may
    // share (a process's `unique`), one row per instance holding one: the primary key is what
    // refuses the second, atomically on both databases. A row goes when its instance ends (or
    // records another value); instances started before hold none, as no process declared any.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('attachment').addColumn('image', 'text').execute()
      await db.schema.createTable('unique_value')
        .addColumn('process_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('instance_id', 'text', (c) => c.notNull().references('instance.id'))
        .addPrimaryKeyConstraint('unique_value_pk', ['process_id', 'name', 'value'])
        .execute()
      await db.schema.createIndex('unique_value_instance').on('unique_value').columns(['instance_id']).execute()
    },
  },
  '0015-process-proposals': {
    // Proposals of customised procedures (engine/runtime/proposals.ts): each one's state as JSON,
    // found by its proposer (their own list) and by status (the reviewers' queue).
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('process_proposal')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('proposer_role', 'text', (c) => c.notNull())
        .addColumn('proposer', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('process_id', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('process_proposal_proposer').on('process_proposal').columns(['proposer_role', 'proposer', 'created_at']).execute()
      await db.schema.createIndex('process_proposal_status').on('process_proposal').columns(['status', 'created_at']).execute()
    },
  },
  '0016-proposal-summaries': {
    // A proposal as lists show it, without its texts and history (each text may be 1 MiB): a
    // page of proposals reads these, never the whole states. Filled in for the proposals stored
    // before, in chunks.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('process_proposal').addColumn('summary', 'text').execute()
      const proposals = db as unknown as Kysely<{ process_proposal: { id: string; state: string; summary: string | null } }>
      for (;;) {
        const rows = await proposals.selectFrom('process_proposal').select(['id', 'state']).where('summary', 'is', null).limit(100).execute()
        for (const { id, state } of rows) {
          const { source: _source, previousSource: _previous, history: _history, ...summary } = JSON.parse(state) as Record<string, unknown>
          await proposals.updateTable('process_proposal').set({ summary: JSON.stringify(summary) }).where('id', '=', id).execute()
        }
        if (rows.length < 100) break
      }
    },
  },
  '0018-webhook-event-position': {
    // Each webhook delivery knows its event's place in the outbox, where a claim finds it by key
    // (rather than among its delivery's events). Deliveries queued before are found by id.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('webhook_delivery').addColumn('event_position', 'bigint').execute()
    },
  },
  '0019-waiting-parties': {
    // Whom each instance's current step waits on: rows of a table of their own, one per party
    // waited on, instead of a flag on every party row. The flag was in the party rows' indexes,
    // so each change cost a new version of the row with an entry in every one of them (about
    // 30 µs on PostgreSQL); now a party that stops being waited on is one row deleted, and rows
    // are written only where waiting starts or stops. One transaction on both databases.
    async up(db: Kysely<unknown>): Promise<void> {
      const migrate = async (trx: Kysely<unknown>): Promise<void> => {
        await trx.schema.createTable('waiting_party')
          .addColumn('instance_id', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('instance_created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('waiting_party_pk', ['instance_id', 'role'])
          .addForeignKeyConstraint('waiting_party_party_fk', ['instance_id', 'role'], 'instance_party', ['instance_id', 'role'])
          .execute()
        const rows = trx as Kysely<WaitingRows>
        // A party row's copy of its instance's creation was filled in by 0008; the instance's own stands in should one lack it.
        await rows.insertInto('waiting_party').columns(['instance_id', 'role', 'subject', 'instance_created_at'])
          .expression(rows.selectFrom('instance_party').innerJoin('instance', 'instance.id', 'instance_party.instance_id')
            .select((eb) => ['instance_party.instance_id', 'instance_party.role', 'instance_party.subject', eb.fn.coalesce('instance_party.instance_created_at', 'instance.created_at').as('instance_created_at')])
            .where('instance_party.waiting', '=', 1))
          .execute()
        await trx.schema.createIndex('waiting_party_listing').on('waiting_party').columns(['subject', 'role', 'instance_created_at', 'instance_id']).execute()
        await trx.schema.dropIndex('instance_party_waiting').execute()
        await trx.schema.alterTable('instance_party').dropColumn('waiting').execute()
      }
      await (db.isTransaction ? migrate(db) : db.transaction().execute(migrate))
    },
  },
  '0020-engine-keys': {
    // Keys the engine makes for itself, each the first time it is needed (KeyRepository), so that
    // every server on the database uses the same: the one encrypting the event feed's cursors.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('engine_key')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute()
    },
  },
}

/** The columns migration 0008 reads and writes. */
interface OrderIdRows {
  instance: { id: string; state: string; order_id: string | null; created_at: string }
  instance_party: { instance_id: string; instance_created_at: string | null }
}

/** The columns migration 0019 reads and writes. */
interface WaitingRows {
  instance: { id: string; created_at: string }
  instance_party: { instance_id: string; role: string; subject: string; waiting: number; instance_created_at: string | null }
  waiting_party: { instance_id: string; role: string; subject: string; instance_created_at: string }
}

/** Instances read per batch when filling in order IDs, in id order; their states are parsed in JavaScript, the same way on every database. */
const FILL_BATCH = 1000

/** Sets `order_id` of every instance from the `orderId` of its stored state's context (see `orderIdOf`). */
async function fillOrderIds(db: Kysely<OrderIdRows>): Promise<void> {
  for (let after: string | undefined; ;) {
    const rows = await db.selectFrom('instance').select(['id', 'state'])
      .$if(after !== undefined, (q) => q.where('id', '>', after as string))
      .orderBy('id').limit(FILL_BATCH).execute()
    const found = rows.flatMap(({ id, state }) => {
      const orderId = orderIdOf((JSON.parse(state) as { context?: Record<string, unknown> }).context ?? {})
      return orderId === null ? [] : [{ id, orderId }]
    })
    const [first, ...rest] = found
    if (first) {
      // One statement per batch: `case when id = ? then ? ... end` for the instances that have one.
      await db.updateTable('instance').set((eb) => {
        let value = eb.case().when('id', '=', first.id).then(first.orderId)
        for (const { id, orderId } of rest) value = value.when('id', '=', id).then(orderId)
        return { order_id: value.end() }
      }).where('id', 'in', found.map((f) => f.id)).execute()
    }
    if (rows.length < FILL_BATCH) return
    after = rows.at(-1)?.id
  }
}

/** Serves the migrations to Kysely's Migrator, from code rather than files on disk, for a database with `outbox`'s traits. */
export function migrationProvider(outbox: OutboxOrder): MigrationProvider {
  return { getMigrations: () => Promise.resolve({ ...migrations, ...dialectMigrations(outbox) }) }
}
