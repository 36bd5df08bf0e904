import { Hono } from 'hono'
import { linkProblems, signInLinkPath } from '../../console/sessions.js'
import type { ConsoleSessions } from '../../console/sessions.js'
import { consoleSessionRefusal, EngineError, InvalidDefinitionError, rejectionError, suggest } from '../../engine/index.js'
import type { Engine } from '../../engine/index.js'
import { requirePermission } from '../auth.js'
import { readBody } from '../body.js'
import type { AppEnv } from '../env.js'

/**
 * `/v1/console-sessions`: an integrator's backend (an `admin` or `system` token) asks for a
 * one-time sign-in link to the console for a person, as Stripe's customer portal sessions do. A
 * link for an admin needs an admin token.
 * The link is under `publicUrl` when the server has one (`--public-url`), else under the
 * request's own origin.
 */
export function consoleSessionRoutes(sessions: ConsoleSessions, engine: Engine, publicUrl: string | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/', requirePermission('open-console-sessions'), async (c) => {
    const { role, subject, returnUrl } = readBody(c, 'ConsoleSessionRequest')
    // Else a system token (a metrics scraper's, say) would make itself an admin.
    const refusal = consoleSessionRefusal(c.get('principal'), role)
    if (refusal) throw rejectionError(refusal)
    // A well-formed request names a role someone acts as; a malformed one is refused by createLink, field by field.
    if (linkProblems({ role, subject, returnPath: returnUrl }).length === 0) await checkRoleInUse(engine, role)
    const { secret, expiresAt } = await sessions.createLink({ role, subject, returnPath: returnUrl })
    const origin = publicUrl ?? new URL(c.req.url).origin
    c.set('secretAnswer', true)
    return c.json({ url: `${origin}${signInLinkPath(secret)}`, expiresAt }, 201)
  })

  return app
}

/**
 * Refuses a role nobody acts as (a typo would sign a person into an empty console): it must be
 * `admin` or a party role a registered process declares (`request.invalid` at `/role`, with
 * "Did you mean"). Compiled processes are cached, so this reads no definition twice.
 */
async function checkRoleInUse(engine: Engine, role: string): Promise<void> {
  const roles = new Set(['admin'])
  for (const { id, versions } of await engine.processes.list({ role: 'admin', subject: 'console-sessions' })) {
    for (const version of versions) {
      try {
        for (const declared of (await engine.processes.get(id, version)).roles) roles.add(declared)
      } catch (error) {
        // A stored version that no longer compiles (its base gone, say) declares no usable role.
        if (!(error instanceof InvalidDefinitionError)) throw error
      }
    }
  }
  if (roles.has(role)) return
  const known = [...roles].sort()
  const near = suggest(role, known, 'roles')
  throw new EngineError('request.invalid', `Role "${role}" is declared by no registered process.`, {
    fields: [{ pointer: '/role', rule: 'enum', message: `must be admin or a role a registered process declares: ${known.join(', ')}${near.startsWith('Did you mean') ? `. ${near}` : ''}` }],
  })
}
