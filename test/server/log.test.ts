import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { LOG_BUFFER_BYTES, LOG_FLUSH_MS, logDestination } from '../../server/log.js'

const dirs: string[] = []
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }) })

function logFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dc-log-'))
  dirs.push(dir)
  return join(dir, 'server.log')
}

const lines = (file: string): Array<Record<string, unknown>> => {
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    // Not created yet.
  }
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>)
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (check()) return true
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return check()
}

describe('the log destination', () => {
  it('writes a lone line, far shorter than its buffer, without waiting for more', async () => {
    const file = logFile()
    const destination = logDestination(file)
    const logger = pino({ level: 'info' }, destination)
    logger.info({ requestId: 'r-1', status: 200 }, 'request')
    expect(await until(() => lines(file).length === 1, LOG_FLUSH_MS * 20)).toBe(true)
    expect(lines(file)[0]).toMatchObject({ requestId: 'r-1', status: 200, msg: 'request' })
    destination.end()
  })

  it('writes every line, in order, when many fill its buffer several times over, and all that is left when it ends', async () => {
    const file = logFile()
    const destination = logDestination(file)
    const logger = pino({ level: 'info' }, destination)
    const count = Math.ceil((LOG_BUFFER_BYTES * 5) / 60)
    for (let n = 0; n < count; n++) logger.info({ n }, 'line')
    await new Promise<void>((resolve) => {
      destination.once('close', () => resolve())
      destination.end()
    })
    expect(lines(file).map((line) => line['n'])).toEqual(Array.from({ length: count }, (_, n) => n))
  })
})
