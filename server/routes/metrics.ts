import { Hono } from 'hono'
import { requirePermission } from '../auth.js'
import type { AppEnv } from '../env.js'
import type { Metrics } from '../metrics.js'

/**
 * `GET /metrics`: the Prometheus text format, for administrators and the system only (mounted
 * behind authentication: the labels name processes and actions, which may be private).
 */
export function metricsRoutes(metrics: Metrics): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/metrics', requirePermission('read-metrics'), async (c) => {
    const { text, type } = await metrics.render()
    return c.body(text, 200, { 'Content-Type': type })
  })
  return app
}
