import type { AddressInfo } from 'node:net'
import { afterEach, expect, it } from 'vitest'
import type { Server } from 'node:http'
import { reserve, serveOn } from '../../server/listen.js'

// How `serve` takes its address before it has anything to serve (server/main.ts).

const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve))
})

it('answers 503 server.not-ready, to try again in a second, until it serves; then serves every request, on connections already open too', async () => {
  const server = await reserve('127.0.0.1', 0)
  servers.push(server)
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const waiting = await fetch(`${url}/v1/instances?status=active`)
  expect(waiting.status).toBe(503)
  expect(waiting.headers.get('retry-after')).toBe('1')
  expect(waiting.headers.get('content-type')).toBe('application/problem+json')
  expect(await waiting.json()).toEqual({
    type: '/problems/server.not-ready', title: 'Server not ready', status: 503, code: 'server.not-ready',
    detail: 'The server is starting: try again in a moment.', instance: '/v1/instances',
  })
  serveOn(server, (request) => new Response(`served ${new URL(request.url).pathname}`), '127.0.0.1')
  const served = await fetch(`${url}/healthz`)
  expect({ status: served.status, text: await served.text() }).toEqual({ status: 200, text: 'served /healthz' })
})

it('refuses an address in use with one line naming it and the cause', async () => {
  const taken = await reserve('127.0.0.1', 0)
  servers.push(taken)
  const { port } = taken.address() as AddressInfo
  await expect(reserve('127.0.0.1', port)).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: the address is already in use (is another server running there? choose another with --port / PORT).`)
})
