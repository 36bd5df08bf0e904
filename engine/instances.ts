import { v7 as timeOrderedUuid } from 'uuid'
import type { Clock } from './clock.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import type { ActRequest, ListFilter, RetryRequest, StartRequest, TerminateRequest, WriteOptions } from './engine-requests.js'
import { EngineError, rejectionError } from './errors.js'
import { isListOrder, LIST_ORDERS, pageSize, startedBound } from './list-filters.js'
import { OneAtATime } from './one-at-a-time.js'
import { optional } from './optional.js'
import type { ProcessCatalog } from './process-catalog.js'
import { chosenIdRefusal, forbidden, may, mayCheckValidity, maySee, mayStart, ownerProblem, starterParties } from './runtime/authorize.js'
import type { AttachmentFacts, Command, ImageFacts, PartyStarts } from './runtime/commands.js'
import { decide } from './runtime/decide.js'
import type { Decision } from './runtime/decision.js'
import { INSTANCE_ID_TAKEN } from './runtime/decision.js'
import type { Principal } from './runtime/state.js'
import type { InstanceView, Submissions } from './runtime/view.js'
import { submissionsOf, viewInstance } from './runtime/view.js'
import { heldValues, sameHeldValues } from './runtime/unique.js'
import { waitingChange } from './runtime/waiting.js'
import { publicEventRefs } from './runtime/public-events.js'
import { instant, iso } from './runtime/time.js'
import { validityAt } from './runtime/validity.js'
import type { ValidityView } from './runtime/validity.js'
import type { CompiledProcess } from './definition/compiled.js'
import { ExpressionFailure } from './definition/expression.js'
import type { AttachmentRepository } from './store/attachment-repository.js'
import type { EventRecord, InstanceQuery, InstanceRepository, StoredInstance } from './store/instance-repository.js'

/**
 * Instances: loads one, lets the pure `decide` rule on a command, and stores the outcome
 * atomically with a revision check; and the reads of instances. Rejections are thrown as
 * {@link EngineError}s with stable codes and leave the database unchanged.
 */
export class Instances {
  readonly #rows: InstanceRepository
  readonly #attachments: AttachmentRepository
  readonly #catalog: ProcessCatalog
  readonly #clock: Clock
  /** Each party's starts of each process, counted and written one at a time on this server. */
  readonly #partyStarts = new OneAtATime()

  constructor(rows: InstanceRepository, attachments: AttachmentRepository, catalog: ProcessCatalog, clock: Clock) {
    this.#rows = rows
    this.#attachments = attachments
    this.#catalog = catalog
    this.#clock = clock
  }

