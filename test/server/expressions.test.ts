import { afterEach, describe, expect, it } from 'vitest'
import { registeredDatabase } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'
import { startServer, tokensFor } from '../support/server-process.js'
import type { ServerProcess } from '../support/server-process.js'

/** A process whose only action records a value with a recursive function that never ends. */
const NEVER_ENDING = `id: never-ending
version: 1
title: Never ending
roles: [customer, isv]
steps:
  - id: deliver
    title: Deliver
    actor: isv
    actions:
      finish:
        end: completed
        record:
          forever: "($f := function($x){ $f($x) }; $f(1))"
`

const running: ServerProcess[] = []
const databases: TestDatabase[] = []
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.child.kill('SIGKILL')
    await server.exited
  }
  for (const database of databases.splice(0)) await database.drop()
})

describe('an expression that never ends, on a real server', () => {
  it('is cut off: each act is answered 422 expression.failed while /healthz keeps answering', { timeout: 120_000 }, async () => {
    const db = await registeredDatabase('dc-expr-')
    databases.push(db)
    const [admin, isv] = await tokensFor(db.location, ['admin', 'a-1'], ['isv', 'v-1'])
    const server = await startServer(db)
    running.push(server)
    const send = (token: string, method: string, path: string, body: string, type = 'application/json'): Promise<Response> =>
      fetch(`${server.url}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': type }, body })

    expect((await send(admin, 'PUT', '/v1/processes/never-ending', NEVER_ENDING, 'application/yaml')).status).toBe(201)
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const started = await send(admin, 'POST', '/v1/instances', JSON.stringify({ process: 'never-ending', parties: { customer: 'c-1', isv: 'v-1' } }))
      ids.push((await started.json() as { id: string }).id)
    }

    // Acts one after another, and meanwhile health checks one after another: before the cut-off,
    // the first act blocked the event loop for good and no health check was ever answered.
    let acting = true
    const acts = (async () => {
      const answers: Array<{ status: number; type: string | null; body: Record<string, unknown> }> = []
      try {
        for (const id of ids) {
          const response = await send(isv, 'POST', `/v1/instances/${id}/act`, JSON.stringify({ action: 'finish' }))
          answers.push({ status: response.status, type: response.headers.get('content-type'), body: await response.json() as Record<string, unknown> })
        }
      } finally {
        acting = false
      }
      return answers
    })()
    const checks = (async () => {
      const statuses: number[] = []
      do {
        statuses.push((await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(30_000) })).status)
      } while (acting)
      return statuses
    })()

    const answers = await acts
    expect(answers).toHaveLength(ids.length)
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 422, body: { code: 'expression.failed', status: 422 } })
      expect(answer.type).toMatch(/^application\/problem\+json/)
      expect(answer.body['detail']).toContain('/steps/0/actions/finish/record/forever (line 13, column 20)')
      expect(answer.body['detail']).toContain('cut off')
    }
    const statuses = await checks
    expect(statuses.length).toBeGreaterThan(0)
    expect(statuses.every((status) => status === 200)).toBe(true)

    // Refused, so nothing changed: the instance is still waiting in its first step.
    const view = await fetch(`${server.url}/v1/instances/${ids[0] ?? ''}`, { headers: { Authorization: `Bearer ${admin}` } })
    expect(await view.json()).toMatchObject({ status: 'active', step: { id: 'deliver' }, revision: 1 })
  })
})
