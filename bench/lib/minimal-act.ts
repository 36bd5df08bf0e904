// The least a durable act costs on this stack, for the `http` benchmark's floor servers: read
// the instance's row, then write its new state, one event and whom it waits on (the rows that
// serve "waiting on me" lists), all or nothing, acknowledged once committed at FULL with group
// commit. No definition, no decision, no validation, and less than a real act of this schema
// writes (that updates the step, status and deadline columns and their indexes, and appends two
// events): a lower bound on what an engine keeping its instances in SQLite does for an act.
import { connectSqlite } from '../../engine/store/dialects/sqlite/connection.js'

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

/** Minimal acts on one SQLite file. */
export interface MinimalActs {
  /** Acts on instance `id`; resolves with its new revision and state once committed. */
  act(id: string, action: string, by: string): Promise<{ id: string; revision: number; state: unknown }>
  /** Writes the acts queued so far, then closes the connection: later acts are refused. */
  close(): Promise<void>
}

/**
 * Acts on the instances of the SQLite `file` through a connection of its own, as cheaply as a
 * durable act can be. The group commit follows the engine's (`writeGroup` in
 * engine/store/write-plan.ts: a group is written without savepoints, and again with one per act
 * only if an act failed), written out here on better-sqlite3's synchronous calls so that no
 * promise or query plan of the engine's stands between the floor and SQLite.
 */
export function minimalActs(file: string): MinimalActs {
  const connection = connectSqlite(file)
  const read = connection.prepare<[string], Row>('select revision, last_seq, state from instance where id = ?')
  const update = connection.prepare('update instance set revision = ?, last_seq = ?, state = ?, updated_at = ? where id = ? and revision = ?')
  const insert = connection.prepare('insert into event (instance_id, seq, type, at, fired_at, step, action, actor_role, actor_subject, payload) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
  const stopWaiting = connection.prepare('delete from waiting_party where instance_id = ? and role = ?')
  // A row already there is kept, as the engine keeps it: going round its instances, a floor submits again where it confirmed.
  const startWaiting = connection.prepare('insert into waiting_party (instance_id, role, subject, instance_created_at) values (?, ?, ?, ?) on conflict (instance_id, role) do nothing')
  const begin = connection.prepare('begin immediate')
  const savepoint = connection.prepare('savepoint act')
  const release = connection.prepare('release act')
  const undo = connection.prepare('rollback to act')
  const commit = connection.prepare('commit')
  let queue: Pending[] = []

  /**
   * Writes the group in one transaction, each act in a savepoint when `isolated`; returns the
   * acts that failed with their errors, or undefined when one failed outside a savepoint (the
   * transaction is then rolled back). Throws when the transaction itself fails.
   */
  const attempt = (group: readonly Pending[], isolated: boolean): Map<Pending, unknown> | undefined => {
    const failed = new Map<Pending, unknown>()
    begin.run()
    try {
      for (const pending of group) {
        if (isolated) savepoint.run()
        try {
          pending.write()
          if (isolated) release.run()
        } catch (error) {
          if (!isolated) {
            connection.exec('rollback')
            return group.length === 1 ? new Map([[pending, error]]) : undefined
          }
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

  /** Writes the acts queued during this turn of the event loop and answers each. */
  const flush = (): void => {
    const group = queue
    queue = []
    if (group.length === 0) return
    let failed: Map<Pending, unknown>
    try {
      failed = attempt(group, false) ?? attempt(group, true) as Map<Pending, unknown>
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
      const writeAct = (): void => {
        if (update.run(revision, seq, JSON.stringify(next), at, id, row.revision).changes !== 1) throw new Error(`Instance "${id}" changed meanwhile.`)
        insert.run(id, seq, 'acted', at, null, String(state.step ?? ''), action, 'customer', by, JSON.stringify({ type: 'acted', at, action, by }))
        const [stopped, started] = action === 'finish' ? ['isv', 'customer'] : ['customer', 'isv']
        stopWaiting.run(id, stopped)
        startWaiting.run(id, started, (state.parties as Record<string, string>)[started], state.startedAt)
      }
      await new Promise<void>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush)
        queue.push({ write: writeAct, resolve, reject })
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
