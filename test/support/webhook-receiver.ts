import { createServer } from 'node:http'
import type { IncomingHttpHeaders, Server } from 'node:http'
import { Webhook } from 'standardwebhooks'
import type { PublicEvent } from '../../engine/index.js'

// A webhook receiver on loopback for the tests, and the signature check an integrator makes.

export interface Received {
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly event: PublicEvent
}

/** A receiver on 127.0.0.1 that records what it is sent and answers `answer()`'s status. */
export interface Receiver {
  readonly url: string
  readonly received: Received[]
  answer: () => number
  /** Milliseconds it waits before answering (0 by default): attempts stay in flight that long. */
  delayMs: number
  close(): Promise<void>
}

export async function openReceiver(): Promise<Receiver> {
  const received: Received[] = []
  const receiver: Receiver = { url: '', received, answer: () => 204, delayMs: 0, close: () => Promise.resolve() }
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      received.push({ headers: request.headers, body, event: JSON.parse(body) as PublicEvent })
      const status = receiver.answer()
      if (receiver.delayMs === 0) response.writeHead(status).end()
      else setTimeout(() => response.writeHead(status).end(), receiver.delayMs)
    })
  })
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    resolve(typeof address === 'object' && address ? address.port : 0)
  }))
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  })
}

/** Whether `secret` verifies what was received (the library checks the signature and the timestamp). */
export function verifies(secret: string, message: Received): boolean {
  try {
    new Webhook(secret).verify(message.body, {
      'webhook-id': String(message.headers['webhook-id']), 'webhook-timestamp': String(message.headers['webhook-timestamp']),
      'webhook-signature': String(message.headers['webhook-signature']),
    })
    return true
  } catch {
    return false
  }
}
