import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// Everything that differs between SQLite and PostgreSQL is a member of StoreDialect
// (engine/store/dialect.ts), implemented under engine/store/dialects/: no other code names a
// database, asks which one it is on, or reaches into Kysely's internals to find out.
const ROOT = join(import.meta.dirname, '../..')
const DIALECTS = join('engine', 'store', 'dialects')
const FORBIDDEN = /dialect ===|'sqlite'|'postgres'|current_schema|getExecutor|pg_advisory/

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return path === DIALECTS || entry.name === 'node_modules' ? [] : sources(path)
    return /\.tsx?$/.test(entry.name) ? [path] : []
  })
}

describe('the dialect seam', () => {
  it('keeps database names, dialect checks and Kysely internals inside engine/store/dialects/', () => {
    const files = ['engine', 'server', 'bin', 'console'].flatMap(sources)
    expect(files.length).toBeGreaterThan(50)
    const leaks = files.flatMap((file) => readFileSync(join(ROOT, file), 'utf8').split('\n')
      .flatMap((line, i) => FORBIDDEN.test(line) ? [`${relative(ROOT, join(ROOT, file))}:${i + 1}: ${line.trim()}`] : []))
    expect(leaks).toEqual([])
  })
})

// The server, the console and the command line use the engine through its public surface,
// engine/index.ts, and nothing else of it.
describe('the engine\'s public surface', () => {
  it('is all the server, the console and the command line import of the engine', () => {
    const files = ['server', 'bin', 'console'].flatMap(sources).filter((file) => !file.startsWith(join('console', 'browser')))
    expect(files.length).toBeGreaterThan(30)
    const reaching = files.flatMap((file) => readFileSync(join(ROOT, file), 'utf8').split('\n')
      .flatMap((line, i) => /from '(\.\.\/)+engine\/(?!index\.js')/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []))
    expect(reaching).toEqual([])
  })
})

// Who may do what is decided in engine/runtime/authorize.ts: no other code compares a role
// with a name (roles other than admin and system are each process's own). The demo's people and
// a migration of data written before owners had roles are the exceptions.
describe('authorisation', () => {
  it('compares roles with names nowhere but engine/runtime/authorize.ts', () => {
    const files = ['engine', 'server', 'bin', 'console'].flatMap(sources)
      .filter((file) => file !== join('engine', 'runtime', 'authorize.ts') && !file.startsWith(join('console', 'demo')) && file !== join('engine', 'store', 'migrations.ts'))
    const checks = files.flatMap((file) => readFileSync(join(ROOT, file), 'utf8').split('\n')
      .flatMap((line, i) => /role\s*[!=]==\s*'|'(isv|customer)'/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []))
    expect(checks).toEqual([])
  })
})
