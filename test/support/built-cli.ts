import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The command line compiled once for the whole run (`dist/bin/cli.js` of a build in a temporary directory). */
    builtCli: string
  }
}

/**
 * Global set-up: compiles the sources once, as `npm start` does (bin/build.js), so that tests
 * that run the command line as a child process start it as plain JavaScript, without loading a
 * TypeScript compiler in every child. Removed when the run ends.
 */
export default function setup(project: TestProject): () => void {
  const parent = mkdtempSync(join(tmpdir(), 'dc-test-build-'))
  const out = join(parent, 'build')
  execFileSync(process.execPath, [join(import.meta.dirname, '../../bin/build.js'), out], { stdio: 'inherit' })
  project.provide('builtCli', join(out, 'bin', 'cli.js'))
  return () => rmSync(parent, { recursive: true, force: true })
}
