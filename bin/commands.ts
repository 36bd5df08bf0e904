import { BaseLibrary, databaseSource, databaseState, Engine, EngineError, fileSource, InvalidDefinitionError, iso, isPostgresUrl, loadBuiltInSources, optional, parsePrincipal, readDefinitionText, realClock, Store, textSource } from '../engine/index.js'
import { ConsoleSessions, signInLinkPath } from '../console/sessions.js'
import type { NewLink } from '../console/sessions.js'
import type { NewToken } from '../server/auth.js'
import { createToken } from '../server/auth.js'
import { DEFAULT_DB, describeDatabase, publicUrl, resolveDatabase } from '../server/config.js'
import type { TokenView } from '../server/token-admin.js'
import { listTokens, revokeToken } from '../server/token-admin.js'
import { acceptedRoles, checkRole } from './token-roles.js'

/** Where the database of a command came from, for messages: the flag, the variable, or the default. */
function originOf(flag: string | undefined): string {
  if (flag !== undefined) return 'given with --db'
  if (process.env['DATABASE_URL']) return 'from DATABASE_URL'
  return `the default ${DEFAULT_DB} in the working directory ${process.cwd()}`
}

/**
 * Opens the database a command other than `serve` and `migrate` works on, which must exist
 * already: a mistyped `--db`, or a command run from another folder, would otherwise create a new,
 * empty database (and a token in it that the server never sees).
 * @throws {Error} naming the database looked at, and where that came from, when it does not exist,
 * has never been migrated, or cannot be opened.
 */
export async function openExistingStore(flag: string | undefined): Promise<{ store: Store; database: string }> {
  const location = resolveDatabase(flag, process.env)
  const database = describeDatabase(location)
  const origin = originOf(flag)
  const migrate = `npx delivery-center migrate --db ${isPostgresUrl(location) ? 'URL' : location}`
  let state
  try {
    state = await databaseState(location)
  } catch (error) {
    throw new Error(`The database ${database} (${origin}) cannot be opened: ${error instanceof Error ? error.message : String(error)}.`, { cause: error })
  }
  if (state === 'missing') {
    throw new Error(`There is no database at ${database} (${origin}). Give the --db (or DATABASE_URL) that serve uses, or create it first with \`${migrate}\`.`)
  }
  if (state === 'not-migrated') {
    throw new Error(`The database ${database} (${origin}) has no delivery-center tables: it has never been migrated. Give the --db (or DATABASE_URL) that serve uses, or create the tables with \`${migrate}\`.`)
  }
  return { store: await Store.open(location), database }
}

/** Runs `work` on an existing database (see {@link openExistingStore}) and closes it. */
async function withExistingStore<T>(flag: string | undefined, work: (store: Store, database: string) => Promise<T>): Promise<T> {
  const { store, database } = await openExistingStore(flag)
  try {
    return await work(store, database)
  } finally {
    await store.close()
  }
}

/**
 * `delivery-center token create`: creates a token in the existing database `serve` uses and
 * returns it. The role must be one a token can use there (see {@link acceptedRoles}).
 * @throws {RangeError} for a role or subject that is not accepted.
 */
export async function createTokenCommand(token: NewToken, db: string | undefined): Promise<string> {
  return withExistingStore(db, async (store, database) => {
    checkRole(token.role, await acceptedRoles(store), database)
    return createToken(store, token, realClock.now().toString())
  })
}

/** The command-line flag of each field of a sign-in link request, for messages. */
const LINK_FLAGS: Readonly<Record<string, string>> = { '/role': '--role', '/subject': '--subject', '/returnUrl': '--return' }

/**
 * `delivery-center console-link`: creates a one-time sign-in link to the console in the existing
 * database `serve` uses, under `--public-url` (else `DC_PUBLIC_URL`, else
 * `http://127.0.0.1:PORT`), and returns it with its expiry. The role must be one a token could
 * use there, and not `system`.
 * @throws {RangeError} for a role, subject or return path that is not accepted, naming its flag.
 */
