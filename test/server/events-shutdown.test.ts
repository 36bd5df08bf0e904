import { afterAll, expect, it } from 'vitest'
import type { PublicEvent } from '../../engine/index.js'
import { registeredDatabase } from '../support/database.js'
import type { TestDatabase } from '../support/database.js'
import { startServer, tokensFor } from '../support/server-process.js'
import type { ServerProcess } from '../support/server-process.js'
import { openStream } from '../support/sse.js'

// Two `serve` processes on one database: a stream on one hears what the other commits (its
// reader polls the shared feed), and SIGTERM ends the streams, so the server stops at once and
// cleanly rather than waiting for them until its shutdown deadline.

const servers: ServerProcess[] = []
let database: TestDatabase | undefined
afterAll(async () => {
  for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL')
  await Promise.all(servers.map((server) => server.exited))
  await database?.drop()
})

it('streams what another server commits, and stops on SIGTERM without waiting for its open streams', { timeout: 60_000 }, async () => {
  database = await registeredDatabase('dc-events-')
  const [admin] = await tokensFor(database.location, ['admin', 'a-1'])
  const [writer, reader] = await Promise.all([startServer(database), startServer(database, '--shutdown-timeout', '30')])
  servers.push(writer, reader)
  const stream = await openStream(`${reader.url}/v1/events/stream`, { Authorization: `Bearer ${admin}` })
  expect(stream.response.status).toBe(200)

  const started = await fetch(`${writer.url}/v1/instances`, {
    method: 'POST', headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ process: 'basic', context: { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }, parties: { customer: 'c-1', isv: 'v-1' } }),
  })
  expect(started.status).toBe(201)
  const { id } = await started.json() as { id: string }
  const messages = await stream.until(2, 10_000)
  expect(messages.map((m) => [m.event, (JSON.parse(m.data) as PublicEvent).data.delivery?.id])).toEqual([['delivery.started', id], ['delivery.step-entered', id]])

  // A server that waited for its open streams would never exit: past the test's timeout.
  reader.child.kill('SIGTERM')
  expect(await reader.exited, reader.stderr()).toBe(0)
  await stream.ended
})
