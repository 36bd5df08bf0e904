import { Hono } from 'hono'
import type { Engine } from '../../engine/index.js'
import { decodeDefinition, EngineError, InvalidDefinitionError, MAX_DEFINITION_BYTES, optional, parsePrincipal, tooLargeProblem } from '../../engine/index.js'
import { requirePermission } from '../auth.js'
import { readBody, readBodyBytes } from '../body.js'
import type { CheckQueue } from '../check-queue.js'
import { queuedCheck } from '../check-queue.js'
import type { AppEnv } from '../env.js'
import { fromQuery, readQuery } from '../query.js'

/** `/v1/processes`: list, read and register process definitions. */
export function processRoutes(engine: Engine, checks: CheckQueue): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/', async (c) => c.json({ items: await engine.processes.list(c.get('principal')) }))

  // Checks a definition (and runs scenarios on it) as registering would, registering nothing.
  app.post('/validate', async (c) => {
    const { owner } = readQuery(c, 'ProcessCheckQuery')
    const as = owner === undefined ? undefined : parsePrincipal(owner)
    const request = readBody(c, 'ProcessCheckRequest')
    return c.json(await queuedCheck(c, checks, () => fromQuery(engine.processes.check(request, c.get('principal'), as))))
  })

  app.get('/:id', async (c) => c.json(await engine.processes.describe(c.req.param('id'), c.get('principal'), readQuery(c, 'ProcessVersionQuery').version)))

  app.get('/:id/diagram', async (c) => {
    const { diagram } = await engine.processes.describe(c.req.param('id'), c.get('principal'), readQuery(c, 'ProcessVersionQuery').version)
    return c.body(diagram, 200, { 'Content-Type': 'text/vnd.mermaid; charset=utf-8' })
  })

  // The body is the YAML text itself; `?owner=ROLE:SUBJECT` registers a private process of that owner.
  // It is read as bytes, so size and encoding are checked as `validate` checks a file.
  app.put('/:id', requirePermission('register-processes'), async (c) => {
    const type = c.req.header('content-type') ?? ''
    if (!/^(application\/(yaml|x-yaml)|text\/(yaml|x-yaml|plain))\b/i.test(type)) {
      throw new EngineError('request.unsupported-media-type', `Send the definition as application/yaml (got "${type || 'no Content-Type'}").`)
    }
    const id = c.req.param('id')
    const file = `${id}.yaml`
    const query = readQuery(c, 'ProcessRegisterQuery')
    const owner = query.owner === undefined ? undefined : parsePrincipal(query.owner)
    const declared = Number(c.req.header('content-length'))
    const bytes = await readBodyBytes(c, MAX_DEFINITION_BYTES, () => tooLargeProblem(declared > MAX_DEFINITION_BYTES ? declared : undefined, file))
    const decoded = decodeDefinition(bytes, file)
    // Too large is 413 with its own code; any other reading problem is a definition problem (422).
    if (!decoded.ok) throw decoded.problem.code === 'definition.too-large' ? decoded.problem : new InvalidDefinitionError(file, [decoded.problem])
    const { process, created } = await engine.processes.register(decoded.text, file, { expectId: id, ...optional('owner', owner) })
    return c.json(await engine.processes.describe(id, c.get('principal'), process.version), created ? 201 : 200)
  })

  return app
}

/** Whether a request is a definition sent to `PUT /v1/processes/{id}`, whose route reads the body itself. */
export function isDefinitionUpload(method: string, path: string): boolean {
  return method === 'PUT' && /^\/v1\/processes\/[^/]+$/.test(path)
}
