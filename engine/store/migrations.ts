import type { Kysely, Migration, MigrationProvider } from 'kysely'

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
}

/** Serves the migrations above to Kysely's Migrator, from code rather than files on disk. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
}
