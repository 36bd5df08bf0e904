import { serve } from '@hono/node-server'
import type { ServerType } from '@hono/node-server'

/** Why a server cannot listen, in words, for the common causes; the system's own words otherwise. */
const LISTEN_ERRORS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use (is another server running there? choose another with --port / PORT)',
  EACCES: 'permission denied (ports below 1024 need privileges; choose another with --port / PORT)',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s (choose another with --host / HOST)',
  ENOTFOUND: 'the host name is unknown (choose another with --host / HOST)',
  EAI_AGAIN: 'the host name could not be resolved (choose another with --host / HOST)',
}

/**
 * Serves `fetch` on `host`:`port` and resolves once listening.
 * @throws {Error} when it cannot listen, with a one-line message naming the address and the cause.
 */
export function listen(fetch: Parameters<typeof serve>[0]['fetch'], host: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: host, port }, () => {
      server.off('error', failed)
      resolve(server)
    })
    function failed(error: NodeJS.ErrnoException): void {
      const why = (error.code && LISTEN_ERRORS[error.code]) ?? error.message
      reject(new Error(`cannot listen on ${host}:${port}: ${why}.`, { cause: error }))
    }
    server.once('error', failed)
  })
}
