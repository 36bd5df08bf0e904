import { Hono } from 'hono'
import type { Proposals } from '../../engine/index.js'
import { optional } from '../../engine/index.js'
import { readBody } from '../body.js'
import type { CheckQueue } from '../check-queue.js'
import { queuedCheck } from '../check-queue.js'
import type { AppEnv } from '../env.js'
import { fromQuery, readQuery } from '../query.js'

/**
 * `/v1/proposals`: customised procedures proposed by parties (ISVs), reviewed by administrators
 * (docs/proposals.md). A proposal is seen by its proposer and by those who see everything; to
 * anyone else it does not exist (404).
 */
export function proposalRoutes(proposals: Proposals, checks: CheckQueue): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  // A submission's and an amendment's text is checked as `POST /v1/processes/validate` checks one: in the check queue.
  app.post('/', async (c) => {
    const definition = readBody(c, 'ProposalSubmitRequest').definition
    const proposal = await queuedCheck(c, checks, () => proposals.submit(definition, c.get('principal')))
    c.header('Location', `/v1/proposals/${proposal.id}`)
    return c.json(proposal, 201)
  })

  app.get('/', async (c) => {
    const { items, next } = await fromQuery(proposals.list(c.get('principal'), readQuery(c, 'ProposalListQuery', { emptyIsAbsent: true })))
    return c.json({ items, ...optional('next', next) })
  })

  app.get('/:id', async (c) => c.json(await proposals.get(c.req.param('id'), c.get('principal'))))

  app.post('/:id/amend', async (c) => {
    const { definition, ...change } = readBody(c, 'ProposalAmendRequest')
    return c.json(await queuedCheck(c, checks, () => proposals.amend(c.req.param('id'), definition, change, c.get('principal'))))
  })

  app.post('/:id/return', async (c) => c.json(await proposals.return(c.req.param('id'), readBody(c, 'ProposalReturnRequest'), c.get('principal'))))

  app.post('/:id/approve', async (c) => c.json(await proposals.approve(c.req.param('id'), readBody(c, 'ProposalDecisionRequest'), c.get('principal'))))

  app.post('/:id/withdraw', async (c) => c.json(await proposals.withdraw(c.req.param('id'), readBody(c, 'ProposalDecisionRequest'), c.get('principal'))))

  return app
}
