import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildSync } from 'esbuild'
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
 * compiled into the same build, beside the engine it imports, for the same reason (each of the
 * two dozen workers they start would load tsx: about half a second of CPU each). Removed when
 * the run ends.
 */
export default function setup(project: TestProject): () => void {
  const parent = mkdtempSync(join(tmpdir(), 'dc-test-build-'))
  const out = join(parent, 'build')
  execFileSync(process.execPath, [join(import.meta.dirname, '../../bin/build.js'), out], { stdio: 'inherit' })
  project.provide('builtCli', join(out, 'bin', 'cli.js'))
  const root = join(import.meta.dirname, '../..')
  buildSync({
    entryPoints: [join(import.meta.dirname, 'worker.ts')], outbase: root, outdir: out, bundle: false, format: 'esm',
    platform: 'node', target: 'node20.19', tsconfig: join(root, 'tsconfig.build.json'), logLevel: 'warning',
  })
  project.provide('builtWorker', join(out, 'test', 'support', 'worker.js'))
  return () => rmSync(parent, { recursive: true, force: true })
}
