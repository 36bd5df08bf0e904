import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Interface } from 'node:readline'
import { inject } from 'vitest'
import type { WorkerCommand } from './worker.js'

/**
 * A worker OS process (test/support/worker.ts, as compiled once for the run by built-cli.ts:
 * started without a TypeScript loader) driving the engine on a shared database.
 */
export class Worker {
  readonly child: ChildProcessWithoutNullStreams
  readonly #lines: Interface
  readonly #queue: string[] = []
  readonly #waiting: Array<(line: string) => void> = []
  readonly #exited: Promise<number | null>

  /**
   * Opens `database` (with `writerThread`, writing through the SQLite writer thread), or none
   * until told to (`open`).
   */
  constructor(database?: string, options: { writerThread?: boolean } = {}) {
    const args = [inject('builtWorker'), ...(database === undefined ? [] : [database, ...(options.writerThread ? ['writer-thread'] : [])])]
    this.child = spawn(process.execPath, args, { stdio: 'pipe' })
    this.child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk))
    this.#lines = createInterface({ input: this.child.stdout })
    this.#lines.on('line', (line) => {
      const waiter = this.#waiting.shift()
      if (waiter) waiter(line)
      else this.#queue.push(line)
    })
    this.#exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)))
  }

  send(command: WorkerCommand): void {
    this.child.stdin.write(`${JSON.stringify(command)}\n`)
  }

  /** The next line the worker printed, parsed. */
  next<T = Record<string, unknown>>(): Promise<T> {
    const line = this.#queue.shift()
    if (line !== undefined) return Promise.resolve(JSON.parse(line) as T)
    return new Promise((resolve) => this.#waiting.push((l) => resolve(JSON.parse(l) as T)))
  }

  async request<T = Record<string, unknown>>(command: WorkerCommand): Promise<T> {
    this.send(command)
    return this.next<T>()
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.send({ op: 'exit' })
    return this.#exited
  }

  kill(): Promise<number | null> {
    this.child.kill('SIGKILL')
    return this.#exited
  }
}
