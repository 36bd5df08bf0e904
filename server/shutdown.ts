import type { ServerType } from '@hono/node-server'
import type { ServerLog } from './log.js'

/** What `serve` stops on SIGTERM or SIGINT. */
export interface Running {
  readonly server: ServerType
  readonly scheduler: { stop(): Promise<void> }
  readonly store: { close(): Promise<void> }
  readonly log: ServerLog
}

/** How long closing the database, then the log, may take once requests are over or cut off. */
const STORE_CLOSE_MS = 1000
const LOG_CLOSE_MS = 500

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref())

/**
 * The signal handler of `serve`. The first signal stops the scheduler and new connections, lets
 * requests in flight finish, closes the database and exits 0. If they have not finished within
 * `timeoutMs` (or on a second signal), every open connection is closed, cutting its request off,
 * and the process exits 1. Closing the database and the log are each bounded too, so the
 * process is gone at most about 1.5 s after the deadline, whatever a client, the database or
 * stdout does.
 */
export function shutdownOnSignal(running: Running, timeoutMs: number, exit: (code: number) => void = (code) => process.exit(code)): (signal: string) => void {
  const { server, scheduler, store, log } = running
  let stopping = false
  let finishing: Promise<void> | undefined
  let deadline: NodeJS.Timeout | undefined

  const finish = (code: number): Promise<void> => {
    finishing ??= (async () => {
      clearTimeout(deadline)
      await Promise.race([store.close().catch((error: unknown) => log.logger.error({ err: error }, 'closing the database failed')), wait(STORE_CLOSE_MS)])
      log.logger.info({ code }, 'stopped')
      await log.close(LOG_CLOSE_MS)
      exit(code)
    })()
    return finishing
  }
  const cutOff = (why: string): void => {
    log.logger.warn(`${why}: closing the connections still open`)
    if ('closeAllConnections' in server) server.closeAllConnections()
    void finish(1)
  }

  return (signal) => {
    if (stopping) {
      cutOff(`${signal} again`)
      return
    }
    stopping = true
    log.logger.info({ signal, timeoutSeconds: timeoutMs / 1000 }, 'shutting down: finishing in-flight requests')
    deadline = setTimeout(() => cutOff(`shutdown deadline of ${timeoutMs / 1000} s passed`), timeoutMs)
    void (async () => {
      await scheduler.stop()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        if ('closeIdleConnections' in server) server.closeIdleConnections()
      })
      await finish(0)
    })()
  }
}
