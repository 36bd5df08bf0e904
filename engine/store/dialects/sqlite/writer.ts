import type { Worker } from 'node:worker_threads'
import { startWorker } from '../../../worker-thread.js'
import { EngineError } from '../../../errors.js'
import type { ErrorCode } from '../../../errors.js'
import type { GroupWriter } from '../../commit-group.js'
import type { SqliteOptions } from './connection.js'
import type { UnitOutcome, WritePlan } from '../../write-plan.js'

/** What the writer thread is started with. */
export interface WriterSetup {
  readonly file: string
  readonly options: SqliteOptions
}

/** A message to the writer thread: a group to write, or the end. */
export type WriterRequest =
  | { readonly type: 'write'; readonly id: number; readonly units: readonly WritePlan[] }
  | { readonly type: 'close' }

/** An error as it crosses from the writer thread. */
export type SentError =
  | { readonly engine: true; readonly code: ErrorCode; readonly message: string }
  | { readonly engine: false; readonly message: string; readonly code?: string }

/** The writer thread's answer to a group: each unit's outcome once committed, or the error that kept the group from being written. */
export type WriterReply =
  | { readonly id: number; readonly outcomes: ReadonlyArray<{ readonly ok: true } | { readonly ok: false; readonly error: SentError }> }
  | { readonly id: number; readonly error: SentError }

function received(error: SentError): Error {
  if (error.engine) return new EngineError(error.code, error.message)
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code })
}

/** Starts the writer thread (`writer-thread.ts` beside this file, or its compiled `.js`). */
export function startThread(setup: WriterSetup): Worker {
  return startWorker(import.meta.url, 'writer-thread', { workerData: setup })
}

/** A running writer thread and the groups it has not answered yet. */
interface Thread {
  readonly worker: Worker
  readonly pending: Map<number, { resolve: (outcomes: UnitOutcome[]) => void; reject: (error: unknown) => void }>
}

/**
 * Writes groups on a thread of their own, through a second connection to the SQLite file: the
 * statements, the commit and its fsync then take none of the event loop's time, which goes on
 * reading, deciding and answering meanwhile. The thread starts with the first group and holds
 * the process open only while a group is being written. If the thread dies, the groups it had
 * not answered are refused (one of them may have been committed just before) and the next group
 * starts a new thread. `start` starts a thread ({@link startThread} but in tests).
 */
export function threadWriter(file: string, options: SqliteOptions, start: (setup: WriterSetup) => Worker = startThread): GroupWriter {
  let current: Thread | undefined
  let closed = false
  let nextId = 0

  const launch = (): Thread => {
    const thread: Thread = { worker: start({ file, options }), pending: new Map() }
    const { worker, pending } = thread
    const stop = (error: unknown): void => {
      if (current === thread) current = undefined
      for (const { reject } of pending.values()) reject(error)
      pending.clear()
      worker.unref()
    }
    worker.unref()
    worker.on('message', (reply: WriterReply) => {
      const waiting = pending.get(reply.id)
      if (!waiting) return
      pending.delete(reply.id)
      if (pending.size === 0) worker.unref()
      if ('error' in reply) waiting.reject(received(reply.error))
      else waiting.resolve(reply.outcomes.map((o) => (o.ok ? { ok: true } : { ok: false, error: received(o.error) })))
    })
    worker.on('error', stop)
    worker.on('exit', (code) => stop(new Error(`The SQLite writer thread stopped (exit code ${code}) before answering.`)))
    return thread
  }

  return {
    depth: 2,
    write(units) {
      if (closed) return Promise.reject(new Error('The store is closed.'))
      const { worker, pending } = current ??= launch()
      const id = nextId++
      return new Promise((resolve, reject) => {
        try {
          worker.postMessage({ type: 'write', id, units } satisfies WriterRequest)
        } catch (error) {
          // A value that cannot be sent: nothing was written.
          reject(error)
          return
        }
        if (pending.size === 0) worker.ref()
        pending.set(id, { resolve, reject })
      })
    },
    async close() {
      closed = true
      const thread = current
      if (!thread) return
      current = undefined
      const exited = new Promise((resolve) => thread.worker.once('exit', resolve))
      thread.worker.ref()
      thread.worker.postMessage({ type: 'close' } satisfies WriterRequest)
      await exited
    },
  }
}
