import autocannon from 'autocannon'
import { DEMAND } from './deliveries.js'

/** The acts of a basic delivery over HTTP, in order: who sends each (a token key) and the body. */
const HTTP_ACTS: ReadonlyArray<{ readonly as: 'customer' | 'isv'; readonly body: string }> = [
  { as: 'customer', body: JSON.stringify({ action: 'submit', inputs: DEMAND }) },
  { as: 'isv', body: JSON.stringify({ action: 'finish' }) },
  { as: 'customer', body: JSON.stringify({ action: 'confirm' }) },
]

interface Pending {
  readonly id: string
  readonly act: number
}

/**
 * The instances waiting for their next act, first in first out. An instance re-enters the queue
 * (with its next act) only once its previous act was answered 2xx, so no request can overtake
 * the one before it for the same instance, and every request sent is a valid act.
 */
export class ActQueue {
  #items: Pending[]
  #head = 0
  #sent = 0
  /** Acts handed out and not answered 2xx yet. */
  readonly #unanswered = new Set<Pending>()
  readonly #cycle: boolean

  /** With `cycle`, a delivery starts over after its last act (for the echo route, which keeps no state). */
  constructor(ids: readonly string[], options: { cycle?: boolean } = {}) {
    this.#items = ids.map((id) => ({ id, act: 0 }))
    this.#cycle = options.cycle ?? false
  }

  /** The next instance and act, or undefined when every delivery is complete. */
  take(): Pending | undefined {
    const item = this.#items[this.#head]
    if (item === undefined) return undefined
    this.#head++
    if (this.#head > 100_000) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    this.#sent++
    this.#unanswered.add(item)
    return item
  }

  /** Queues the instance's following act, if it has one. */
  answered(item: Pending): void {
    this.#unanswered.delete(item)
    if (item.act + 1 < HTTP_ACTS.length) this.#items.push({ id: item.id, act: item.act + 1 })
    else if (this.#cycle) this.#items.push({ id: item.id, act: 0 })
  }

  /**
   * After a load run: the acts it left unanswered (in flight when it stopped, or refused) are
   * sent again by a later run when the queue cycles (its instances are acted on by one server
   * only, long after), and dropped otherwise (whether the server performed them is unknown).
   */
  settle(): void {
    if (this.#cycle) this.#items.push(...this.#unanswered)
    this.#unanswered.clear()
  }

  /** Acts handed out so far. */
  get sent(): number {
    return this.#sent
  }
}

/** What one load run measured. */
export interface LoadResult {
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
  readonly requests: number
  /** Responses that were not 2xx, connection errors and timeouts: all must be 0. */
  readonly failures: number
}

/**
 * Sends acts of basic deliveries from `queue` to `POST /v1/instances/{id}/act` on `port` with
 * autocannon for `seconds` (or `amount` requests, which takes precedence) over `connections`
 * connections; when `echo` is set, sends the same bodies and headers to `POST /echo` instead.
 * A request unanswered after `timeout` seconds (autocannon's default, 10, when not given) counts
 * as a failure.
 */
export async function loadActs(port: number, queue: ActQueue, tokens: Record<'customer' | 'isv', string>, options: { seconds: number; connections: number; echo?: boolean; amount?: number; timeout?: number }): Promise<LoadResult> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    duration: options.seconds,
    ...(options.amount === undefined ? {} : { amount: options.amount }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    pipelining: 1,
    requests: [{
      method: 'POST',
      setupRequest: (request, context) => {
        const item = queue.take()
        const state = context as { item?: Pending | undefined }
        state.item = item
        // Out of deliveries: an unknown instance answers 404, which fails the run loudly.
        const act = HTTP_ACTS[item?.act ?? 0] as (typeof HTTP_ACTS)[number]
        return {
          ...request,
          path: options.echo ? '/echo' : `/v1/instances/${item?.id ?? 'exhausted'}/act`,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[act.as]}` },
          body: act.body,
        }
      },
      onResponse: (status, _body, context) => {
        const { item } = context as { item?: Pending | undefined }
        if (item && status >= 200 && status < 300) queue.answered(item)
      },
    }],
  })
  queue.settle()
  return {
    perSecond: result.requests.total / ((result.finish.getTime() - result.start.getTime()) / 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  }
}