  /** Starts an instance of a process (admins and the system, and the roles the process names in `startedBy`). */
  async start(request: StartRequest, by: Principal, options: WriteOptions = {}): Promise<InstanceView> {
    const { process, owner } = await this.#catalog.resolveFor(by, request.process, request.version).catch(async (error: unknown) => {
      throw await this.#unknownProcess(error, request, by)
    })
    const idRefused = request.id === undefined ? undefined : chosenIdRefusal(by)
    if (idRefused) throw rejectionError(idRefused)
    // A party starting its own delivery fills its role (see starterParties); decide checks the rest.
    const starter = starterParties(process, request.parties, by)
    const problem = ownerProblem(owner, 'parties' in starter ? starter.parties : request.parties)
    if (problem && owner) throw new EngineError('input.invalid', `Process "${process.id}" is private to ${owner.role} "${owner.subject}".`, { fields: [problem] })
    // Time-ordered: new instances, their events and their party rows go to the ends of their
    // indexes, so a burst of new deliveries writes a few hot pages instead of one random page each.
    const id = request.id ?? timeOrderedUuid()
    // A party starting its own delivery starts a bounded number an hour (see partyStartRefusal):
    // its starts are counted and written one at a time on this server.
    if (!may(by, 'start') && mayStart(process, by)) {
      return this.#partyStarts.run(`${by.role}:${by.subject}:${process.id}`, async () => {
        const recent = await this.#rows.startsWithParty(by, process.id, iso(this.#clock.now().subtract({ hours: 1 })))
        return this.#create(process, id, { ...request, partyStarts: recent }, by, options)
      })
    }
    return this.#create(process, id, request, by, options)
  }

  /** Decides a start and writes the new instance. */
  async #create(process: CompiledProcess, id: string, request: StartRequest & { partyStarts?: PartyStarts }, by: Principal, options: WriteOptions): Promise<InstanceView> {
    const existing = await this.#rows.find(id)
    const now = this.#clock.now()
    const command: Command = {
      type: 'start', instanceId: id, by, parties: request.parties,
      ...optional('parameters', request.parameters), ...optional('context', request.context), ...optional('partyStarts', request.partyStarts),
    }
    const decision = accepted(await decide(process, existing?.state, command, now))
    const view = viewInstance(process, decision.state, by)
    const outbox = { events: publicEventRefs(decision.state, decision.events, 0), recordedAt: iso(now) }
    try {
      const held = heldValues(process, decision.state)
      await this.#rows.create(decision.state, decision.events, { waiting: waitingChange(process, undefined, decision.state), attachmentIds: [], receipt: options.receipt?.(view), outbox, ...(held.length > 0 ? { held } : {}) })
    } catch (error) {
      // Another request started an instance with this id between the check and the insert.
      if (!(error instanceof EngineError) && await this.#rows.find(id)) throw new EngineError('instance.exists', `Instance "${id}" already exists.`, { fields: [INSTANCE_ID_TAKEN] })
      throw error
    }
    return view
  }

  /** Performs an action of the current step as `by`. */
  async act(id: string, request: ActRequest, by: Principal, options: WriteOptions = {}): Promise<InstanceView> {
    const stored = await this.#visible(id, by)
    const attachments = await this.#attachmentFacts(request.attachments ?? {})
    return this.#command(stored, by, options, {
      type: 'act', by, action: request.action, ...optional('step', request.step), ...optional('inputs', request.inputs),
      attachments, ...optional('expectedRevision', request.expectedRevision),
    }, Object.values(attachments).flat().map((a) => a.id))
  }

  /** Ends an instance in progress (admins only), recording the reason. */
  async terminate(id: string, request: TerminateRequest, by: Principal, options: WriteOptions = {}): Promise<InstanceView> {
    return this.#command(await this.#visible(id, by), by, options, { type: 'terminate', by, reason: request.reason, ...optional('expectedRevision', request.expectedRevision) })
  }

  /**
   * Puts a failed instance back to active and fires its due deadlines at once (admins only). If
   * firing them fails again, the retry is refused as the firing was (`expression.failed`, say) and
   * nothing changes; on success the count of failed attempts starts again from zero.
   */
  async retry(id: string, request: RetryRequest, by: Principal, options: WriteOptions = {}): Promise<InstanceView> {
    return this.#command(await this.#visible(id, by), by, options, { type: 'retry', by, ...optional('expectedRevision', request.expectedRevision) })
  }

  /** How many deliveries of a process are active, per version (for those who see every delivery). */
  async activeByVersion(processId: string, by: Principal): Promise<Map<number, number>> {
    if (!may(by, 'see-all')) {
      const { code, message } = forbidden(by, 'see-all')
      throw new EngineError(code, message)
    }
    return this.#rows.activeByVersion(processId)
  }

  /** The instance as `by` sees it. Strangers are told it does not exist. */
  async get(id: string, by: Principal): Promise<InstanceView & { submissions: Submissions }> {
    const stored = await this.#visible(id, by)
    const view = viewInstance(await this.#catalog.get(stored.state.processId, stored.state.processVersion), stored.state, by)
    return { ...view, submissions: submissionsOf((await this.#rows.history(id)).map((r) => r.event)) }
  }

  /**
   * Whether the instance entitles its customer at `at` (an instant in the stored form; default
   * now): the period its process declares (`validity`), for its parties, administrators and the
   * system (the service sold checks its own licence, as with CheckOutLicense).
   * @throws {EngineError} `instance.not-found`, for anyone else too (as every read of an instance
   * one may not see); `expression.failed` when a bound of the period fails.
   */
  async validity(id: string, by: Principal, at?: string): Promise<ValidityView> {
    const stored = await this.#rows.find(id)
    if (!stored || !mayCheckValidity(stored.state, by)) throw new EngineError('instance.not-found', `There is no instance "${id}" that you may see.`)
    const process = await this.#catalog.get(stored.state.processId, stored.state.processVersion)
    try {
      return await validityAt(process, stored.state, at === undefined ? this.#clock.now() : instant(at))
    } catch (error) {
      if (error instanceof ExpressionFailure) throw new EngineError('expression.failed', error.message)
      throw error
    }
  }

  /** The instance's history, for its parties and admins. */
  async history(id: string, by: Principal): Promise<EventRecord[]> {
    await this.#visible(id, by)
    return this.#rows.history(id)
  }

  /**
   * Instances `by` may see, filtered; a customer or ISV sees only its own.
   * @throws {EngineError} `request.invalid` at `/limit`, `/order`, `/startedFrom`, `/startedTo` or `/cursor` for a filter that is wrong,
   *   and at `/party` for a party other than `by` asked by a customer or an ISV.
   */
  async list(filter: ListFilter, by: Principal): Promise<{ items: InstanceView[]; next: string | undefined }> {
    const limit = pageSize(filter.limit)
    const seesAll = may(by, 'see-all')
    if (!seesAll && filter.party && (filter.party.role !== by.role || filter.party.subject !== by.subject)) {
      throw new EngineError('request.invalid', 'Only administrators and the system list the deliveries of another party.',
        { fields: [{ pointer: '/party', rule: 'const', message: `must be omitted, or name you (${by.role}:${by.subject}): your list holds your own deliveries only` }] })
    }
    const party = seesAll ? filter.party : { role: by.role, subject: by.subject }
    const order = filter.order ?? 'oldest'
    if (!isListOrder(order)) throw new EngineError('request.invalid', `There is no order "${String(order)}".`, { fields: [{ pointer: '/order', rule: 'enum', message: `must be one of ${LIST_ORDERS.join(', ')}` }] })
    const query: InstanceQuery = {
      limit, order,
      ...optional('processId', filter.process), ...optional('status', filter.status), ...optional('step', filter.step),
      ...optional('party', party), ...optional('waiting', filter.waitingOnMe && !seesAll ? true : undefined),
      ...optional('orderId', filter.orderId),
      ...optional('startedFrom', startedBound('startedFrom', filter.startedFrom)), ...optional('startedTo', startedBound('startedTo', filter.startedTo)),
      ...optional('after', filter.cursor === undefined ? undefined : decodeCursor(filter.cursor, order)),
    }
    const rows = await this.#rows.list(query)
    const items: InstanceView[] = []
    for (const { state } of rows) items.push(viewInstance(await this.#catalog.get(state.processId, state.processVersion), state, by))
    const last = rows.at(-1)
    return { items, next: rows.length === limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.state.id, order }) : undefined }
  }

  /** Decides `command` on `stored` (an instance `by` may see) and appends the outcome, binding `attachmentIds` to it. */
  async #command(stored: StoredInstance, by: Principal, options: WriteOptions, command: Command, attachmentIds: readonly string[] = []): Promise<InstanceView> {
    const process = await this.#catalog.get(stored.state.processId, stored.state.processVersion)
    const now = this.#clock.now()
    const decision = accepted(await decide(process, stored.state, command, now))
    const view = viewInstance(process, decision.state, by)
    const outbox = { events: publicEventRefs(decision.state, decision.events, stored.lastSeq), recordedAt: iso(now) }
    const held = heldValues(process, decision.state)
    const heldChanged = !sameHeldValues(heldValues(process, stored.state), held)
    await this.#rows.append(stored, decision.state, decision.events, {
      waiting: waitingChange(process, stored.state, decision.state), attachmentIds, receipt: options.receipt?.(view), outbox, ...(heldChanged ? { held } : {}),
    })
    return view
  }

  /**
   * `process.not-found` naming the start's field it is about: `/version` when `by` may start the
   * process but it has no such version, else `/process` (a private process of another is not
   * there for `by`, as one that does not exist). Any other error as it is.
   */
  async #unknownProcess(error: unknown, request: StartRequest, by: Principal): Promise<unknown> {
    if (!(error instanceof EngineError) || error.code !== 'process.not-found') return error
    const otherVersion = request.version !== undefined && await this.#catalog.resolveFor(by, request.process).then(() => true, () => false)
    const field = otherVersion
      ? { pointer: '/version', rule: 'exists', message: `must be a registered version of process "${request.process}"` }
      : { pointer: '/process', rule: 'exists', message: 'must be the id of a process you may start' }
    return new EngineError('process.not-found', error.message, { cause: error, fields: [field] })
  }

  async #visible(id: string, by: Principal): Promise<StoredInstance> {
    const stored = await this.#rows.find(id)
    if (!stored || !maySee(stored.state, by)) throw new EngineError('instance.not-found', `There is no instance "${id}" that you may see.`)
    return stored
  }

  /** What is known of the attachments an act names; one that does not exist is known by no one (see {@link AttachmentFacts}). */
  async #attachmentFacts(refs: Readonly<Record<string, readonly string[]>>): Promise<Record<string, AttachmentFacts[]>> {
    const ids = Object.values(refs).flat()
    const rows = new Map((await this.#attachments.findMany(ids)).map((row) => [row.id, row]))
    // Built from entries, so that a slot any request names (`__proto__` too) is a slot of its own, which the checks see.
    return Object.fromEntries(Object.entries(refs).map(([slot, slotIds]) => [slot, slotIds.map((id): AttachmentFacts => {
      const row = rows.get(id)
      if (!row) return { id, type: undefined, size: 0, instanceId: undefined, uploadedBy: undefined }
      return {
        id, type: row.type ?? undefined, size: row.size, instanceId: row.instance_id ?? undefined,
        uploadedBy: { role: row.uploaded_by_role, subject: row.uploaded_by_subject },
        ...optional('image', row.image === null ? undefined : JSON.parse(row.image) as ImageFacts),
      }
    })]))
  }
}

/** The accepted decision, or the rejection thrown as an {@link EngineError}. */
function accepted(decision: Decision): Extract<Decision, { ok: true }> {
  if (!decision.ok) throw rejectionError(decision.rejection)
  return decision
}
