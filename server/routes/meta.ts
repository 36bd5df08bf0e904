import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import type { Logger } from 'pino'
import type { Store } from '../../engine/index.js'
import { DOCS_ASSETS, DOCS_CSP, DOCS_HTML, DOCS_INIT, DOCS_INIT_JS } from '../docs-page.js'
import type { AppEnv } from '../env.js'
import { buildOpenApi } from '../openapi.js'
import { checkReadiness } from '../readiness.js'

export { DOCS_ASSETS } from '../docs-page.js'

// The only files of the package the page loads; the rest (source maps, its demo page) stays private.
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js'])
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

/** Routes anyone may call, without a token: liveness, readiness, the OpenAPI document and its browsable reference. */
export function metaRoutes(store: Store, logger: Logger): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    try {
      return c.json(await checkReadiness(store))
    } catch (error) {
      logger.warn({ err: error, requestId: c.get('requestId') }, 'not ready')
      throw error
    }
  })
  app.get('/openapi.json', (c) => c.json(buildOpenApi()))
  app.get('/docs', (c) => c.html(DOCS_HTML, 200, { 'Content-Security-Policy': DOCS_CSP }))
  app.get(`${DOCS_ASSETS}/:file`, async (c, next) => {
    const file = c.req.param('file')
    if (file === DOCS_INIT) return c.body(DOCS_INIT_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8' })
    if (!ASSETS.has(file)) return next()
    return serveStatic<AppEnv>({ root: SWAGGER_UI_DIR, path: file })(c, next)
  })
  return app
}
