import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { snapshot } from '../support/engine.js'
import { failingAfter } from '../support/failing-fs.js'
import type { FailingFs } from '../support/failing-fs.js'
import { openApi } from '../support/http.js'
import type { Api, ApiOptions } from '../support/http.js'

const KIB = 1024

/** Mounts a tmpfs of `size` on `dir` (root only); throws if this machine does not allow it. */
function mountTmpfs(dir: string, size: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' })
}

/** Why a real full disk cannot be made here (no root, no mount in this container), or undefined when it can. */
function tmpfsUnavailable(): string | undefined {
  const probe = mkdtempSync(join(tmpdir(), 'dc-tmpfs-probe-'))
  try {
    mountTmpfs(probe, '64k')
    execFileSync('umount', [probe])
    return undefined
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim()
    return stderr || (error instanceof Error ? error.message : String(error))
  } finally {
    rmSync(probe, { recursive: true, force: true })
  }
}

const noTmpfs = tmpfsUnavailable()
if (noTmpfs !== undefined) {
  console.warn(`upload-storage-full.test.ts: the real full-disk case is skipped, a tmpfs cannot be mounted here (${noTmpfs}); the injected ENOSPC cases still run.`)
}

let api: Api | undefined
let mounted: string | undefined
afterEach(async () => {
  if (mounted) execFileSync('umount', [mounted])
  mounted = undefined
  await api?.close()
  api = undefined
})

async function open(options: ApiOptions = {}): Promise<Api> {
  api = await openApi(options)
  return api
}

function upload(a: Api, size: number, headers: Record<string, string> = {}): Promise<Response> {
  return a.call('POST', '/v1/attachments?filename=scan.bin', { who: 'customer', body: new Uint8Array(size).fill(0x5a), headers })
}

async function expectProblem(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  expect(await response.json()).toMatchObject({ status, code })
}

describe('a full disk', () => {
  it.skipIf(noTmpfs !== undefined)('on a real one (a 256 KiB tmpfs): 507 storage.full, no partial file, and uploads work again once space is freed', async () => {
    const a = await open()
    mkdirSync(a.attachmentsDir)
    mountTmpfs(a.attachmentsDir, '256k')
    mounted = a.attachmentsDir
    const before = await snapshot(a.database)

    await expectProblem(await upload(a, 300 * KIB), 507, 'storage.full')
    expect(readdirSync(a.attachmentsDir)).toEqual([])
    expect(await snapshot(a.database)).toEqual(before)

    // The space the refused file took is free again: a file of most of the disk fits.
    expect((await upload(a, 200 * KIB)).status).toBe(201)

    // Fill what is left, as another program would; an upload is refused until it is freed.
    try {
      writeFileSync(join(a.attachmentsDir, 'filler'), new Uint8Array(256 * KIB))
    } catch (error) {
      expect(error).toMatchObject({ code: 'ENOSPC' })
    }
    await expectProblem(await upload(a, 20 * KIB, { 'Idempotency-Key': 'scan-1' }), 507, 'storage.full')
    rmSync(join(a.attachmentsDir, 'filler'))
    const retried = await upload(a, 20 * KIB, { 'Idempotency-Key': 'scan-1' })
    expect(retried.status).toBe(201)
    expect(retried.headers.get('idempotent-replayed')).toBeNull()
    expect(readdirSync(a.attachmentsDir).filter((name) => name.endsWith('.part'))).toEqual([])
  })

  it('simulated (ENOSPC from the write): 507 storage.full, no partial file, nothing recorded, logged, and uploads work again once space is back', async () => {
    const lines: string[] = []
    const fs: FailingFs = failingAfter(100 * KIB, 'ENOSPC')
    const a = await open({ storageFs: fs, logger: pino({ level: 'warn' }, { write: (line: string) => { lines.push(line) } }) })
    const before = await snapshot(a.database)

    await expectProblem(await upload(a, 300 * KIB, { 'Idempotency-Key': 'scan-2' }), 507, 'storage.full')
    expect(readdirSync(a.attachmentsDir)).toEqual([])
    expect(await snapshot(a.database)).toEqual(before)
    expect(lines.map((line) => JSON.parse(line) as { level: number; msg: string })).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('storage is full') })])

    fs.budget = Number.POSITIVE_INFINITY
    const retried = await upload(a, 300 * KIB, { 'Idempotency-Key': 'scan-2' })
    expect(retried.status).toBe(201)
    expect(retried.headers.get('idempotent-replayed')).toBeNull()
    expect(readdirSync(a.attachmentsDir)).toHaveLength(1)
  })

  it.each(['EIO', 'EACCES'])('any other write failure (%s) stays a logged 500, with no partial file left', async (code) => {
    const lines: string[] = []
    const a = await open({ storageFs: failingAfter(10 * KIB, code), logger: pino({ level: 'warn' }, { write: (line: string) => { lines.push(line) } }) })

    await expectProblem(await upload(a, 100 * KIB), 500, 'server.error')
    expect(readdirSync(a.attachmentsDir)).toEqual([])
    expect(lines.map((line) => JSON.parse(line) as { level: number; err?: { code?: string } })).toEqual([expect.objectContaining({ level: 50, err: expect.objectContaining({ code }) })])
  })
})
