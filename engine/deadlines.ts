import type { Temporal } from 'temporal-polyfill'
import type { Clock } from './clock.js'
import { EngineError } from './errors.js'
import type { ProcessCatalog } from './process-catalog.js'
import { forbidden, may } from './runtime/authorize.js'
import { decideFiring } from './runtime/firing.js'
import type { FiringFailure } from './runtime/firing.js'
import type { InstanceState, Principal } from './runtime/state.js'
import { iso } from './runtime/time.js'
import { waitingChange } from './runtime/waiting.js'
import { heldValues } from './runtime/unique.js'
import type { ClaimedInstance, ClaimWrite, DueClaim, DueClaims, DueCursor } from './store/due-claims.js'
import type { OutboxWrite } from './store/instance-writes.js'
import type { CompiledProcess } from './definition/compiled.js'
import type { Event } from './runtime/events.js'
import { publicEventRefs } from './runtime/public-events.js'

/** Failed attempts in a row at firing a due deadline after which its instance is marked failed. */
export const DEFAULT_FAIL_AFTER = 3

/** Instances claimed at once. */
const DUE_BATCH = 500
/**
 * The most batches written at once where claims lock their rows: the next batch is decided while
 * up to one fewer are written, so a round holds at most this many connections and one more.
 */
const BATCHES_WRITING = 3
/** Attempts at an instance that keeps changing under its claim before it is left to the next round. */
const CLAIM_ATTEMPTS = 5

/**
 * What became of one instance whose deadlines were to fire:
 * - `idle`: nothing was due (or the instance is gone);
 * - `fired`: its deadlines fired (`timeouts` of them) and were written;
 * - `failed`: deciding failed (see {@link decideFiring}; counted in a round) or its definition
 *   could not be compiled;
 * - `stale`: it changed under the claim, attempt after attempt: nothing written;
 * - `unwritten`: the write failed for the database's reasons (`error`): nothing written.
 */
export type FiringOutcome =
  | { readonly kind: 'idle' }
  | { readonly kind: 'fired'; readonly timeouts: number }
  | { readonly kind: 'failed'; readonly failure: FiringFailure }
  | { readonly kind: 'stale' }
  | { readonly kind: 'unwritten'; readonly error: unknown }

/** What a round fired: deadlines, the instances they were on, and the instances that could not be fired. */
export interface RoundReport {
  readonly fired: number
  readonly instances: number
  readonly failed: string[]
}

/**
 * The owner of deadlines: claims instances whose deadlines are due, decides what firing them
 * comes to (the pure {@link decideFiring}), and writes the outcome through the claim, for a whole
 * round or one instance, on one path.
 */
export class Deadlines {
  readonly #claims: DueClaims
  readonly #catalog: ProcessCatalog
  readonly #clock: Clock
  readonly #failAfter: number

  constructor(claims: DueClaims, catalog: ProcessCatalog, clock: Clock, failAfter: number) {
    this.#claims = claims
    this.#catalog = catalog
    this.#clock = clock
    this.#failAfter = failAfter
  }

