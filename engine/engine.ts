import { v7 as timeOrderedUuid } from 'uuid'
import type { Clock } from './clock.js'
import type { CompiledProcess } from './definition/compiled.js'
import { EngineError } from './errors.js'
import type { FieldProblem } from './errors.js'
import { FireFailure } from './fire-failure.js'
import { maySee } from './runtime/authorize.js'
import type { AttachmentFacts, Command } from './runtime/commands.js'
import { decide } from './runtime/decide.js'
import type { Decision } from './runtime/decision.js'
import type { InstanceState, Principal } from './runtime/state.js'

import { iso } from './runtime/time.js'
import type { InstanceView } from './runtime/view.js'
import { submissionsOf, viewInstance } from './runtime/view.js'
import type { Submissions } from './runtime/view.js'
import type { ClaimedOutcome, DueCursor, EventRecord, InstanceQuery, StoredInstance } from './store/instance-repository.js'
import type { Store } from './store/store.js'
import { ProcessCatalog } from './process-catalog.js'
import { optional } from './optional.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { isListOrder, LIST_ORDERS, pageSize, startedBound } from './list-filters.js'
import type { AttachmentRow } from './store/attachment-repository.js'
import type { ActRequest, AttachmentRecord, ListFilter, StartRequest, WriteOptions } from './engine-requests.js'

export interface EngineOptions {
  readonly store: Store
  readonly clock: Clock
  /**
   * How many attempts in a row at firing an instance's due deadline may fail (its definition's
   * fault, such as an expression that fails at run time) before the instance is marked `failed`
   * and left for an administrator; an integer from 1, default {@link DEFAULT_FAIL_AFTER}.
   */
  readonly fireAttempts?: number
}

/** Failed attempts in a row at firing a due deadline after which its instance is marked failed. */
export const DEFAULT_FAIL_AFTER = 3

/** Attempts at a deadline whose instance keeps changing under it before it is left to the next round. */
const FIRE_ATTEMPTS = 5
const DUE_BATCH = 500
/** Failed attempts at firing counted at once at the end of a round. */
const COUNT_BATCH = 100
/** Stands for "could not be fired" where a count of fired deadlines is expected. */
const FAILED = -1

/**
 * The engine: loads an instance, lets the pure `decide` rule on a command, and stores the
 * outcome atomically with a revision check. Rejections are thrown as {@link EngineError}s with
 * stable codes and leave the database unchanged.
 */
export class Engine {
  readonly #store: Store
  readonly #clock: Clock
  readonly #failAfter: number
  /** The registered process definitions, compiled once per version. */
  readonly processes: ProcessCatalog

  constructor({ store, clock, fireAttempts = DEFAULT_FAIL_AFTER }: EngineOptions) {
    if (!Number.isInteger(fireAttempts) || fireAttempts < 1) throw new RangeError(`fireAttempts must be an integer from 1 (got ${fireAttempts}).`)
    this.#store = store
    this.#clock = clock
    this.#failAfter = fireAttempts
    this.processes = new ProcessCatalog(store.processes, clock)
  }

  get clock(): Clock {
    return this.#clock
  }

  /** Metadata of an attachment `by` may download: its own upload, or one attached to an instance `by` may see. */
  async attachment(id: string, by: Principal): Promise<AttachmentRow> {
    const row = await this.#store.attachments.find(id)
    const own = row && row.uploaded_by_role === by.role && row.uploaded_by_subject === by.subject
    const viaInstance = row?.instance_id ? await this.#store.instances.find(row.instance_id) : undefined
    if (!row || !(own || by.role === 'admin' || (viaInstance && maySee(viaInstance.state, by)))) {
      throw new EngineError('attachment.not-found', `There is no attachment "${id}" that you may see.`)
    }
    return row
  }

