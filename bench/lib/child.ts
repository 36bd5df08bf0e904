import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

/** A server running in a child process, listening on a port it reported. */
export interface ChildServer {
  readonly child: ChildProcess
  readonly port: number
  /** Sends SIGTERM to this child's process group and waits for it to exit (SIGKILL after {@link STOP_GRACE_MS}). */
  stop(): Promise<void>
}

/** How long a stopped child may take to exit on SIGTERM before its process group is killed. */
const STOP_GRACE_MS = 15_000

/** Every child started here that has not exited yet, with a promise of its exit. */
const running = new Map<ChildProcess, Promise<void>>()

/** Signals the child's process group (it leads one: spawned detached), so nothing it started survives it. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // The group is gone already.
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = running.get(child)
  if (!exited) return
  signalGroup(child, 'SIGTERM')
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_GRACE_MS)
  await exited
  clearTimeout(timer)
}

/**
 * Stops every child server started by {@link startChildServer} that is still running: for
 * test hooks (`afterEach`, `afterAll`), which run even when a test timed out while the
 * benchmark that started them was still going.
 */
export async function stopChildServers(): Promise<void> {
  await Promise.all([...running.keys()].map((child) => stopChild(child)))
}

// Children lead process groups of their own, so a signal to this process's group (Ctrl-C) no
// longer reaches them: pass it on, and kill them whenever this process exits.
let guarded = false
function guardChildren(): void {
  if (guarded) return
  guarded = true
  process.once('exit', () => { for (const child of running.keys()) signalGroup(child, 'SIGKILL') })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const child of running.keys()) signalGroup(child, 'SIGKILL')
      // Then as if this handler were not there: Node.js's default (exit) unless someone else listens.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    })
  }
}

/**
 * Starts `node ARGS...` and waits until a line of its `stream` matches `portPattern` (whose first
 * group is the port). Lines of the other stream are discarded; stderr is echoed if it exits early.
 * The child leads a process group of its own, killed with it by {@link ChildServer.stop},
 * {@link stopChildServers} or when this process exits.
 * @throws {Error} when the child exits, or prints nothing matching within `timeoutMs` (default
 * 5 minutes: a loaded machine may take long to start several servers at once).
 */
export function startChildServer(args: readonly string[], options: { stream: 'stdout' | 'stderr'; portPattern: RegExp; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ChildServer> {
  guardChildren()
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, detached: true })
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    running.delete(child)
    resolve()
  }))
  running.set(child, exited)
  const timeoutMs = options.timeoutMs ?? 300_000
  const watched = options.stream === 'stdout' ? child.stdout : child.stderr
  const other = options.stream === 'stdout' ? child.stderr : child.stdout
  let errors = ''
  child.stderr.on('data', (chunk: Buffer) => { if (errors.length < 10_000) errors += chunk.toString() })
  other.resume()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL')
      reject(new Error(`The server did not report its port within ${timeoutMs} ms: ${errors}`))
    }, timeoutMs)
    const lines = createInterface({ input: watched })
    lines.on('line', (line) => {
      const match = options.portPattern.exec(line)
      if (!match) return
      clearTimeout(timer)
      lines.removeAllListeners('line')
      watched.resume()
      resolve({ child, port: Number(match[1]), stop: () => stopChild(child) })
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`The server exited (${code ?? signal}) before reporting its port: ${errors}`))
    })
  })
}

/** Resident set size of a process in bytes, from /proc (Linux); undefined elsewhere. */
export async function residentBytes(pid: number): Promise<{ rss: number; peak: number } | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
    return { rss: kib('VmRSS'), peak: kib('VmHWM') }
  } catch {
    return undefined
  }
}

/** Clock ticks per second of /proc's CPU times: USER_HZ, 100 on Linux whatever the kernel's HZ. */
const USER_HZ = 100

/** CPU seconds a process has used so far, user and kernel, all its threads, from /proc (Linux); undefined elsewhere. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces), from the 3rd: utime is the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ
  } catch {
    return undefined
  }
}
