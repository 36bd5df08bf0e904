import { serve } from '@hono/node-server'
import type { ServerType } from '@hono/node-server'
import { afterEach, beforeEach } from 'vitest'
import { openApi } from './http.js'
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

/**
 * Before each test of the file (or `describe`) that calls it, an API opened by `open` and served
 * on loopback, handed to `use`; after each, both closed.
 */
export function serveForEachTest(use: (api: Api, server: Loopback) => void, open: () => Promise<Api> = openApi): void {
  let api: Api | undefined
  let server: Loopback | undefined
  beforeEach(async () => {
    api = await open()
    server = await serveOnLoopback(api)
    use(api, server)
  })
  afterEach(async () => {
    await server?.close()
    await api?.close()
  })
}
