import { randomUUID } from 'node:crypto'
import { ServerResponse } from 'node:http'
import { Hono } from 'hono'
import type { MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from './env.js'

/**
 * Whether a response to `path` must never be stored by a cache: those of authenticated routes
 * (`/v1`, `/metrics`), which hold what one principal may see, and the health checks, which must
 * always be fresh.
 */
function noStore(path: string): boolean {
  return path.startsWith('/v1/') || path === '/metrics' || path === '/healthz' || path === '/readyz'
}

/**
 * The console's pages: their forms must carry an `Origin` (the CSRF check needs it), which
 * browsers replace by `null` under the default `no-referrer`; `same-origin` sends it to this
 * server only, and no referrer anywhere else.
 */
const PAGES_REFERRER_POLICY = 'same-origin'
const isPage = (path: string): boolean => path === '/console' || path.startsWith('/console/')

/** A client's own `X-Request-Id` is kept when it is this short and plain (Hono's rule); else a new UUID is made. */
const CLIENT_REQUEST_ID = /^[\w\-=]{1,255}$/

/**
 * The security headers Hono's `secureHeaders()` sets by default, read once from the middleware
 * itself (so the list follows Hono), as `[name, value]` pairs.
 */
async function defaultSecureHeaders(): Promise<ReadonlyArray<readonly [string, string]>> {
  const probe = new Hono()
  probe.use(secureHeaders())
  probe.get('/', (c) => c.body(null))
  const response = await probe.request('/')
  return [...response.headers]
}

/**
 * Gives every response an `X-Request-Id` (also set as the `requestId` variable, for logs and
 * problem bodies) and Hono's default security headers, and `Cache-Control: no-store` to those of
 * authenticated routes and health checks (problems included). Under @hono/node-server they are set on
 * the Node.js response before the handler runs, and Node.js writes them with whatever headers the
 * handler answers with (a handler that sets one of them itself keeps its own value): setting
 * them through Hono instead turns each answer's headers into a Fetch `Headers` object, which
 * cost about a sixth of an act's HTTP handling. Elsewhere (`app.request()`, other runtimes)
 * Hono's own middleware sets them.
 */
export function responseHeaders(): MiddlewareHandler<AppEnv> {
  const secure = secureHeaders()
  const securePages = secureHeaders({ referrerPolicy: PAGES_REFERRER_POLICY })
  const pairs = defaultSecureHeaders()
  let ready: ReadonlyArray<readonly [string, string]> | undefined
  return async (c, next) => {
    const own = c.req.header('x-request-id')
    const id = own !== undefined && CLIENT_REQUEST_ID.test(own) ? own : randomUUID()
    c.set('requestId', id)
    const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing
    if (outgoing instanceof ServerResponse) {
      ready ??= await pairs
      outgoing.setHeader('X-Request-Id', id)
      for (const [name, value] of ready) outgoing.setHeader(name, value)
      if (isPage(c.req.path)) outgoing.setHeader('Referrer-Policy', PAGES_REFERRER_POLICY)
      if (noStore(c.req.path)) outgoing.setHeader('Cache-Control', 'no-store')
      return next()
    }
    c.header('X-Request-Id', id)
    await (isPage(c.req.path) ? securePages : secure)(c, next)
    if (noStore(c.req.path) && !c.res.headers.has('cache-control')) c.res.headers.set('Cache-Control', 'no-store')
  }
}
