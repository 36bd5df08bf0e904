import type { Kysely } from 'kysely'
import { Migrator } from 'kysely'
import { AttachmentRepository } from './attachment-repository.js'
import { CommitGroup } from './commit-group.js'
import type { Database } from './database.js'
import type { SqliteOptions } from './dialects/sqlite.js'
import { openSqlite } from './dialects/sqlite.js'
import { IdempotencyRepository } from './idempotency-repository.js'
import { InstanceRepository } from './instance-repository.js'
import { migrationProvider } from './migrations.js'
import { ProcessRepository } from './process-repository.js'
import { TokenRepository } from './token-repository.js'

const MIGRATION_ATTEMPTS = 5

export interface StoreOptions {
  /**
   * Whether writes that arrive together share one commit (default true). Each is still all or
   * nothing and acknowledged only once committed; grouping only saves fsyncs under load.
   */
  readonly groupCommit?: boolean
}

/** The database behind the engine: its repositories, migrated to the latest schema when opened. */
export class Store {
  readonly db: Kysely<Database>
  readonly processes: ProcessRepository
  readonly instances: InstanceRepository
  readonly attachments: AttachmentRepository
  readonly tokens: TokenRepository
  readonly idempotency: IdempotencyRepository

  private constructor(db: Kysely<Database>, options: StoreOptions) {
    this.db = db
    this.processes = new ProcessRepository(db)
    this.instances = new InstanceRepository(db, new CommitGroup(db, options.groupCommit ?? true))
    this.attachments = new AttachmentRepository(db)
    this.tokens = new TokenRepository(db)
    this.idempotency = new IdempotencyRepository(db)
  }

  /** Opens a SQLite file (created if missing) and runs pending migrations. */
  static async openSqlite(file: string, options: SqliteOptions & StoreOptions = {}): Promise<Store> {
    const store = new Store(openSqlite(file, options), options)
    await store.migrate()
    return store
  }

  /**
   * Runs every pending migration. Kysely takes no lock on SQLite, so two processes opening a new
   * file at once can race: the loser's transaction fails and is retried, by which time the
   * winner's migrations are committed and there is nothing left to do.
   */
  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider })
    for (let attempt = 1; ; attempt++) {
      const { error, results } = await migrator.migrateToLatest()
      if (!error) return
      if (attempt >= MIGRATION_ATTEMPTS) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
        throw new Error(`Migration ${failed} failed`, { cause: error })
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
    }
  }

  /** Closes the database; pending writes are committed or were already refused. */
  async close(): Promise<void> {
    await this.db.destroy()
  }
}
