import { execFileSync } from 'node:child_process'
import { cpus, loadavg, release, totalmem } from 'node:os'
import BetterSqlite3 from 'better-sqlite3'
import { benchPostgresUrl } from './postgres.js'

/** Where and on what a figure was measured: reported with every number (STYLE.md §8). */
export interface Machine {
  readonly date: string
  readonly cores: number
  readonly cpu: string
  readonly memoryGiB: number
  readonly os: string
  readonly node: string
  /** e.g. "SQLite 3.53.2 (better-sqlite3), WAL". */
  readonly dialect: string
  /** The commit measured, with "+ uncommitted changes" when the tree was dirty. */
  readonly revision: string
  /** 1-minute load average when the figures were written: other work on the machine skews them. */
  readonly loadAverage: number
}

/** Describes this machine, the Node.js version, the database and the code being measured. */
export function describeMachine(): Machine {
  const db = new BetterSqlite3(':memory:')
  const { version } = db.prepare('select sqlite_version() as version').get() as { version: string }
  db.close()
  const postgres = benchPostgresUrl()
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    os: `${process.platform} ${release()}`,
    node: process.version,
    dialect: `SQLite ${version} (better-sqlite3), WAL${postgres ? `; PostgreSQL at ${new URL(postgres).host}` : ''}`,
    revision: gitRevision(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  }
}

function gitRevision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'engine', 'server', 'processes'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    return dirty ? `${head} + uncommitted changes` : head
  } catch {
    return 'unknown (not a git checkout)'
  }
}

/** One line for the top of a table. */
export function machineLine(machine: Machine): string {
  return `${machine.date.slice(0, 10)}, ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.dialect}, code ${machine.revision}, load ${machine.loadAverage}`
}
