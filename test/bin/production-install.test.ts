import { execFile, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { startArguments } from '../../bench/lib/start-command.js'

const ROOT = join(import.meta.dirname, '../..')
// What a fresh clone holds that `npm start` needs (tests, benchmarks and docs are not needed).
const SHIPPED = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'engine', 'server', 'console', 'schemas', 'processes']

interface LockFile { packages: Record<string, { dev?: boolean; devOptional?: boolean }> }

/**
 * A copy of the sources beside a node_modules holding only what `npm ci --omit=dev` installs:
 * the packages package-lock.json does not mark as dev, linked from this checkout's install.
 */
function productionInstall(dir: string): void {
  for (const path of SHIPPED) cpSync(join(ROOT, path), join(dir, path), { recursive: true })
  const installed = realpathSync(join(ROOT, 'node_modules'))
  const { packages } = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as LockFile
  for (const [path, entry] of Object.entries(packages)) {
    const name = path.slice('node_modules/'.length)
    // Top-level packages only: nested ones come inside their parent.
    if (!path.startsWith('node_modules/') || name.includes('/node_modules/') || entry.dev || entry.devOptional) continue
    if (!existsSync(join(installed, name))) continue // an optional package for another platform
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true })
    symlinkSync(join(installed, name), join(dir, 'node_modules', name), 'dir')
  }
}

const run = promisify(execFile)
const cleanups: Array<() => void> = []
let server: ChildProcess | undefined
afterEach(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve))
    server.kill('SIGKILL')
    await exited
  }
  server = undefined
  for (const cleanup of cleanups.splice(0)) cleanup()
})

describe('a production install (npm ci --omit=dev)', () => {
  it('builds with `npm run build` and serves with `npm start`, without TypeScript or any other dev dependency', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dc-production-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    productionInstall(dir)
    expect(existsSync(join(dir, 'node_modules', 'typescript'))).toBe(false)
    expect(existsSync(join(dir, 'node_modules', 'esbuild'))).toBe(true)

    const { scripts } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    expect(scripts['prestart']).toBe('npm run build')
    expect(scripts['build']).toBe('node bin/build.js')
    await run(process.execPath, [join(dir, 'bin', 'build.js')], { cwd: dir })

    const child = spawn(process.execPath, [...startArguments(join(dir, 'dist')), '--port', '0', '--db', join(dir, 'data', 'dc.db')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn' } })
    server = child
    let stderr = ''
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        const match = /listening on (http:\/\/\S+)/.exec(stderr)
        if (match) resolve(match[1] as string)
      })
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)))
    })
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' })
    expect((await fetch(`${url}/readyz`)).status).toBe(200)
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