export async function consoleLinkCommand(link: NewLink, options: { db?: string | undefined; publicUrl?: string | undefined }): Promise<{ url: string; expiresAt: string }> {
  const base = publicUrl('--public-url / DC_PUBLIC_URL', options.publicUrl ?? process.env['DC_PUBLIC_URL'])
    ?? `http://127.0.0.1:${process.env['PORT'] || '3000'}`
  return withExistingStore(options.db, async (store, database) => {
    checkRole(link.role, await acceptedRoles(store), database)
    try {
      const { secret, expiresAt } = await new ConsoleSessions(store, realClock).createLink(link)
      return { url: `${base}${signInLinkPath(secret)}`, expiresAt }
    } catch (error) {
      if (!(error instanceof EngineError) || error.fields.length === 0) throw error
      throw new RangeError(error.fields.map((f) => `${LINK_FLAGS[f.pointer] ?? f.pointer} ${f.message}.`).join(' '), { cause: error })
    }
  })
}

/** `delivery-center token list`: every token of the existing database, never a secret. */
export async function listTokensCommand(db: string | undefined): Promise<TokenView[]> {
  return withExistingStore(db, (store) => listTokens(store))
}

/**
 * `delivery-center token revoke ID`: revokes a token of the existing database; `already` when it
 * was revoked before (its first revocation time is kept).
 * @throws {EngineError} `token.not-found` for an unknown id.
 */
export async function revokeTokenCommand(id: string, db: string | undefined): Promise<{ token: TokenView; already: boolean }> {
  const now = iso(realClock.now())
  const token = await withExistingStore(db, (store) => revokeToken(store, id, now))
  return { token, already: token.revokedAt !== now }
}

/** Tokens as an aligned table with a header line, `-` where a value is absent. */
export function formatTokens(tokens: readonly TokenView[]): string {
  const header = ['ID', 'ROLE', 'SUBJECT', 'LABEL', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED']
  const rows = tokens.map((t) => [t.id, t.role, t.subject, t.label, t.createdAt, t.expiresAt, t.lastUsedAt, t.revokedAt].map((v) => v ?? '-'))
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)))
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd()).join('\n') + '\n'
}

/** `delivery-center migrate`: creates or upgrades the database and returns which one it was. */
export async function migrateCommand(db: string | undefined): Promise<string> {
  const database = resolveDatabase(db, process.env)
  const store = await Store.open(database)
  await store.close()
  return describeDatabase(database)
}

/**
 * The bases `validate` and `graph` resolve `extends` with: the files named on the command line
 * first, then the versions registered in the existing database `db` names (only when given),
 * then the built-in processes. Runs `work` with them and closes the database.
 */
export async function withBaseLibrary<T>(files: readonly string[], db: string | undefined, work: (library: BaseLibrary) => Promise<T>): Promise<T> {
  const named = fileSource('the files named on the command line', files)
  const builtIn = textSource('the built-in processes', () => loadBuiltInSources())
  if (db === undefined) return work(new BaseLibrary([named, builtIn]))
  return withExistingStore(db, (store, database) => work(new BaseLibrary([named, databaseSource(`the database ${database}`, store.processes), builtIn])))
}

/**
 * `delivery-center register FILE...`: validates and registers process definitions in the existing
 * database `serve` uses. Returns one line per file: what was registered, or each located problem.
 */
export async function registerCommand(files: readonly string[], options: { db?: string; owner?: string }): Promise<{ lines: string[]; failed: number }> {
  const owner = options.owner === undefined ? undefined : parsePrincipal(options.owner)
  if (options.owner !== undefined && !owner) return { lines: [`--owner must be ROLE:SUBJECT, e.g. isv:v-1 (got "${options.owner}").`], failed: files.length }
  const { store } = await openExistingStore(options.db)
  const engine = new Engine({ store, clock: realClock })
  const lines: string[] = []
  let failed = 0
  try {
    for (const file of files) {
      try {
        const read = readDefinitionText(file)
        if (!read.ok) throw new InvalidDefinitionError(file, [read.problem])
        const { process: registered, created } = await engine.processes.register(read.text, file, optional('owner', owner))
        lines.push(`${file}: ${created ? 'registered' : 'already registered'} ${registered.id} v${registered.version}${owner ? ` (private to ${owner.role} "${owner.subject}")` : ''}`)
      } catch (error) {
        failed++
        if (error instanceof InvalidDefinitionError) lines.push(...error.problems.map(String))
        else lines.push(`${file}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  } finally {
    await store.close()
  }
  return { lines, failed }
}
