import { existsSync, statSync } from 'node:fs'
import BetterSqlite3 from 'better-sqlite3'
import type { InstanceState } from '../../engine/index.js'

/**
 * Bytes stored per instance: the database file (and its WAL) over the instance count, the mean
 * length of the state and of the events' JSON, and the state of an instance waiting at
 * confirm-delivery less the inputs recorded in it (the mean over up to 1,000 of them).
 */
export function storedBytes(file: string): { file: number; state: number; stateNet: number; events: number } {
  const wal = `${file}-wal`
  const size = statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0)
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    const { n, state } = db.prepare('select count(*) as n, avg(length(state)) as state from instance').get() as { n: number; state: number }
    const { events } = db.prepare('select sum(length(payload)) as events from event').get() as { events: number }
    const waiting = (db.prepare("select state from instance where step = 'confirm-delivery' limit 1000").all() as Array<{ state: string }>).map((r) => {
      const parsed = JSON.parse(r.state) as InstanceState
      const inputs = Object.values(parsed.data).reduce((sum, record) => sum + JSON.stringify(record.inputs).length, 0)
      return r.state.length - inputs
    })
    return { file: size / n, state, stateNet: waiting.reduce((a, b) => a + b, 0) / Math.max(waiting.length, 1), events: events / n }
  } finally {
    db.close()
  }
}
