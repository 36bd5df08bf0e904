import { Hono } from 'hono'
import type { Engine } from '../../engine/index.js'
import { EngineError } from '../../engine/index.js'
import { requireRole } from '../auth.js'
import type { AppEnv } from '../env.js'

/** `/v1/processes`: list, read and register process definitions. */
export function processRoutes(engine: Engine): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/', async (c) => c.json({ items: await engine.processes.list(c.get('principal')) }))

  app.get('/:id', async (c) => {
    const version = c.req.query('version')
    if (version !== undefined && !/^[1-9][0-9]{0,8}$/.test(version)) {
      throw new EngineError('request.invalid', 'The version must be a positive integer.', { fields: [{ pointer: '/query/version', rule: 'type', message: 'must be a positive integer' }] })
    }
    return c.json(await engine.processes.describe(c.req.param('id'), c.get('principal'), version === undefined ? undefined : Number(version)))
  })

  // The body is the YAML text itself; `?owner=ISV` registers a private process for that ISV.
  app.put('/:id', requireRole('admin'), async (c) => {
    const type = c.req.header('content-type') ?? ''
    if (!/^(application\/(yaml|x-yaml)|text\/(yaml|x-yaml|plain))\b/i.test(type)) {
      throw new EngineError('request.unsupported-media-type', `Send the definition as application/yaml (got "${type || 'no Content-Type'}").`)
    }
    const id = c.req.param('id')
    const owner = c.req.query('owner')
    const { process, created } = await engine.processes.register(await c.req.text(), `${id}.yaml`, { expectId: id, ...(owner ? { owner } : {}) })
    return c.json(await engine.processes.describe(id, c.get('principal'), process.version), created ? 201 : 200)
  })

  return app
}
