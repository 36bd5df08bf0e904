import { Hono } from 'hono'
import type { Store } from '../../engine/index.js'
import { iso, realClock } from '../../engine/index.js'
import { requirePermission } from '../auth.js'
import type { AppEnv } from '../env.js'
import { readQuery } from '../query.js'
import { listTokens, revokeToken } from '../token-admin.js'

/** `/v1/tokens`: administrators list the API tokens (never their secrets) and revoke them. */
export function tokenRoutes(store: Store): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/', requirePermission('manage-tokens'), async (c) => {
    readQuery(c, 'NoQuery')
    return c.json({ items: await listTokens(store) })
  })

  // Tokens are revoked in real time, as they expire, whatever a sandbox clock says.
  app.delete('/:id', requirePermission('manage-tokens'), async (c) => c.json(await revokeToken(store, c.req.param('id'), iso(realClock.now()))))

  return app
}
