import type { Clock } from './clock.js'
import { Attachments } from './attachments.js'
import { Deadlines, DEFAULT_FAIL_AFTER } from './deadlines.js'
import type { DefinitionChecker } from './definition-check.js'
import { Events } from './events.js'
import { Instances } from './instances.js'
import { ProcessCatalog } from './process-catalog.js'
import { Proposals } from './proposals.js'
import type { Store } from './store/store.js'

export interface EngineOptions {
  readonly store: Store
  readonly clock: Clock
  /**
   * How many attempts in a row at firing an instance's due deadline may fail (its definition's
   * fault, such as an expression that fails at run time) before the instance is marked `failed`
   * and left for an administrator; an integer from 1, default {@link DEFAULT_FAIL_AFTER}.
   */
  readonly fireAttempts?: number
  /**
   * Where checks of definitions not registered run (`processes.check`, proposals): on the event
   * loop by default; a server gives `threadedChecker()`.
   */
  readonly checker?: DefinitionChecker
}

/**
 * The engine's public surface, one part per concern: `processes` (the catalog of definitions),
 * `instances` (commands and reads of deliveries), `deadlines` (firing what is due),
 * `attachments` (records of uploaded files), `events` (the feed of public events) and
 * `proposals` (customised procedures proposed by parties for administrators to review). Every
 * command and read takes the principal it is made by, and is refused with an
 * {@link EngineError} when that principal may not.
 */
export class Engine {
  readonly clock: Clock
  readonly processes: ProcessCatalog
  readonly instances: Instances
  readonly deadlines: Deadlines
  readonly attachments: Attachments
  readonly events: Events
  readonly proposals: Proposals

  constructor({ store, clock, fireAttempts = DEFAULT_FAIL_AFTER, checker }: EngineOptions) {
    if (!Number.isInteger(fireAttempts) || fireAttempts < 1) throw new RangeError(`fireAttempts must be an integer from 1 (got ${fireAttempts}).`)
    this.clock = clock
    this.processes = new ProcessCatalog(store.processes, clock, checker)
    this.instances = new Instances(store.instances, store.attachments, this.processes, clock)
    this.deadlines = new Deadlines(store.claims, this.processes, clock, fireAttempts)
    this.attachments = new Attachments(store.attachments, store.instances, clock)
    this.events = new Events(store.events, store.instances, this.processes, store.keys)
    this.proposals = new Proposals(store.proposals, this.processes, clock)
  }
}
