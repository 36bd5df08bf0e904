import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { swaggerUI } from '@hono/swagger-ui'
import { Hono } from 'hono'
import type { AppEnv } from '../env.js'
import { buildOpenApi } from '../openapi.js'

/** Where the reference page's scripts and styles are served from: this server, never a CDN. */
export const DOCS_ASSETS = '/docs/swagger-ui-dist'
// The only files the page loads; the rest of the package (source maps, its demo page) stays private.
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js'])
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))

/** Routes anyone may call, without a token: liveness, the OpenAPI document and its browsable reference. */
export function metaRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/openapi.json', (c) => c.json(buildOpenApi()))
  // @hono/swagger-ui loads `${baseUrl}/swagger-ui-dist/...`: point it at the files served below.
  // `validatorUrl: 'none'` stops Swagger UI from sending the document to its online validator.
  app.get('/docs', swaggerUI({ url: '/openapi.json', baseUrl: '/docs', title: 'delivery-center API', persistAuthorization: true, validatorUrl: 'none' }))
  app.get(`${DOCS_ASSETS}/:file`, async (c, next) => {
    const file = c.req.param('file')
    if (!ASSETS.has(file)) return next()
    return serveStatic<AppEnv>({ root: SWAGGER_UI_DIR, path: file })(c, next)
  })
  return app
}
