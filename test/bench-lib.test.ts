import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { startChildServer, stopChildServers } from '../bench/lib/child.js'
import { ActQueue } from '../bench/lib/load.js'
import { minimalActs } from '../bench/lib/minimal-act.js'
import { cloneInstances, createTemplates, waitingIds } from '../bench/lib/seed.js'

// The pieces of the `http` benchmark whose mistakes would skew its figures without failing it.
const dir = mkdtempSync(join(tmpdir(), 'dc-bench-lib-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('ActQueue', () => {
  it('sends the acts a cycling queue left unanswered again, and drops them otherwise', () => {
    for (const cycle of [true, false]) {
      const queue = new ActQueue(['a', 'b'], { cycle })
      const first = queue.take()
      const second = queue.take()
      expect([first?.id, second?.id]).toEqual(['a', 'b'])
      if (first) queue.answered(first)
      queue.settle()
      // Answered: a's next act. Unanswered: b's act again when cycling, else nothing.
      expect(queue.take()).toEqual({ id: 'a', act: 1 })
      expect(queue.take()).toEqual(cycle ? { id: 'b', act: 0 } : undefined)
    }
  })
})

describe('minimalActs', () => {
  it('commits the acts of one turn together, each all or nothing', async () => {
    const file = join(dir, 'floor.sqlite')
    const [template] = await createTemplates(file, ['submit-demand'], '2026-01-01T00:00:00Z')
    cloneInstances(file, [template as string], 1)
    const [x, y] = waitingIds(file, 2) as [string, string]
    const rowsOf = (): Map<string, { revision: number; last_seq: number }> => {
      const db = new BetterSqlite3(file, { readonly: true })
      const rows = db.prepare('select id, revision, last_seq from instance where id in (?, ?)').all(x, y) as Array<{ id: string; revision: number; last_seq: number }>
      db.close()
      return new Map(rows.map(({ id, revision, last_seq }) => [id, { revision, last_seq }]))
    }
    const before = rowsOf()
    const acts = minimalActs(file)

    // Two acts on x read the same revision: the second finds it changed, and only it is undone.
    const outcomes = await Promise.allSettled([acts.act(x, 'submit', 'c-1'), acts.act(x, 'submit', 'c-1'), acts.act(y, 'submit', 'c-1')])
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain(`Instance "${x}" changed meanwhile`)
    // Queued when closing: written before the connection closes.
    const queued = acts.act(y, 'finish', 'v-1')
    await acts.close()
    await expect(queued).resolves.toMatchObject({ id: y })
    await expect(acts.act(x, 'submit', 'c-1')).rejects.toThrow()

    const after = rowsOf()
    for (const [id, count] of [[x, 1], [y, 2]] as const) {
      const { revision, last_seq } = before.get(id) as { revision: number; last_seq: number }
      expect(after.get(id)).toEqual({ revision: revision + count, last_seq: last_seq + count })
    }
    const db = new BetterSqlite3(file, { readonly: true })
    const acted = db.prepare(`select instance_id as id, count(*) as n from event where type = 'acted' group by instance_id`).all() as Array<{ id: string; n: number }>
    const waiting = db.prepare('select role from waiting_party where instance_id = ?').all(y) as Array<{ role: string }>
    db.close()
    expect(new Map(acted.map((a) => [a.id, a.n]))).toEqual(new Map([[x, 1], [y, 2]]))
    expect(waiting).toEqual([{ role: 'customer' }])
  })
})

describe('child servers', () => {
  afterEach(() => stopChildServers())

  /** Whether a process is still running (a zombie waiting for its parent counts as gone). */
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0)
    } catch {
      return false
    }
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  }

  it('are all stopped by stopChildServers, with whatever they started, however the benchmark that started them ended', async () => {
    // A "server" that starts a process of its own, reports a port, and never stops by itself.
    const script = `
      const { spawn } = require('node:child_process')
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
      console.log(JSON.stringify({ port: 1 }))
      setInterval(() => {}, 1000)`
    const server = await startChildServer(['-e', script], { stream: 'stdout', portPattern: /"port":(\d+)/ })
    const pid = server.child.pid as number
    const grandchild = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().trim())
    expect(alive(pid)).toBe(true)
    expect(alive(grandchild)).toBe(true)

    await stopChildServers()
    expect(alive(pid)).toBe(false)
    // The grandchild got the signal too (it may take a moment to be reaped by init).
    await expect.poll(() => alive(grandchild), { timeout: 30_000 }).toBe(false)
  })
})

