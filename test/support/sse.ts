/** One server-sent event as received. */
export interface SseMessage {
  readonly id: string | undefined
  readonly event: string | undefined
  readonly data: string
}

/** A text/event-stream response read as it arrives, over a real socket. */
export interface SseStream {
  readonly response: Response
  /** Every message received so far, in order (comments left out). */
  readonly messages: SseMessage[]
  /** How many comment lines (`: heartbeat`) were received. */
  comments: number
  /** Resolves once `count` messages have been received in all; rejects after `ms` (20 s: on PostgreSQL a loaded machine may take seconds to show a commit on the feed) with what came. */
  until(count: number, ms?: number): Promise<SseMessage[]>
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>
  /** Closes the stream from the client's side. */
  close(): void
}

/** Opens `url` with `headers` and reads it as server-sent events. */
export async function openStream(url: string, headers: Record<string, string>): Promise<SseStream> {
  const controller = new AbortController()
  const response = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: controller.signal })
  const messages: SseMessage[] = []
  const waiters = new Set<() => void>()
  const stream: SseStream = {
    response, messages, comments: 0,
    until: (count, ms = 20_000) => new Promise((resolve, reject) => {
      const check = (): void => {
        if (messages.length < count) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve(messages.slice(0, count))
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`expected ${count} messages within ${ms} ms, got ${messages.length}: ${messages.map((m) => m.event).join(', ')}`))
      }, ms)
      waiters.add(check)
      check()
    }),
    ended: Promise.resolve(),
    close: () => controller.abort(),
  }
  const read = async (): Promise<void> => {
    if (!response.body) return
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const lines = block.split('\n')
          if (lines.every((line) => line.startsWith(':'))) {
            stream.comments += 1
            continue
          }
          const field = (name: string): string[] => lines.filter((line) => line.startsWith(`${name}: `)).map((line) => line.slice(name.length + 2))
          messages.push({ id: field('id')[0], event: field('event')[0], data: field('data').join('\n') })
          for (const waiter of [...waiters]) waiter()
        }
      }
    } catch {
      // Aborted by the client.
    }
  }
  Object.assign(stream, { ended: read() })
  return stream
}
