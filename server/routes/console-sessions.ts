import { Hono } from 'hono'
import type { ConsoleSessions } from '../../console/sessions.js'
import { requireRole } from '../auth.js'
import { readBody } from '../body.js'
import type { AppEnv } from '../env.js'

/** The path of a sign-in link under the server's public URL: `/console/link/<secret>`. */
export function signInLinkPath(secret: string): string {
  return `/console/link/${secret}`
}

/**
 * `/v1/console-sessions`: an integrator's backend (an `admin` or `system` token) asks for a
 * one-time sign-in link to the console for a person, as Stripe's customer portal sessions do.
 * The link is under `publicUrl` when the server has one (`--public-url`), else under the
 * request's own origin.
 */
export function consoleSessionRoutes(sessions: ConsoleSessions, publicUrl: string | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/', requireRole('admin', 'system'), async (c) => {
    const { role, subject, returnUrl } = readBody<{ role: string; subject: string; returnUrl?: string }>(c, 'ConsoleSessionRequest')
    const { secret, expiresAt } = await sessions.createLink({ role, subject, returnPath: returnUrl })
    const origin = publicUrl ?? new URL(c.req.url).origin
    c.set('secretAnswer', true)
    return c.json({ url: `${origin}${signInLinkPath(secret)}`, expiresAt }, 201)
  })

  return app
}
