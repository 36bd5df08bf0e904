import type { Kysely } from 'kysely'
import { Migrator } from 'kysely'
import { AttachmentRepository } from './attachment-repository.js'
import { CommitGroup } from './commit-group.js'
import { ConsoleRepository } from './console-repository.js'
import { KeyRepository } from './key-repository.js'
import type { Database } from './database.js'
import type { DialectName, StoreDialect } from './dialect.js'
import { openDialect } from './dialects/index.js'
import type { DialectOptions } from './dialects/index.js'
import type { PostgresOptions } from './dialects/postgres/connection.js'
import { postgresDialect } from './dialects/postgres/dialect.js'
import type { SqliteOptions } from './dialects/sqlite/connection.js'
import { sqliteDialect } from './dialects/sqlite/dialect.js'
import { DueClaims } from './due-claims.js'
import { EventFeedRepository } from './event-feed.js'
import { IdempotencyRepository } from './idempotency-repository.js'
import { InstanceRepository } from './instance-repository.js'
import { migrationProvider } from './migrations.js'
import { ProcessRepository } from './process-repository.js'
import { ProposalRepository } from './proposal-repository.js'
import { TokenRepository } from './token-repository.js'
import { WebhookRepository } from './webhook-repository.js'

const MIGRATION_ATTEMPTS = 5

export interface StoreOptions {
  /**
   * Whether writes that arrive together share one commit (default true). Each is still all or
   * nothing and acknowledged only once committed; grouping saves fsyncs under load on SQLite, and
   * messages and commits on PostgreSQL (whose concurrent commits already share WAL flushes).
   */
  readonly groupCommit?: boolean
}

export type { DialectName } from './dialect.js'

/** Options of {@link Store.open}: those of whichever database the location names. */
export type OpenOptions = DialectOptions & StoreOptions

/** The database behind the engine: its repositories, migrated to the latest schema when opened. */
export class Store {
  readonly db: Kysely<Database>
  readonly dialect: DialectName
  readonly processes: ProcessRepository
  /** Proposals of customised procedures. */
  readonly proposals: ProposalRepository
  readonly instances: InstanceRepository
  /** Claims of instances whose deadlines are due. */
  readonly claims: DueClaims
  /** The outbox of public events, read as a feed. */
  readonly events: EventFeedRepository
  /** Webhook endpoints, their deliveries and attempts. */
  readonly webhooks: WebhookRepository
  readonly attachments: AttachmentRepository
  readonly tokens: TokenRepository
  readonly idempotency: IdempotencyRepository
  /** Console sign-in links and sessions. */
  readonly console: ConsoleRepository
  /** Keys the engine made for itself. */
  readonly keys: KeyRepository
  readonly #commits: CommitGroup
  readonly #dialect: StoreDialect

  private constructor(dialect: StoreDialect, options: StoreOptions) {
    const { db } = dialect
    this.db = db
    this.dialect = dialect.name
    this.#dialect = dialect
    this.processes = new ProcessRepository(db, dialect.serialised)
    this.proposals = new ProposalRepository(db, dialect.serialised)
    this.#commits = new CommitGroup(dialect.writer, options.groupCommit ?? dialect.groupCommit)
    this.instances = new InstanceRepository(db, this.#commits, dialect.outbox, dialect.batchReads)
    this.claims = new DueClaims(db, this.#commits, dialect.claims, dialect.outbox)
    this.events = new EventFeedRepository(db, dialect.outbox)
    this.webhooks = new WebhookRepository(db, this.events, dialect.claims)
    this.attachments = new AttachmentRepository(db)
    this.tokens = new TokenRepository(db)
    this.idempotency = new IdempotencyRepository(db)
    this.console = new ConsoleRepository(db)
    this.keys = new KeyRepository(db)
  }

  /**
   * Opens the database `location` names, a `postgres://` URL or a SQLite file path (created if
   * missing), and runs pending migrations.
   */
  static async open(location: string, options: OpenOptions = {}): Promise<Store> {
    return Store.#open(await openDialect(location, options), options)
  }

  /** Opens a SQLite file (created if missing) and runs pending migrations. */
  static async openSqlite(file: string, options: SqliteOptions & StoreOptions = {}): Promise<Store> {
    return Store.#open(sqliteDialect(file, options), options)
  }

  /** Connects to a PostgreSQL database and runs pending migrations (Kysely serialises migrators with a lock). */
  static async openPostgres(url: string, options: PostgresOptions & StoreOptions = {}): Promise<Store> {
    return Store.#open(await postgresDialect(url, options), options)
  }

  /** The store on the database `dialect` opened, migrated (closed again if migrating fails). */
  static async #open(dialect: StoreDialect, options: StoreOptions): Promise<Store> {
    const store = new Store(dialect, options)
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
    // Kysely looks for its bookkeeping tables in every schema unless told which: the dialect
    // names one where databases hold several (PostgreSQL's current schema).
    const schema = await this.#dialect.migrationSchema()
    return new Migrator({ db: this.db, provider: migrationProvider(this.#dialect.outbox), ...(schema ? { migrationTableSchema: schema } : {}) })
  }

  /** Closes the database; pending writes are committed or were already refused. */
  async close(): Promise<void> {
    await this.#commits.close()
    await this.db.destroy()
  }
}
