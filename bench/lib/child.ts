import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

/** A server running in a child process, listening on a port it reported. */
export interface ChildServer {
  readonly child: ChildProcess
  readonly port: number
  /** Sends SIGTERM to this child (only it) and waits for it to exit. */
  stop(): Promise<void>
}

/**
 * Starts `node ARGS...` and waits until a line of its `stream` matches `portPattern` (whose first
 * group is the port). Lines of the other stream are discarded; stderr is echoed if it exits early.
 * @throws {Error} when the child exits, or prints nothing matching within `timeoutMs`.
 */
export function startChildServer(args: readonly string[], options: { stream: 'stdout' | 'stderr'; portPattern: RegExp; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ChildServer> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const watched = options.stream === 'stdout' ? child.stdout : child.stderr
  const other = options.stream === 'stdout' ? child.stderr : child.stdout
  let errors = ''
  child.stderr.on('data', (chunk: Buffer) => { if (errors.length < 10_000) errors += chunk.toString() })
  other.resume()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`The server did not report its port within ${options.timeoutMs ?? 60_000} ms: ${errors}`))
    }, options.timeoutMs ?? 60_000)
    const lines = createInterface({ input: watched })
    lines.on('line', (line) => {
      const match = options.portPattern.exec(line)
      if (!match) return
      clearTimeout(timer)
      lines.removeAllListeners('line')
      watched.resume()
      resolve({
        child, port: Number(match[1]),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          await exited
        },
      })
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
