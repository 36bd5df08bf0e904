import { execFile, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Store } from '../../engine/index.js'
import { CLI } from './cli.js'
import type { TestDatabase } from './database.js'

const run = promisify(execFile)

/**
 * `npx delivery-center token create` against a database, created and migrated first if it is new
 * (the command refuses a database that does not exist); returns what it printed on stdout.
 */
export async function tokenFor(db: string, role: string, subject: string): Promise<string> {
  await (await Store.open(db)).close()
  const { stdout } = await run(process.execPath, [CLI, 'token', 'create', '--role', role, '--subject', subject, '--db', db])
  return stdout
}

export interface ServerProcess {
  readonly child: ChildProcess
  readonly url: string
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number | null>
  readonly stderr: () => string
}

/** Starts `delivery-center serve` on `database` as a child process on a free loopback port and waits until it listens. */
export async function startServer(database: TestDatabase, ...flags: string[]): Promise<ServerProcess> {
  return startServerWith([CLI, 'serve'], database, ...flags)
}

/**
 * Starts a server as `node ...command` (e.g. the compiled CLI and `serve`, with node flags) on
 * `database`, on a free loopback port, and waits until it listens.
 */
export async function startServerWith(command: readonly string[], database: TestDatabase, ...flags: string[]): Promise<ServerProcess> {
  const args = [...command, '--db', database.location, '--attachments', join(database.dir, 'attachments'), '--port', '0', ...flags]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } })
  let stderr = ''
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match) resolve(match[1] as string)
    })
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)))
  })
  return { child, url, exited, stderr: () => stderr }
}