  /** Starts an instance of a process (admins and the system only). */
  async start(request: StartRequest, by: Principal, options: WriteOptions = {}): Promise<InstanceView> {
    const { process, owner } = await this.processes.resolve(request.process, request.version)
    if (owner !== null && request.parties['isv'] !== owner) {
      throw new EngineError('input.invalid', `Process "${process.id}" is private to ISV "${owner}".`, {
        fields: [{ pointer: '/parties/isv', rule: 'const', message: `must be "${owner}", the ISV this private process belongs to` }],
      })
    }
    // Time-ordered: new instances, their events and their party rows go to the ends of their
    // indexes, so a burst of new deliveries writes a few hot pages instead of one random page each.
    const id = request.id ?? timeOrderedUuid()
    const existing = await this.#store.instances.find(id)
    const command: Command = { type: 'start', instanceId: id, by, parties: request.parties, ...optional('parameters', request.parameters), ...optional('context', request.context) }
    const decision = accepted(await decide(process, existing?.state, command, this.#clock.now()))
    const view = viewInstance(process, decision.state, by)
    try {
      await this.#store.instances.create(decision.state, decision.events, { waitingRoles: waitingRoles(process, decision.state), attachmentIds: [], receipt: options.receipt?.(view) })
    } catch (error) {
      // Another request started an instance with this id between the check and the insert.
      if (!(error instanceof EngineError) && await this.#store.instances.find(id)) throw new EngineError('instance.exists', `Instance "${id}" already exists.`)
      throw error
    }
    return view
  }

  /** Performs an action of the current step as `by`. */
  async act(id: string, request: ActRequest, by: Principal, options: WriteOptions = {}): Promise<InstanceView> {
    const stored = await this.#visible(id, by)
    const process = await this.processes.get(stored.state.processId, stored.state.processVersion)
    const attachments = await this.#attachmentFacts(request.attachments ?? {})
    const command: Command = {
      type: 'act', by, action: request.action, ...optional('step', request.step), ...optional('inputs', request.inputs),
      attachments, ...optional('expectedRevision', request.expectedRevision),
    }
    const decision = accepted(await decide(process, stored.state, command, this.#clock.now()))
    const view = viewInstance(process, decision.state, by)
    await this.#store.instances.append(stored, decision.state, decision.events, {
      waitingRoles: waitingRoles(process, decision.state),
      attachmentIds: Object.values(attachments).flat().map((a) => a.id),
      receipt: options.receipt?.(view),
    })
    return view
  }

  /** Ends an instance in progress (admins only), recording the reason. */
  async terminate(id: string, reason: string, by: Principal, expectedRevision?: number, options: WriteOptions = {}): Promise<InstanceView> {
    const stored = await this.#visible(id, by)
    const process = await this.processes.get(stored.state.processId, stored.state.processVersion)
    const command: Command = { type: 'terminate', by, reason, ...optional('expectedRevision', expectedRevision) }
    const decision = accepted(await decide(process, stored.state, command, this.#clock.now()))
    const view = viewInstance(process, decision.state, by)
    await this.#store.instances.append(stored, decision.state, decision.events, { waitingRoles: [], attachmentIds: [], receipt: options.receipt?.(view) })
    return view
  }

  /**
   * Puts a failed instance back to active and fires its due deadlines at once (admins only). If
   * firing them fails again, the retry is refused as the firing was (`expression.failed`, say) and
   * nothing changes; on success the count of failed attempts starts again from zero.
   */
  async retry(id: string, by: Principal, expectedRevision?: number, options: WriteOptions = {}): Promise<InstanceView> {
    const stored = await this.#visible(id, by)
    const process = await this.processes.get(stored.state.processId, stored.state.processVersion)
    const command: Command = { type: 'retry', by, ...optional('expectedRevision', expectedRevision) }
    const decision = accepted(await decide(process, stored.state, command, this.#clock.now()))
    const view = viewInstance(process, decision.state, by)
    await this.#store.instances.append(stored, decision.state, decision.events, { waitingRoles: waitingRoles(process, decision.state), attachmentIds: [], receipt: options.receipt?.(view) })
    return view
  }

  /**
   * Fires every deadline due at the clock's "now", the most overdue first, each exactly once, as
   * the system. Due instances are claimed in batches, each decided and written in one
   * transaction; claims are exclusive, so several processes may advance at once. Each batch
   * starts where the previous one ended, so instances that cannot be fired (reported in
   * `failed`) never hold up those after them. An instance whose firing fails (its decision, not
   * the database) `fireAttempts` rounds in a row is marked failed and no longer claimed.
   */
  async advance(): Promise<{ fired: number; instances: number; failed: string[] }> {
    const now = this.#clock.now()
    let fired = 0
    let instances = 0
    const failed: string[] = []
    // Why deciding to fire an instance failed this round, counted once the round is over.
    const failures = new Map<string, FireFailure>()
    const failedWith = (id: string) => (error: unknown): number => {
      if (error instanceof FireFailure) failures.set(id, error)
      return FAILED
    }
    // Changed by another writer between the claim's read and its write: fired again at the end.
    const changed: string[] = []
    const count = (id: string, outcome: number): void => {
      if (outcome > 0) {
        fired += outcome
        instances++
      } else if (outcome === FAILED) {
        failed.push(id)
      }
    }
    // Compiled before claiming: a claim holds its connection (and on PostgreSQL its row locks)
    // while it decides, and must not wait for another connection to load a definition.
    // One that cannot be compiled fails its own instances below, not the round.
    for (const { id, version } of await this.#store.instances.dueVersions(iso(now))) await this.processes.get(id, version).catch(() => undefined)
    let after: DueCursor | undefined
    for (;;) {
      const outcomes = new Map<string, number>()
      const { claimed, written, end, failure } = await this.#store.instances.claimDue(iso(now), DUE_BATCH, after, (stored) => this.#fireOutcome(stored, { cachedOnly: true }).then(
        (outcome) => {
          outcomes.set(stored.state.id, outcome?.fired ?? 0)
          return outcome
        },
        (error: unknown) => {
          outcomes.set(stored.state.id, failedWith(stored.state.id)(error))
          return undefined
        },
      ))
      if (claimed.length === 0) break
      after = end
      for (const id of claimed) {
        const outcome = outcomes.get(id) ?? FAILED
        if (written.has(id) || (outcome <= 0 && failure === undefined)) count(id, outcome)
        // Not written although the batch was: changed since it was read.
        else if (failure === undefined) changed.push(id)
        // The batch could not be written: the rest of it is fired one at a time, so that one
        // that cannot be fired never holds up the others.
        else count(id, await this.#fire(id).catch(failedWith(id)))
      }
    }
    for (const id of changed) count(id, await this.#fire(id).catch(failedWith(id)))
    // Outside the claims, one small write each, a batch at a time so they share commits. One that
    // cannot be written (the database is unavailable, say) leaves the attempt uncounted, and the
    // next round tries again.
    const counts = [...failures]
    for (let i = 0; i < counts.length; i += COUNT_BATCH) {
      await Promise.all(counts.slice(i, i + COUNT_BATCH).map(([id, failure]) => this.#countFailure(id, failure).catch(() => undefined)))
    }
    return { fired, instances, failed }
  }

  /** Fires the due deadlines of one instance (admins and the system). */
  async advanceInstance(id: string, by: Principal): Promise<InstanceView> {
    if (by.role !== 'admin' && by.role !== 'system') {
      throw new EngineError('actor.forbidden', 'Only an administrator or the system may fire deadlines.')
    }
    await this.#visible(id, by)
    // Answered with what firing ran into, as if it had been thrown directly.
    await this.#fire(id).catch((error: unknown) => { throw error instanceof FireFailure ? error.cause : error })
    return this.get(id, by)
  }

  /** The instance as `by` sees it. Strangers are told it does not exist. */
  async get(id: string, by: Principal): Promise<InstanceView & { submissions: Submissions }> {
    const stored = await this.#visible(id, by)
    const view = viewInstance(await this.processes.get(stored.state.processId, stored.state.processVersion), stored.state, by)
    return { ...view, submissions: submissionsOf((await this.#store.instances.history(id)).map((r) => r.event)) }
  }

  /** The instance's history, for its parties and admins. */
  async history(id: string, by: Principal): Promise<EventRecord[]> {
    await this.#visible(id, by)
    return this.#store.instances.history(id)
  }

  /**
   * Instances `by` may see, filtered; a customer or ISV sees only its own.
   * @throws {EngineError} `request.invalid` at `/limit`, `/order`, `/startedFrom`, `/startedTo` or `/cursor` for a filter that is wrong.
   */
  async list(filter: ListFilter, by: Principal): Promise<{ items: InstanceView[]; next: string | undefined }> {
    const limit = pageSize(filter.limit)
    const privileged = by.role === 'admin' || by.role === 'system'
    const party = privileged ? filter.party : { role: by.role, subject: by.subject }
    const order = filter.order ?? 'oldest'
    if (!isListOrder(order)) throw new EngineError('request.invalid', `There is no order "${String(order)}".`, { fields: [{ pointer: '/order', rule: 'enum', message: `must be one of ${LIST_ORDERS.join(', ')}` }] })
    const query: InstanceQuery = {
      limit, order,
      ...optional('processId', filter.process), ...optional('status', filter.status), ...optional('step', filter.step),
      ...optional('party', party), ...optional('waiting', filter.waitingOnMe && !privileged ? true : undefined),
      ...optional('orderId', filter.orderId),
      ...optional('startedFrom', startedBound('startedFrom', filter.startedFrom)), ...optional('startedTo', startedBound('startedTo', filter.startedTo)),
      ...optional('after', filter.cursor === undefined ? undefined : decodeCursor(filter.cursor, order)),
    }
    const rows = await this.#store.instances.list(query)
    const items: InstanceView[] = []
    for (const { state } of rows) items.push(viewInstance(await this.processes.get(state.processId, state.processVersion), state, by))
    const last = rows.at(-1)
    return { items, next: rows.length === limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.state.id, order }) : undefined }
  }

  /** Records the metadata of a file whose bytes are already stored. */
  async recordAttachment(record: AttachmentRecord, by: Principal): Promise<void> {
    await this.#store.attachments.insert({
      id: record.id, uploaded_by_role: by.role, uploaded_by_subject: by.subject, instance_id: null,
      file_name: record.fileName, size: record.size, sha256: record.sha256, type: record.type,
      media_type: record.mediaType, storage_key: record.storageKey, created_at: iso(this.#clock.now()),
    })
  }

  async #visible(id: string, by: Principal): Promise<StoredInstance> {
    const stored = await this.#store.instances.find(id)
    if (!stored || !maySee(stored.state, by)) throw new EngineError('instance.not-found', `There is no instance "${id}" that you may see.`)
    return stored
  }

  /** Fires the due deadlines of one instance, retrying when it changes under it; returns how many fired. */
  async #fire(id: string): Promise<number> {
    for (let attempt = 0; attempt < FIRE_ATTEMPTS; attempt++) {
      const stored = await this.#store.instances.find(id)
      if (!stored) return 0
      const outcome = await this.#fireOutcome(stored)
      if (!outcome) return 0
      try {
        await this.#store.instances.append(stored, outcome.state, outcome.events, { waitingRoles: outcome.waitingRoles, attachmentIds: [] })
        return outcome.fired
      } catch (error) {
        if (!(error instanceof EngineError && error.code === 'conflict.stale')) throw error
      }
    }
    return 0
  }

  /**
   * What firing the due deadlines of `stored` makes of it, with how many timeouts fired; undefined
   * when nothing is due. Inside a claim (`cachedOnly`) it never reads the database: a definition
   * not compiled beforehand fails the instance, to be fired by the next round.
   */
  async #fireOutcome(stored: StoredInstance, { cachedOnly = false } = {}): Promise<(ClaimedOutcome & { fired: number }) | undefined> {
    const { processId, processVersion } = stored.state
    const process = cachedOnly ? this.processes.cached(processId, processVersion) : await this.processes.get(processId, processVersion)
    if (!process) throw new EngineError('process.not-found', `Process "${processId}" version ${processVersion} is not compiled yet.`)
    let decision: Extract<Decision, { ok: true }>
    try {
      decision = accepted(await decide(process, stored.state, { type: 'fire-due' }, this.#clock.now()))
    } catch (error) {
      throw new FireFailure(error, stored.state.revision)
    }
    if (decision.events.length === 0) return undefined
    return {
      state: decision.state, events: decision.events, waitingRoles: waitingRoles(process, decision.state),
      fired: decision.events.filter((e) => e.type === 'window-expired' || (e.type === 'action-performed' && e.trigger === 'timeout')).length,
    }
  }

  /**
   * Counts a failed attempt at firing `id`'s due deadline; the `fireAttempts`-th in a row marks
   * the instance failed (the pure `fail` decision), so no round claims it again. An attempt made
   * on a revision the instance has since left is not counted: it was not the latest.
   */
  async #countFailure(id: string, failure: FireFailure): Promise<void> {
    const found = await this.#store.instances.findWithFireFailures(id)
    if (!found || found.stored.state.revision !== failure.revision) return
    const { stored, failures } = found
    const attempts = failures + 1
    if (attempts < this.#failAfter) {
      await this.#store.instances.countFireFailure(stored, failures)
      return
    }
    const process = await this.processes.get(stored.state.processId, stored.state.processVersion)
    const command: Command = { type: 'fail', code: failure.code, message: failure.message, attempts }
    const decision = accepted(await decide(process, stored.state, command, this.#clock.now()))
    await this.#store.instances.append(stored, decision.state, decision.events, { waitingRoles: [], attachmentIds: [] })
  }

  async #attachmentFacts(refs: Readonly<Record<string, readonly string[]>>): Promise<Record<string, AttachmentFacts[]>> {
    const ids = Object.values(refs).flat()
    const rows = new Map((await this.#store.attachments.findMany(ids)).map((row) => [row.id, row]))
    const missing: FieldProblem[] = []
    const facts: Record<string, AttachmentFacts[]> = {}
    for (const [slot, slotIds] of Object.entries(refs)) {
      facts[slot] = slotIds.flatMap((id, index) => {
        const row = rows.get(id)
        if (!row) {
          missing.push({ pointer: `/attachments/${slot}/${index}`, rule: 'not-found', message: `attachment "${id}" does not exist or is not yours to attach` })
          return []
        }
        return [{
          id, type: row.type ?? undefined, size: row.size, instanceId: row.instance_id ?? undefined,
          uploadedBy: { role: row.uploaded_by_role, subject: row.uploaded_by_subject },
        }]
      })
    }
    if (missing.length > 0) throw new EngineError('attachment.not-found', 'Some attachments do not exist.', { fields: missing })
    return facts
  }
}

/** The accepted decision, or the rejection thrown as an {@link EngineError}. */
function accepted(decision: Decision): Extract<Decision, { ok: true }> {
  if (!decision.ok) {
    const { code, message, problems } = decision.rejection
    throw new EngineError(code, message, problems ? { fields: problems } : {})
  }
  return decision
}

/** The party roles the current step waits on. */
function waitingRoles(process: CompiledProcess, state: InstanceState): string[] {
  // A failed instance keeps its step, but waits on an administrator, not on its parties.
  if (state.status !== 'active') return []
  const step = state.step === undefined ? undefined : process.steps.get(state.step)
  return step ? step.actors.filter((role) => role in state.parties) : []
}

