import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { inject } from 'vitest'

const run = promisify(execFile)
/**
 * The `delivery-center` command, compiled once for the run (see built-cli.ts): the same code `npx`
 * runs through tsx, started without a TypeScript compiler. test/bin/cli.test.ts runs it through
 * `bin/delivery-center.js` too.
 */
export const CLI = inject('builtCli')
/** The repository's root, where the command runs unless told otherwise. */
export const ROOT = join(import.meta.dirname, '../..')

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `delivery-center ARGS...` as a child process in `options.cwd` (the repository by default),
 * with `options.env` added to the environment, and returns its exit code and output.
 */
export async function runCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  // A variable given as undefined is removed from the child's environment.
  const env = Object.fromEntries(Object.entries({ ...process.env, ...options.env }).filter(([, value]) => value !== undefined))
  try {
    // The timeout only stops a command that would never end (a `serve` that started after all).
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env, timeout: 120_000, killSignal: 'SIGKILL' })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}
