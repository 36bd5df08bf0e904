import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { realClock, Store } from '../../engine/index.js'
import { createToken } from '../../server/auth.js'
import { CLI } from './cli.js'
import type { TestDatabase } from './database.js'

/**
 * API tokens for `principals` (role, subject), written straight into a database (created and
 * migrated first if it is new) as `delivery-center token create` writes them, without starting
 * that command once per token: the secrets, in order. The command itself is tested in
 * test/bin/cli-tokens.test.ts and test/server/serve.test.ts.
 */
export async function tokensFor<const P extends ReadonlyArray<readonly [role: string, subject: string]>>(db: string, ...principals: P): Promise<{ -readonly [K in keyof P]: string }> {
  const store = await Store.open(db)
  try {
    const now = realClock.now().toString()
    const secrets: string[] = []
    for (const [role, subject] of principals) secrets.push(await createToken(store, { role, subject }, now))
    return secrets as { -readonly [K in keyof P]: string }
  } finally {
    await store.close()
  }
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
