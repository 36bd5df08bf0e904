import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { WorkerOptions } from 'node:worker_threads'

/**
 * The environment variable naming a build of these sources (bin/build.js, which bundles each
 * thread's module) whose threads a process running from the TypeScript sources starts instead of
 * registering tsx in each: about a second of CPU less per thread. The tests set it to the build
 * they make once per run (test/support/built-cli.ts); it must be built from the same sources.
 */
export const THREADS_BUILD_VARIABLE = 'DC_THREADS_BUILD'

/** The repository's root, as this module sees it (it lies in `engine/`). */
const ROOT = fileURLToPath(new URL('../', import.meta.url))

/**
 * Starts the worker thread whose module is `name` beside the module at `base` (its
 * `import.meta.url`). Compiled, that is `NAME.js`; from the TypeScript sources (tests,
 * development) it is `NAME.ts`, and the thread registers tsx before loading it, unless
 * {@link THREADS_BUILD_VARIABLE} names a build, whose `NAME.js` it then runs.
 */
export function startWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  const fromSources = base.endsWith('.ts')
  const source = new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, base)
  if (!fromSources) return new Worker(source, options)
  const build = process.env[THREADS_BUILD_VARIABLE]
  if (build !== undefined && build !== '') {
    return new Worker(pathToFileURL(join(build, relative(ROOT, fileURLToPath(source)).replace(/\.ts$/, '.js'))), options)
  }
  const tsx = import.meta.resolve('tsx/esm/api')
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source.href)}) })`
  return new Worker(boot, { ...options, eval: true })
}
