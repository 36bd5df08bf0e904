import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleEntry } from '../../bin/bundle.js'
import { THREADS_BUILD_VARIABLE } from '../../engine/worker-thread.js'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The command line compiled once for the whole run (`dist/bin/cli.js` of a build in a temporary directory). */
    builtCli: string
    /** test/support/worker.ts compiled beside that build's engine (`test/support/worker.js` in it). */
    builtWorker: string
  }
}

/**
 * Global set-up: compiles the sources once, as `npm start` does (bin/build.js), so that tests
 * that run the command line as a child process start it as plain JavaScript, without loading a
 * TypeScript compiler in every child. The concurrency tests' worker process (worker.ts) is
 * bundled into the same build as the command line is (bin/bundle.js), for the same reason: each
 * of the workers they start would otherwise load tsx, or a thousand modules. So do the worker
 * threads the tests start from the sources: they run the build's bundled thread modules
 * (engine/worker-thread.ts), each rather than registering tsx in its own thread. Removed when
 * the run ends.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const parent = mkdtempSync(join(tmpdir(), 'dc-test-build-'))
  const out = join(parent, 'build')
  execFileSync(process.execPath, [join(import.meta.dirname, '../../bin/build.js'), out], { stdio: 'inherit' })
  project.provide('builtCli', join(out, 'bin', 'cli.js'))
  const root = join(import.meta.dirname, '../..')
  await bundleEntry({
    root, out, entry: join(import.meta.dirname, 'worker.ts'), outfile: join(out, 'test', 'support', 'worker.js'),
    target: 'node20.19', tsconfig: join(root, 'tsconfig.build.json'),
  })
  project.provide('builtWorker', join(out, 'test', 'support', 'worker.js'))
  // Threads started from the sources run that build's bundled modules (engine/worker-thread.ts).
  process.env[THREADS_BUILD_VARIABLE] = out
  return () => rmSync(parent, { recursive: true, force: true })
}
