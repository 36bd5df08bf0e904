// The least a durable act can cost on this stack, for the `http` benchmark's floor servers: read
// the instance's row, then write its new state, one event and its parties' waiting flags, all or
// nothing, acknowledged once committed at FULL with group commit. No definition, no decision, no
// validation: what any engine keeping its instances in SQLite must at least do for an act.
import type BetterSqlite3 from 'better-sqlite3'
import { connectSqlite } from '../../engine/store/dialects/sqlite.js'

interface Row {
  readonly revision: number
  readonly last_seq: number
  readonly state: string
}

interface Pending {
  readonly write: () => void
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/**
 * Acts on the instances of the SQLite `file` through a connection of its own, as cheaply as a
 * durable act can be (prepared statements run straight on better-sqlite3, and acts arriving
 * together committed in one transaction): resolves with the instance's new revision and state
 * once committed.
 */
export function minimalActs(file: string): { act(id: string, action: string, by: string): Promise<{ id: string; revision: number; state: unknown }>; close(): Promise<void> } {
  const connection = connectSqlite(file)
  const read = connection.prepare<[string], Row>('select revision, last_seq, state from instance where id = ?')
  const update = connection.prepare('update instance set revision = ?, last_seq = ?, state = ?, updated_at = ? where id = ? and revision = ?')
  const insert = connection.prepare('insert into event (instance_id, seq, type, at, fired_at, step, action, actor_role, actor_subject, payload) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
  const waiting = connection.prepare('update instance_party set waiting = case when role in (?) then 1 else 0 end where instance_id = ?')
  const [begin, savepoint, release, undo, commit] = ['begin immediate', 'savepoint act', 'release act', 'rollback to act', 'commit'].map((sql) => connection.prepare(sql)) as [BetterSqlite3.Statement, BetterSqlite3.Statement, BetterSqlite3.Statement, BetterSqlite3.Statement, BetterSqlite3.Statement]
  let queue: Pending[] = []

  /** Writes the group in one transaction, each act in a savepoint when `isolated`; the acts that failed, with their errors. */
  const write = (group: readonly Pending[], isolated: boolean): Map<Pending, unknown> => {
    const failed = new Map<Pending, unknown>()
    begin.run()
    try {
      for (const pending of group) {
        if (isolated) savepoint.run()
        try {
          pending.write()
          if (isolated) release.run()
        } catch (error) {
          if (!isolated) throw error
          undo.run()
          release.run()
          failed.set(pending, error)
        }
      }
      commit.run()
    } catch (error) {
      if (connection.inTransaction) connection.exec('rollback')
      throw error
    }
    return failed
  }

  // Group commit: the acts queued during one turn of the event loop share a transaction, first
  // written without savepoints (as the engine does); if an act fails, the group is written again
  // with one savepoint per act, so each is all or nothing. Answered once committed.
  const flush = (): void => {
    const group = queue
    queue = []
    let failed: Map<Pending, unknown>
    try {
      try {
        failed = write(group, false)
      } catch {
        failed = write(group, true)
      }
    } catch (error) {
      for (const pending of group) pending.reject(error)
      return
    }
    for (const pending of group) {
      if (failed.has(pending)) pending.reject(failed.get(pending))
      else pending.resolve()
    }
  }

  return {
    async act(id, action, by) {
      const row = read.get(id)
      if (!row) throw new Error(`No instance "${id}".`)
      const state = JSON.parse(row.state) as Record<string, unknown>
      const revision = row.revision + 1
      const seq = row.last_seq + 1
      const at = new Date().toISOString()
      const next = { ...state, revision, updatedAt: at }
      const write = (): void => {
        if (update.run(revision, seq, JSON.stringify(next), at, id, row.revision).changes !== 1) throw new Error(`Instance "${id}" changed meanwhile.`)
        insert.run(id, seq, 'acted', at, null, String(state.step ?? ''), action, 'customer', by, JSON.stringify({ type: 'acted', at, action, by }))
        waiting.run(action === 'finish' ? 'customer' : 'isv', id)
      }
      await new Promise<void>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush)
        queue.push({ write, resolve, reject })
      })
      return { id, revision, state: next }
    },
    close() {
      if (queue.length > 0) flush()
      connection.close()
      return Promise.resolve()
    },
  }
}