  /**
   * Fires every deadline due at the clock's "now", the most overdue first, each exactly once, as
   * the system. Due instances are claimed in batches, each batch decided and written at once;
   * claims are exclusive, so several processes may advance at once. Each batch starts where the
   * previous one ended, so instances that cannot be fired (reported in `failed`) never hold up
   * those after them; those that changed under their claim, or whose batch could not be written,
   * are claimed again one at a time at the end. An instance whose firing fails (its decision, not
   * the database) in `fireAttempts` rounds in a row is marked failed and no longer claimed.
   */
  async advance(): Promise<RoundReport> {
    const now = this.#clock.now()
    // Compiled before claiming: a claim may hold its connection (and on PostgreSQL its row locks)
    // while it decides, and must not wait for another connection to load a definition. One that
    // cannot be compiled fails its own instances, not the round.
    for (const { id, version } of await this.#claims.dueVersions(iso(now))) await this.#catalog.get(id, version).catch(() => undefined)
    const report = { fired: 0, instances: 0, failed: [] as string[] }
    const record = (id: string, outcome: FiringOutcome): void => {
      if (outcome.kind === 'fired') {
        report.fired += outcome.timeouts
        report.instances++
      } else if (outcome.kind === 'failed' || outcome.kind === 'unwritten') {
        report.failed.push(id)
      }
    }
    // Where claims lock their rows, each batch holds a connection of its own. The next batch is
    // claimed while this one is decided, and this one is written while the next is decided, so
    // that the database and this process work at the same time. Each batch starts where the last
    // ended, so none overlap.
    const pipelined = this.#claims.pipelined
    const claimAfter = (after: DueCursor | undefined): Promise<DueClaim> => {
      const claim = this.#claims.due(iso(now), DUE_BATCH, after)
      // Awaited later; a failure meanwhile is thrown there, not left unhandled.
      claim.catch(() => undefined)
      return claim
    }
    // Each batch's outcomes, in claim order, whatever order their writes end in.
    const batches: Array<Map<string, FiringOutcome>> = []
    const writing: Array<Promise<void>> = []
    let next: Promise<DueClaim> | undefined = claimAfter(undefined)
    try {
      while (next) {
        const claim: DueClaim = await next
        next = undefined
        if (claim.instances.length === 0) {
          await claim.release()
          break
        }
        if (pipelined) next = claimAfter(claim.end)
        const batch = batches.length
        batches.push(new Map())
        const written = this.#write(claim, await this.#decide(claim, now, true)).then((outcomes) => { batches[batch] = outcomes })
        if (pipelined) {
          writing.push(written)
          if (writing.length >= BATCHES_WRITING) await writing.shift()
        } else {
          await written
          next = claimAfter(claim.end)
        }
      }
    } finally {
      // A claim's writes never reject; a round that failed lets go of the batch it claimed ahead.
      await Promise.all(writing)
      if (next) await next.then((claim) => claim.release()).catch(() => undefined)
    }
    const again: string[] = []
    for (const outcomes of batches) {
      for (const [id, outcome] of outcomes) {
        if (outcome.kind === 'stale' || outcome.kind === 'unwritten') again.push(id)
        else record(id, outcome)
      }
    }
    // One at a time, so that one that cannot be written never holds up the others.
    for (const id of again) record(id, await this.#fireOne(id, now, true))
    return report
  }

  /**
   * Fires the due deadlines of one instance (administrators and the system). A failure is the
   * answer, thrown as what firing ran into, and is not counted: only the scheduler's rounds count
   * attempts.
   */
  async advanceInstance(id: string, by: Principal): Promise<void> {
    if (!may(by, 'fire-deadlines')) {
      const { code, message } = forbidden(by, 'fire-deadlines')
      throw new EngineError(code, message)
    }
    if (!await this.#claims.processOf(id)) throw new EngineError('instance.not-found', `There is no instance "${id}".`)
    const outcome = await this.#fireOne(id, this.#clock.now(), false)
    if (outcome.kind === 'failed') throw new EngineError(outcome.failure.code, outcome.failure.message)
    if (outcome.kind === 'unwritten') throw outcome.error
  }

  /** Claims `id`, fires it and writes the outcome, claiming again while it changes under the claim. */
  async #fireOne(id: string, now: Temporal.Instant, count: boolean): Promise<FiringOutcome> {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      // Compiled before the claim, as in a round.
      const version = await this.#claims.processOf(id)
      if (!version) return { kind: 'idle' }
      try {
        await this.#catalog.get(version.id, version.version)
      } catch (error) {
        if (!(error instanceof EngineError)) throw error
        return { kind: 'failed', failure: { code: error.code, message: error.message } }
      }
      const claim = await this.#claims.one(id)
      const outcome = (await this.#settle(claim, now, count)).get(id) ?? { kind: 'idle' }
      if (outcome.kind !== 'stale') return outcome
    }
    return { kind: 'stale' }
  }

  /** Decides what each claimed instance becomes, and writes it through the claim. */
  async #settle(claim: DueClaim, now: Temporal.Instant, count: boolean): Promise<Map<string, FiringOutcome>> {
    return this.#write(claim, await this.#decide(claim, now, count))
  }

  /**
   * What each claimed instance becomes, and the writes that settle the claim: the fired
   * deadlines, or (`count`) a failed attempt counted, or the instance marked failed. Releases the
   * claim if deciding throws.
   */
  async #decide(claim: DueClaim, now: Temporal.Instant, count: boolean): Promise<Decided> {
    const decided = new Map<string, FiringOutcome>()
    const writes: ClaimWrite[] = []
    try {
      for (const claimed of claim.instances) {
        const { id, processId, processVersion } = claimed.state
        // Inside a claim, only definitions compiled beforehand: one that is not fails its instance.
        const process = this.#catalog.cached(processId, processVersion)
        if (!process) {
          decided.set(id, { kind: 'failed', failure: { code: 'process.not-found', message: `Process "${processId}" version ${processVersion} could not be compiled.` } })
          continue
        }
        const firing = await decideFiring(process, claimed.state, claimed.fireFailures, this.#failAfter, now)
        if (firing.kind === 'idle') {
          decided.set(id, firing)
        } else if (firing.kind === 'fired') {
          decided.set(id, { kind: 'fired', timeouts: firing.timeouts })
          // A timeout never records a unique value (the definition refuses it), so firing can only free them.
          const releaseHeld = heldValues(process, claimed.state).length > 0 && heldValues(process, firing.state).length === 0
          writes.push({ kind: 'append', claimed, state: firing.state, events: firing.events, waiting: waitingChange(process, claimed.state, firing.state), outbox: outboxOf(process, claimed, firing, now), ...(releaseHeld ? { releaseHeld } : {}) })
        } else {
          decided.set(id, { kind: 'failed', failure: firing.failure })
          if (!count) continue
          const { marked } = firing
          writes.push(marked ? { kind: 'append', claimed, state: marked.state, events: marked.events, waiting: waitingChange(process, claimed.state, marked.state), outbox: outboxOf(process, claimed, marked, now) } : { kind: 'count-failure', claimed })
        }
      }
    } catch (error) {
      await claim.release()
      throw error
    }
    return { decided, writes }
  }

  /** Settles the claim with what was decided. Never rejects, as settling never does. */
  async #write(claim: DueClaim, { decided, writes }: Decided): Promise<Map<string, FiringOutcome>> {
    const written = await claim.settle(writes)
    return new Map([...decided].map(([id, outcome]) => {
      const write = written.get(id)
      return [id, write === undefined || write.kind === 'written' ? outcome : write]
    }))
  }
}

/** What deciding a claim came to: each instance's outcome, and the writes that settle the claim. */
interface Decided {
  readonly decided: Map<string, FiringOutcome>
  readonly writes: readonly ClaimWrite[]
}

/** The public events of a decision on a claimed instance, written with it. */
function outboxOf(process: CompiledProcess, claimed: ClaimedInstance, decided: { readonly state: InstanceState; readonly events: readonly Event[] }, now: Temporal.Instant): OutboxWrite {
  return { events: publicEventRefs(decided.state, decided.events, claimed.lastSeq), recordedAt: iso(now) }
}
