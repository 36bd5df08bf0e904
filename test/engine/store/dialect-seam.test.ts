import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// Everything that differs between SQLite and PostgreSQL is a member of StoreDialect
// (engine/store/dialect.ts), implemented under engine/store/dialects/: no other code names a
// database, asks which one it is on, or reaches into Kysely's internals to find out.
const ROOT = join(import.meta.dirname, '../../..')
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
