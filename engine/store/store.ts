import type { Kysely } from 'kysely'
import { Migrator, sql } from 'kysely'
import { AttachmentRepository } from './attachment-repository.js'
import { CommitGroup, connectionWriter, transactionWriter } from './commit-group.js'
import { ConsoleRepository } from './console-repository.js'
import type { GroupWriter } from './commit-group.js'
import type { Database } from './database.js'
import type { PostgresOptions } from './dialects/postgres.js'
import { isPostgresUrl, openPostgres } from './dialects/postgres.js'
import type { SqliteOptions } from './dialects/sqlite.js'
import { openSqlite } from './dialects/sqlite.js'
import { IdempotencyRepository } from './idempotency-repository.js'
import { InstanceRepository } from './instance-repository.js'
import { migrationProvider } from './migrations.js'
import { ProcessRepository } from './process-repository.js'
import { TokenRepository } from './token-repository.js'
import { threadWriter } from './writer.js'

const MIGRATION_ATTEMPTS = 5

export interface StoreOptions {
  /**
   * Whether writes that arrive together share one commit (default true on SQLite, false on
   * PostgreSQL, whose concurrent commits already share WAL flushes). Each is still all or
   * nothing and acknowledged only once committed; grouping only saves fsyncs under load.
   */
  readonly groupCommit?: boolean
}

/** The database engines the store runs on. */
export type DialectName = 'sqlite' | 'postgres'

/** Options of {@link Store.open}: those of whichever database the location names. */
export type OpenOptions = SqliteOptions & PostgresOptions & StoreOptions

/** The database behind the engine: its repositories, migrated to the latest schema when opened. */
export class Store {
  readonly db: Kysely<Database>
  readonly dialect: DialectName
  readonly processes: ProcessRepository
  readonly instances: InstanceRepository
  readonly attachments: AttachmentRepository
  readonly tokens: TokenRepository
  readonly idempotency: IdempotencyRepository
  /** Console sign-in links and sessions. */
  readonly console: ConsoleRepository
  readonly #commits: CommitGroup

  private constructor(db: Kysely<Database>, dialect: DialectName, options: StoreOptions, writer: GroupWriter = transactionWriter(db)) {
    this.db = db
    this.dialect = dialect
    this.processes = new ProcessRepository(db, { lockPerId: dialect === 'postgres' })
    this.#commits = new CommitGroup(writer, options.groupCommit ?? dialect === 'sqlite')
    this.instances = new InstanceRepository(db, this.#commits, { rowLocks: dialect === 'postgres' })
    this.attachments = new AttachmentRepository(db)
    this.tokens = new TokenRepository(db)
    this.idempotency = new IdempotencyRepository(db)
    this.console = new ConsoleRepository(db)
  }

  /**
   * Opens the database `location` names, a `postgres://` URL or a SQLite file path (created if
   * missing), and runs pending migrations.
   */
  static async open(location: string, options: OpenOptions = {}): Promise<Store> {
    return isPostgresUrl(location) ? Store.openPostgres(location, options) : Store.openSqlite(location, options)
  }

  /** Opens a SQLite file (created if missing) and runs pending migrations. */
  static async openSqlite(file: string, options: SqliteOptions & StoreOptions = {}): Promise<Store> {
    const { db, begin } = openSqlite(file, options)
    const threaded = file !== ':memory:' && options.writerThread === true
    const store = new Store(db, 'sqlite', options, threaded ? threadWriter(file, options) : connectionWriter(db, begin))
    await store.migrate()
    return store
  }

  /** Connects to a PostgreSQL database and runs pending migrations (Kysely serialises migrators with a lock). */
  static async openPostgres(url: string, options: PostgresOptions & StoreOptions = {}): Promise<Store> {
    const store = new Store(openPostgres(url, options), 'postgres', options)
    try {
      await store.migrate()
    } catch (error) {
      await store.close()
      throw error
    }
    return store
  }

  /**
   * Runs every pending migration. Kysely takes no lock on SQLite, so two processes opening a new
   * file at once can race: the loser's transaction fails and is retried, by which time the
   * winner's migrations are committed and there is nothing left to do.
   */
  async migrate(): Promise<void> {
    const migrator = await this.#migrator()
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

  /**
   * The names of the migrations this code has that the database has not run, oldest first:
   * empty when the schema is current. Reads the database, so it also fails when it cannot be reached.
   */
  async pendingMigrations(): Promise<string[]> {
    const migrator = await this.#migrator()
    return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name)
  }

  async #migrator(): Promise<Migrator> {
    // Kysely looks for its bookkeeping tables in every schema unless told which: on PostgreSQL,
    // name the connection's own schema, so databases holding several schemas stay apart.
    const schema = this.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(this.db)).rows[0]?.schema
      : undefined
    return new Migrator({ db: this.db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) })
  }

  /** Closes the database; pending writes are committed or were already refused. */
  async close(): Promise<void> {
    await this.#commits.close()
    await this.db.destroy()
  }
}
