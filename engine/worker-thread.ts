import { Worker } from 'node:worker_threads'
import type { WorkerOptions } from 'node:worker_threads'

/**
 * Starts the worker thread whose module is `name` beside the module at `base` (its
 * `import.meta.url`). Compiled, that is `NAME.js`; from the TypeScript sources (tests,
 * development) it is `NAME.ts`, and the thread registers tsx before loading it.
 */
export function startWorker(base: string, name: string, options: WorkerOptions = {}): Worker {
  const fromSources = base.endsWith('.ts')
  const source = new URL(`./${name}.${fromSources ? 'ts' : 'js'}`, base)
  if (!fromSources) return new Worker(source, options)
  const tsx = import.meta.resolve('tsx/esm/api')
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source.href)}) })`
  return new Worker(boot, { ...options, eval: true })
}
