import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..', '..')

/**
 * The arguments `npm start` gives node (its flags, the compiled CLI and `serve`), with the build
 * in `buildDir` instead of dist/ (see bin/build.js): to run a server exactly as it is served.
 */
export function startArguments(buildDir: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  const [command, ...args] = (scripts['start'] ?? '').split(/\s+/)
  if (command !== 'node') throw new Error(`npm start should run node, not "${command}"`)
  return args.map((arg) => arg.startsWith('dist/') ? join(buildDir, arg.slice('dist/'.length)) : arg)
}

/** bin/build.js, which compiles the sources into a directory. */
export const BUILD_SCRIPT = join(ROOT, 'bin', 'build.js')

/** The V8 and Node.js flags `npm start` gives node (those before the script), for servers run from the sources. */
export function startNodeFlags(): string[] {
  const args = startArguments('dist')
  return args.slice(0, Math.max(0, args.findIndex((arg) => !arg.startsWith('-'))))
}
