import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { EngineError } from '../engine/index.js'
import { toProblem } from './problem.js'

/** Why a server cannot listen, in words, for the common causes; the system's own words otherwise. */
const LISTEN_ERRORS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use (is another server running there? choose another with --port / PORT)',
  EACCES: 'permission denied (ports below 1024 need privileges; choose another with --port / PORT)',
  EADDRNOTAVAIL: 'the address is not one of this machine\'s (choose another with --host / HOST)',
  ENOTFOUND: 'the host name is unknown (choose another with --host / HOST)',
  EAI_AGAIN: 'the host name could not be resolved (choose another with --host / HOST)',
}

/** What a request gets while the server is still starting: 503 `server.not-ready`, to try again in a second. */
function starting(request: IncomingMessage, response: ServerResponse): void {
  const problem = toProblem(new EngineError('server.not-ready', 'The server is starting: try again in a moment.'), (request.url ?? '/').split('?')[0] as string, undefined)
  response.writeHead(503, { 'Content-Type': 'application/problem+json', 'Retry-After': '1' }).end(JSON.stringify(problem))
}

/**
 * Listens on `host`:`port` before the server has anything to serve, so that a start that cannot
 * listen fails at once, before it opens (or creates) a database; until {@link serveOn}, every
 * request is answered 503 `server.not-ready`.
 * @throws {Error} when it cannot listen, with a one-line message naming the address and the cause.
 */
export function reserve(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(starting)
    function failed(error: NodeJS.ErrnoException): void {
      const why = (error.code && LISTEN_ERRORS[error.code]) ?? error.message
      reject(new Error(`cannot listen on ${host}:${port}: ${why}.`, { cause: error }))
    }
    server.once('error', failed)
    server.listen(port, host, () => {
      server.off('error', failed)
      resolve(server)
    })
  })
}

/** Serves `fetch` on a server {@link reserve} made, in place of its answer while starting. */
export function serveOn(server: Server, fetch: Parameters<typeof getRequestListener>[0], host: string): void {
  server.removeListener('request', starting)
  server.on('request', getRequestListener(fetch, { hostname: host }))
}
