import { pino } from 'pino'
import type { Logger } from 'pino'

/** The server's log: JSON lines on stdout, and a way to stop it that can never hold up exit. */
export interface ServerLog {
  readonly logger: Logger
  /**
   * Stops logging (later calls write nothing) and gives the lines still buffered at most
   * `waitMs` milliseconds to reach stdout; what is left then is dropped. Resolves within
   * `waitMs` whatever stdout is: a closed pipe, or a reader that stopped reading.
   */
  close(waitMs: number): Promise<void>
}

/** Most bytes of log lines gathered before they are written. */
export const LOG_BUFFER_BYTES = 4096
/** How often the lines gathered are written whatever their length, in milliseconds. */
export const LOG_FLUSH_MS = 100

/**
 * pino's asynchronous destination on file descriptor or path `dest`, writing lines together: as
 * soon as {@link LOG_BUFFER_BYTES} have gathered, and whatever is left every {@link LOG_FLUSH_MS}
 * (sonic-boom's `minLength` and `periodicFlush`). A write of its own for every line (pino's
 * default) costs each request a system call on the thread pool and the wake-ups around it.
 */
export function logDestination(dest: number | string): ReturnType<typeof pino.destination> {
  return pino.destination({ dest, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS })
}

/**
 * Opens the log on stdout at `level` (a pino level; an unknown one throws). Lines are written
 * asynchronously, as pino's default destination does. That destination also flushes
 * synchronously when the process exits, and sonic-boom's synchronous flush retries every error
 * but EAGAIN for ever: on a closed pipe (EPIPE) exit would never finish. {@link ServerLog.close}
 * therefore ends the stream before exit, and destroys it (dropping what could not be written,
 * which also cancels the flush on exit) when ending takes longer than allowed.
 */
export function openServerLog(level: string): ServerLog {
  const destination = logDestination(1)
  const logger = pino({ level }, destination)
  let closing: Promise<void> | undefined
  return {
    logger,
    close(waitMs) {
      closing ??= new Promise((resolve) => {
        logger.level = 'silent'
        const done = (): void => {
          clearTimeout(timer)
          try {
            destination.destroy()
          } catch {
            // Already closed, or given up after EPIPE (pino then makes every method a no-op).
          }
          resolve()
        }
        const timer = setTimeout(done, waitMs)
        destination.once('close', done)
        try {
          destination.end()
        } catch {
          done()
        }
      })
      return closing
    },
  }
}
