import type { Generated } from 'kysely'

/**
 * Row types of the store, mirroring the tables the migrations create. Portable types only:
 * text, integer, instants as ISO 8601 UTC text with millisecond precision, JSON as text.
 */
export interface Database {
  process_definition: ProcessDefinitionTable
  instance: InstanceTable
  instance_party: InstancePartyTable
  waiting_party: WaitingPartyTable
  event: EventTable
  attachment: AttachmentTable
  api_token: ApiTokenTable
  idempotency_key: IdempotencyKeyTable
  console_link: ConsoleLinkTable
  console_session: ConsoleSessionTable
  public_event: PublicEventTable
  unique_value: UniqueValueTable
  process_proposal: ProcessProposalTable
  engine_key: EngineKeyTable
}

/** A key the engine made for itself (migration 0020): its name, and its bytes in base64url. */
export interface EngineKeyTable {
  name: string
  value: string
}

/** A proposal of a customised procedure (engine/runtime/proposals.ts): its state as JSON, with the columns it is found by. */
export interface ProcessProposalTable {
  id: string
  proposer_role: string
  proposer: string
  status: string
  /** The id of the process it would register. */
  process_id: string
  revision: number
  /** The ProposalState, JSON. */
  state: string
  /** The ProposalSummary (the state without its texts and history), JSON; null only before migration 0016 filled it in. */
  summary: string | null
  created_at: string
  updated_at: string
}

/** A value one instance of a process in progress holds, which no other may (a process's `unique`). */
export interface UniqueValueTable {
  process_id: string
  /** The recorded value's name. */
  name: string
  /** The value, as JSON. */
  value: string
  instance_id: string
}

/** A public event in the outbox (see engine/runtime/public-events.ts), in feed order by (tx, position). */
export interface PublicEventTable {
  position: Generated<number>
  /** The inserting transaction's id where transactions commit concurrently, else 0 (see OutboxOrder). */
  tx: number
  id: string
  type: string
  /** The delivery it is about; null for events of webhook endpoints. */
  instance_id: string | null
  process_id: string | null
  /** When the change took effect. */
  at: string
  /** When the change was decided (the engine's clock). */
  recorded_at: string
  /** For a delivery's event: the number of its internal event in the delivery's history (null before migration 0017). */
  seq: number | null
  /** For a delivery's event: the delivery's revision right after the change (null before migration 0017). */
  revision: number | null
  /**
   * The event as integrators receive it, JSON, for events of no delivery (and deliveries' events
   * stored before migration 0017); null for a delivery's event, rebuilt from its history when read.
   */
  payload: string | null
}

/** A one-time sign-in link to the console, created by an integrator for a party. */
export interface ConsoleLinkTable {
  /** SHA-256 of the link's secret: the link itself is shown once and never stored. */
  hash: string
  role: string
  subject: string
  /** Where in the console the link lands (a path under /console). */
  return_path: string
  created_at: string
  expires_at: string
  /** When the link was used; a used link is refused. */
  used_at: string | null
}

/** A person's console session, carried by a cookie holding its secret. */
export interface ConsoleSessionTable {
  /** SHA-256 of the cookie's secret. */
  hash: string
  role: string
  subject: string
  /** For a session opened with a pasted API token: that token's hash (the session ends with the token). */
  token_hash: string | null
  created_at: string
  expires_at: string
  /** When the person signed out; an ended session is refused. */
  ended_at: string | null
}

export interface ApiTokenTable {
  /** SHA-256 of the token: the token itself is shown once and never stored. */
  hash: string
  role: string
  subject: string
  label: string | null
  created_at: string
  expires_at: string | null
  /** When the token last authenticated a request (updated at most once a minute). */
  last_used_at: string | null
  /** When the token was revoked; a revoked token is refused. */
  revoked_at: string | null
}

export interface IdempotencyKeyTable {
  /** `role:subject` of the caller: keys are scoped to the principal that sent them. */
  principal: string
  key: string
  /** SHA-256 of the method, path and body: the same key with another request is refused. */
  request_hash: string
  /** HTTP status of the stored response; null while the first request is still running. */
  status: number | null
  response: string | null
  created_at: string
  expires_at: string
  /** A random token of the request holding the key while it is unanswered (null on rows from before migration 0005). */
  claim_token: string | null
}

export interface ProcessDefinitionTable {
  id: string
  version: number
  title: string
  source: string
  /** SHA-256 of the source text: the same id and version may not be registered with other content. */
  hash: string
  /** The subject a private process belongs to; null for a public process. */
  owner: string | null
  /** The role (one of the process's) its owner holds; null for a public process. */
  owner_role: string | null
  registered_at: string
  /** For a derived process: `ID@VERSION` of the base it was registered against. */
  base: string | null
}

export interface InstanceTable {
  id: string
  process_id: string
  process_version: number
  status: string
  step: string | null
  outcome: string | null
  /** The earliest pending deadline, indexed so the scheduler never scans. */
  next_deadline: string | null
  revision: number
  /** Sequence number of the last event in the history. */
  last_seq: number
  /** Consecutive failed attempts at firing the due deadline; reset by a successful write. */
  fire_failures: Generated<number>
  /** The full InstanceState as JSON. */
  state: string
  /** The order ID of its context (`context.orderId`), for finding it by order; see `orderIdOf`. */
  order_id: string | null
  created_at: string
  updated_at: string
}

export interface InstancePartyTable {
  instance_id: string
  role: string
  subject: string
  /**
   * The instance's `created_at`, copied here (it never changes) so that a party's instances are
   * listed in order straight from an index, newest or oldest first, without sorting them all.
   */
  instance_created_at: string
}

/**
 * A party the instance's current step waits on (it is one of the step's actors): its row of
 * `instance_party`, copied here while it is waited on, for the inbox's "waiting on me".
 */
export type WaitingPartyTable = InstancePartyTable

export interface EventTable {
  instance_id: string
  seq: number
  type: string
  at: string
  fired_at: string | null
  step: string | null
  action: string | null
  actor_role: string | null
  actor_subject: string | null
  /** The whole event as JSON (inputs, attachment references, due instants). */
  payload: string
}

export interface AttachmentTable {
  id: string
  uploaded_by_role: string
  uploaded_by_subject: string
  instance_id: string | null
  /** The original file name, kept as metadata only: never used to decide the type or a path. */
  file_name: string | null
  size: number
  sha256: string
  /** The type detected from the content (`pdf`, `docx`, ...), null when unrecognised. */
  type: string | null
  media_type: string
  storage_key: string
  created_at: string
  /** For an image, what its pixels say as JSON (`ImageFacts`: width, height, transparentBackground); null otherwise or when stored before migration 0014. */
  image: string | null
}

