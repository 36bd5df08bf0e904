import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Global set-up: one temporary directory for the whole run, made the temporary directory of
 * every worker and every child process they start (`TMPDIR`, which `os.tmpdir()` reads), and
 * removed when the run ends. The tests make hundreds of databases, uploads and browser profiles
 * under `os.tmpdir()` (a quarter of a gigabyte a run); none is left behind, whether a test drops
 * what it made or fails before it could.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'dc-test-run-'))
  const before = process.env.TMPDIR
  process.env.TMPDIR = root
  return () => {
    if (before === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = before
    rmSync(root, { recursive: true, force: true })
  }
}
