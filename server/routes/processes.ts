import { Hono } from 'hono'
import type { Engine } from '../../engine/index.js'
import { EngineError } from '../../engine/index.js'
import { requireRole } from '../auth.js'
import { bodyText } from '../body.js'
import type { AppEnv } from '../env.js'

/** `/v1/processes`: list, read and register process definitions. */
export function processRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/', async (c) => c.json({ items: await engine.processes.list(c.get('principal')) }))

  app.get('/:id', async (c) => c.json(await engine.processes.describe(c.req.param('id'), c.get('principal'), versionOf(c.req.query('version')))))

  app.get('/:id/diagram', async (c) => {
    const { diagram } = await engine.processes.describe(c.req.param('id'), c.get('principal'), versionOf(c.req.query('version')))
    return c.body(diagram, 200, { 'Content-Type': 'text/vnd.mermaid; charset=utf-8' })
  })

  // The body is the YAML text itself; `?owner=ISV` registers a private process for that ISV.
  app.put('/:id', requireRole('admin'), async (c) => {
    const type = c.req.header('content-type') ?? ''
    if (!/^(application\/(yaml|x-yaml)|text\/(yaml|x-yaml|plain))\b/i.test(type)) {
      throw new EngineError('request.unsupported-media-type', `Send the definition as application/yaml (got "${type || 'no Content-Type'}").`)
    }
    const id = c.req.param('id')
    const owner = c.req.query('owner')
    const { process, created } = await engine.processes.register(bodyText(c), `${id}.yaml`, { expectId: id, ...(owner ? { owner } : {}) })
    return c.json(await engine.processes.describe(id, c.get('principal'), process.version), created ? 201 : 200)
  })

  return app
}

/** The `?version=` query: absent, or a positive integer. */
function versionOf(version: string | undefined): number | undefined {
  if (version === undefined) return undefined
  if (!/^[1-9][0-9]{0,8}$/.test(version)) {
    throw new EngineError('request.invalid', 'The version must be a positive integer.', { fields: [{ pointer: '/query/version', rule: 'type', message: 'must be a positive integer' }] })
  }
  return Number(version)
}
