import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CLI } from '../support/cli.js'
import { tokensFor } from '../support/server-process.js'

// `delivery-center serve` as a real child process: how it fails to start, and how it stops.

const children: ChildProcess[] = []
const cleanups: Array<() => void> = []
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
  }
  for (const cleanup of cleanups.splice(0)) cleanup()
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dc-lifecycle-'))
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

interface Served {
  readonly child: ChildProcess
  /** The exit code, once the process has ended. */
  readonly exited: Promise<number | null>
  readonly stderr: () => string
}

/** Starts `delivery-center serve ARGS` with `env` added; stdout is a pipe nobody reads unless `stdout` says otherwise. */
function serve(args: readonly string[], env: NodeJS.ProcessEnv = {}): Served {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '', DC_SECRET_KEY: '', DC_SECRET_KEY_FILE: '', LOG_LEVEL: 'warn', ...env } })
  children.push(child)
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  child.stdout.resume()
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, exited, stderr: () => stderr }
}

/** Resolves with the server's URL once it listens; rejects if it exits first. */
function listening(served: Served): Promise<string> {
  return new Promise((resolve, reject) => {
    const look = (): void => {
      const match = /listening on (http:\/\/\S+)/.exec(served.stderr())
      if (match) {
        served.child.stderr?.off('data', look)
        resolve(match[1] as string)
      }
    }
    served.child.stderr?.on('data', look)
    void served.exited.then((code) => reject(new Error(`exited with ${code}: ${served.stderr()}`)))
  })
}

/** Resolves once the process has printed `text` on stderr. */
function printed(served: Served, text: string): Promise<void> {
  return new Promise((resolve) => {
    const look = (): void => {
      if (!served.stderr().includes(text)) return
      served.child.stderr?.off('data', look)
      resolve()
    }
    served.child.stderr?.on('data', look)
    look()
  })
}

/** The non-empty lines the process printed on stderr, after it exited with a non-zero code. */
async function failedWith(served: Served): Promise<string[]> {
  const code = await served.exited
  expect(code, served.stderr()).not.toBe(0)
  expect(code).not.toBeNull()
  return served.stderr().split('\n').filter((line) => line.trim() !== '')
}

describe('serve refuses to start with one line naming the cause', () => {
  it('when its port is already in use', async () => {
    const dir = tempDir()
    const taken: Server = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    cleanups.push(() => taken.close())
    const port = (taken.address() as { port: number }).port
    const lines = await failedWith(serve(['--db', join(dir, 'dc.db'), '--port', String(port)]))
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^delivery-center: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`))])
    // It failed before it made a database or a key.
    expect(readdirSync(dir)).toEqual([])
  })

  it('when the database file is not a SQLite database', async () => {
    const dir = tempDir()
    const file = join(dir, 'corrupt.db')
    writeFileSync(file, Buffer.concat([Buffer.from('this is not a database\n'), Buffer.alloc(8192, 7)]))
    const lines = await failedWith(serve(['--db', file, '--port', '0']))
    expect(lines).toEqual([`delivery-center: cannot open the database ${file}: file is not a database (SQLITE_NOTADB)`])
  })

  it('when the database path is a directory', async () => {
    const dir = tempDir()
    const lines = await failedWith(serve(['--db', dir, '--port', '0']))
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^delivery-center: cannot open the database ${dir}: `))])
  })

  it('when an option or an environment value cannot be used', async () => {
    const dir = tempDir()
    const db = ['--db', join(dir, 'dc.db'), '--port', '0']
    expect(await failedWith(serve([...db, '--shutdown-timeout', 'soon']))).toEqual(['delivery-center: --shutdown-timeout / DC_SHUTDOWN_TIMEOUT must be a number from 0 to 3600 (got "soon").'])
    expect(await failedWith(serve(db, { DC_SANDBOX: 'yes' }))).toEqual(['delivery-center: DC_SANDBOX must be true or false (got "yes").'])
    expect(await failedWith(serve(db, { LOG_LEVEL: 'loud' }))).toEqual([expect.stringMatching(/^delivery-center: LOG_LEVEL must be one of .*info.* \(got "loud"\)\.$/)])
    expect(await failedWith(serve([...db, '--sandbox', '--sandbox-start', 'tomorrow']))).toEqual([expect.stringMatching(/^delivery-center: option '--sandbox-start <instant>' argument 'tomorrow' is invalid\. Expected an RFC 3339 instant/)])
    expect(await failedWith(serve(db, { DC_SECRET_KEY: 'hunter2' }))).toEqual(['delivery-center: DC_SECRET_KEY: A secret key must be 32 random bytes written as base64 (e.g. `openssl rand -base64 32`) or as 64 hexadecimal digits.'])
    expect(await failedWith(serve([...db, '--secret-key-file', join(dir, 'none.key')]))).toEqual([expect.stringMatching(new RegExp(`^delivery-center: The secret key file ${join(dir, 'none.key')} cannot be read \\(ENOENT`))])
    // None of these made the database or a key.
    expect(existsSync(join(dir, 'secret.key'))).toBe(false)
  })
})

