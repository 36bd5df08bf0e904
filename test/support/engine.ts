import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Engine, ManualClock, Store } from '../../engine/index.js'
import type { Principal } from '../../engine/index.js'

/** 2026-01-01T00:00:00Z: every scenario starts here. */
export const T0 = '2026-01-01T00:00:00.000Z'

export const ADMIN: Principal = { role: 'admin', subject: 'a-1' }
export const CUSTOMER: Principal = { role: 'customer', subject: 'c-1' }
export const ISV: Principal = { role: 'isv', subject: 'v-1' }
export const OTHER_CUSTOMER: Principal = { role: 'customer', subject: 'c-2' }
export const OTHER_ISV: Principal = { role: 'isv', subject: 'v-2' }

export const CONTACT = { name: 'Li Lei', phone: '+86 138 0000 0000', email: 'li.lei@example.com' }
export const DEMAND = { contact: CONTACT, demands: 'A shop website with payments' }

export interface Harness {
  readonly engine: Engine
  readonly clock: ManualClock
  readonly store: Store
  readonly file: string
  close(): Promise<void>
}

/** An engine on a fresh SQLite file in a temp directory, with a manual clock at {@link T0} and the built-in processes. */
export async function openHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'dc-engine-'))
  const file = join(dir, 'delivery.db')
  const store = await Store.openSqlite(file)
  const clock = new ManualClock(T0)
  const engine = new Engine({ store, clock })
  await engine.processes.registerBuiltIns()
  return { engine, clock, store, file, close: () => store.close() }
}

/** Every row of every table, for asserting that a rejection changed nothing. */
export function snapshot(file: string): Record<string, unknown[]> {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    const tables = db.prepare("select name from sqlite_master where type = 'table' order by name").all() as Array<{ name: string }>
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`select * from "${name}" order by rowid`).all()]))
  } finally {
    db.close()
  }
}
