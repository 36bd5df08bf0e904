// The SQLite writer thread: owns a connection of its own to the database file and writes the
// groups of units of work the event loop sends it, each group in one transaction, answering with
// each unit's outcome once the group is committed (fsync included, at FULL). Started by
// `threadWriter()` (writer.ts); speaks the messages defined there.
import { parentPort, workerData } from 'node:worker_threads'
import { EngineError } from '../../../errors.js'
import { connectSqlite, statementCache, transactions } from './connection.js'
import type { SqliteOptions } from './connection.js'
import { writeGroup } from '../../write-plan.js'
import type { WriterReply, WriterRequest, WriterSetup, SentError } from './writer.js'

const port = parentPort
if (!port) throw new Error('writer-thread.ts runs as a worker thread, started by threadWriter().')
const { file, options } = workerData as WriterSetup
const connection = connectSqlite(file, options satisfies SqliteOptions)
// The thread has its connection to itself.
const begin = transactions(connection, statementCache(connection))

/** An error as a message can carry it: the engine's with its code, others with their message and SQLite code. */
function sent(error: unknown): SentError {
  if (error instanceof EngineError) return { engine: true, code: error.code, message: error.message }
  const { message, code } = error as { message?: unknown; code?: unknown }
  return { engine: false, message: String(message ?? error), ...(typeof code === 'string' ? { code } : {}) }
}

port.on('message', (request: WriterRequest) => {
  if (request.type === 'close') {
    connection.close()
    port.close()
    return
  }
  // Groups are written one after another: every await below settles within this message's turn.
  void writeGroup(begin, request.units).then(
    (outcomes) => port.postMessage({ id: request.id, outcomes: outcomes.map((o) => (o.ok ? { ok: true } : { ok: false, error: sent(o.error) })) } satisfies WriterReply),
    (error: unknown) => port.postMessage({ id: request.id, error: sent(error) } satisfies WriterReply),
  )
})
