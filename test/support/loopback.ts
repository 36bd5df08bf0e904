import { serve } from '@hono/node-server'
import type { ServerType } from '@hono/node-server'
import type { Api } from './http.js'

/** An app served on a free loopback port, for tests where streaming over a real socket matters. */
export interface Loopback {
  readonly url: string
  close(): Promise<void>
}

/** Serves `api.app` on 127.0.0.1; close it in `afterEach` (it also closes open connections). */
export async function serveOnLoopback(api: Api): Promise<Loopback> {
  let server: ServerType | undefined
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: api.app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve(info.port))
  })
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      if (!server) return resolve()
      if ('closeAllConnections' in server) server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}
