import { Hono } from 'hono'
import type { AppEnv } from '../env.js'

/** Routes anyone may call: liveness. */
export function metaRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  return app
}