describe('serve stops', () => {
  /** A server with `shutdownSeconds` as its deadline and an upload that sends one byte and then nothing more, as a client at 1 byte/s would. */
  async function serveSlowUpload(shutdownSeconds: number): Promise<{ served: Served; upload: Promise<unknown> }> {
    const dir = tempDir()
    const db = join(dir, 'dc.db')
    const [token] = await tokensFor(db, ['customer', 'c-1'])
    const served = serve(['--db', db, '--attachments', join(dir, 'files'), '--port', '0', '--shutdown-timeout', String(shutdownSeconds)])
    const url = await listening(served)
    let push: (chunk: Uint8Array) => void = () => undefined
    const body = new ReadableStream<Uint8Array>({ start(controller) { push = (chunk) => controller.enqueue(chunk) } })
    const upload = fetch(`${url}/v1/attachments?filename=slow.bin`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body, duplex: 'half' } as RequestInit)
      .then((response) => response.status, (error: unknown) => error)
    push(new Uint8Array([0x25]))
    await new Promise((resolve) => setTimeout(resolve, 300))
    return { served, upload }
  }

  it('on SIGTERM with an upload still arriving, within the shutdown deadline: its connection closed, exit 1', { timeout: 120_000 }, async () => {
    const { served, upload } = await serveSlowUpload(1)
    served.child.kill('SIGTERM')
    // Without a deadline the server would wait for the upload for Node's 300 s request timeout.
    expect(await served.exited).toBe(1)
    expect(await upload).toBeInstanceOf(Error)
  })

  it('on a second SIGTERM, at once: the connections still open closed, exit 1', { timeout: 120_000 }, async () => {
    // A deadline no test would wait for: only the second signal can end the wait.
    const { served, upload } = await serveSlowUpload(3600)
    served.child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 300))
    served.child.kill('SIGTERM')
    expect(await served.exited).toBe(1)
    expect(await upload).toBeInstanceOf(Error)
  })

  it('on SIGTERM when stdout is a closed pipe: the log never holds up exit (started on an empty database: a first admin sign-in link in the banner)', { timeout: 120_000 }, async () => {
    const dir = tempDir()
    const served = serve(['--db', join(dir, 'dc.db'), '--port', '0'], { LOG_LEVEL: 'info' })
    const url = await listening(served)
    await printed(served, 'another sign-in link')
    const lines = served.stderr().split('\n')
    const link = lines.find((line) => line.startsWith('console sign-in '))
    expect(link, served.stderr()).toMatch(new RegExp(`^console sign-in \\(admin, one-time, until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\): ${url}/console/link/dcl_[A-Za-z0-9_-]{43}$`))
    expect(lines).toContain(`another sign-in link: npx delivery-center console-link --role admin --subject admin --db ${join(dir, 'dc.db')} --public-url ${url}`)
    // The key sealing webhook secrets was made beside the database, for its owner only.
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600)
    served.child.stdout?.destroy()
    served.child.kill('SIGTERM')
    expect(await served.exited).toBe(0)
  })
})
