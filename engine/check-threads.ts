import type { Worker } from 'node:worker_threads'
import type { CheckInput, DefinitionCheck, DefinitionChecker } from './definition-check.js'
import { startWorker } from './worker-thread.js'

/** What is sent to a check thread: a check, or a text whose `extends` to read. */
export type CheckRequest =
  | { readonly id: number; readonly input: CheckInput }
  | { readonly id: number; readonly extendsOf: string }

/** A request without its number, which the checker gives it. */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never

/** A check thread's answer: what the check found, the base a text names (null: none), or the error that ended it. */
export type CheckReply =
  | { readonly id: number; readonly result: DefinitionCheck }
  | { readonly id: number; readonly extends: string | null }
  | { readonly id: number; readonly error: string }

/** A check thread's first message: it has loaded and takes checks. */
export interface CheckThreadReady {
  readonly ready: true
}

/** The bounds of the check threads. */
export interface CheckThreadLimits {
  /** Checks running at once, each on its own thread; more wait their turn. */
  readonly threads: number
  /** How long one check may take before its thread is stopped and the check answered `definition.too-large`. */
  readonly timeLimitMs: number
  /** The heap one check thread may use; a check that needs more ends as too large. */
  readonly heapMb: number
}

/**
 * Two threads, as the server runs two checks at once (CHECK_QUEUE_LIMITS); 10 s a check (a
 * definition of 1 MiB checks in well under that; scenarios stop themselves at 5 s); 512 MiB.
 */
export const CHECK_THREAD_LIMITS: CheckThreadLimits = { threads: 2, timeLimitMs: 10_000, heapMb: 512 }

/** A checker on worker threads, stopped with `close`. */
export interface ThreadedChecker extends DefinitionChecker {
  /** Stops the threads; a check still running is answered with an error. */
  close(): Promise<void>
}

/**
 * Runs checks of definitions on worker threads, so a definition that takes seconds to compile
 * (any party may send one to `POST /v1/processes/validate`, the studio or a proposal) never holds
 * up the server's other requests. A thread is started when a check needs one and kept for the
 * next; a check that outlasts `timeLimitMs`, or outgrows `heapMb`, has its thread stopped and is
 * answered with a `definition.too-large` problem at line 1.
 */
export function threadedChecker(limits: CheckThreadLimits = CHECK_THREAD_LIMITS): ThreadedChecker {
  const idle: Worker[] = []
  /** Threads checking now; with those starting, `taken`. */
  const inUse = new Set<Worker>()
  let taken = 0
  const waiting: Array<() => void> = []
  let nextId = 0
  let closed = false

  /** A new thread, once it has loaded (or failed to). */
  const startThread = (): Promise<Worker> => {
    const worker = startWorker(import.meta.url, 'check-thread', { resourceLimits: { maxOldGenerationSizeMb: limits.heapMb } })
    // An idle thread never keeps the process alive.
    worker.unref()
    // For its whole life: an error between checks (when no check listens) must not throw on the
    // event loop, and a thread that has stopped is no longer offered to a check.
    worker.on('error', () => undefined).once('exit', () => {
      const at = idle.indexOf(worker)
      if (at >= 0) idle.splice(at, 1)
    })
    return new Promise((resolve, reject) => {
      const settle = (error?: unknown): void => {
        worker.off('message', onReady).off('error', settle).off('exit', settle)
        if (error === undefined) resolve(worker)
        else reject(error instanceof Error ? error : new Error('The check thread stopped as it started.'))
      }
      const onReady = (message: Partial<CheckThreadReady>): void => { if (message.ready) settle() }
      worker.on('message', onReady).once('error', settle).once('exit', settle)
    })
  }

  /** A thread for one check: an idle one, a new one while fewer than `threads` are taken, or the first freed. */
  const take = async (): Promise<Worker> => {
    while (taken >= limits.threads) await new Promise<void>((resolve) => waiting.push(resolve))
    if (closed) throw new Error('The definition checker is closed.')
    taken++
    try {
      const worker = idle.pop() ?? await startThread()
      if (closed) {
        void worker.terminate()
        throw new Error('The definition checker is closed.')
      }
      inUse.add(worker)
      return worker
    } catch (error) {
      taken--
      waiting.shift()?.()
      throw error
    }
  }

  const release = (worker: Worker, reusable: boolean): void => {
    inUse.delete(worker)
    taken--
    if (reusable && !closed) idle.push(worker)
    else void worker.terminate()
    waiting.shift()?.()
  }

  const tooLarge = (input: CheckInput, why: string): DefinitionCheck => ({
    valid: false,
    problems: [{ code: 'definition.too-large', message: `Checking this definition ${why}; make it smaller (fewer steps, fields or patterns).`, location: { file: input.file, line: 1, column: 1, pointer: '' } }],
  })

  /**
   * Sends `request` to `worker` and answers what `answer` makes of the reply; `tooMuch` answers in
   * its place when the thread outlasts the time limit or its memory (the thread is then stopped).
   */
  const run = <T>(worker: Worker, request: CheckRequest, answer: (reply: CheckReply) => T, tooMuch: (why: string) => T): Promise<{ result: T; reusable: boolean }> => new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer)
      worker.off('message', onMessage).off('error', onError).off('exit', onExit)
    }
    const onMessage = (reply: CheckReply): void => {
      if (reply.id !== request.id) return
      done()
      if ('error' in reply) reject(new Error(`A definition check failed: ${reply.error}`))
      else resolve({ result: answer(reply), reusable: true })
    }
    const onError = (error: Error & { code?: string }): void => {
      done()
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') resolve({ result: tooMuch(`needs more than ${limits.heapMb} MiB of memory`), reusable: false })
      else reject(error)
    }
    const onExit = (): void => {
      done()
      reject(new Error('The check thread stopped before answering.'))
    }
    const timer = setTimeout(() => {
      done()
      resolve({ result: tooMuch(`takes longer than ${limits.timeLimitMs / 1000} s`), reusable: false })
    }, limits.timeLimitMs)
    worker.on('message', onMessage).on('error', onError).on('exit', onExit)
    worker.postMessage(request)
  })

  /** Runs `request` on a thread of its own, then frees the thread (stopped when it ran out of time or memory). */
  const onThread = async <T>(request: Unnumbered<CheckRequest>, answer: (reply: CheckReply) => T, tooMuch: (why: string) => T): Promise<T> => {
    if (closed) throw new Error('The definition checker is closed.')
    const worker = await take()
    let reusable = false
    try {
      const outcome = await run(worker, { ...request, id: nextId++ }, answer, tooMuch)
      reusable = outcome.reusable
      return outcome.result
    } finally {
      release(worker, reusable)
    }
  }

  return {
    check(input) {
      return onThread({ input }, (reply) => 'result' in reply ? reply.result : tooLarge(input, 'was answered with no result'), (why) => tooLarge(input, why))
    },
    // A text too large to read in time names no base: its check, which reads it too, then says it is too large.
    extendsOf(text) {
      return onThread({ extendsOf: text }, (reply) => 'extends' in reply ? reply.extends ?? undefined : undefined, () => undefined)
    },
    async close() {
      closed = true
      // Checks waiting for a thread wake to find the checker closed.
      for (const wake of waiting.splice(0)) wake()
      await Promise.all([...idle.splice(0), ...inUse].map((worker) => worker.terminate()))
    },
  }
}
