import type { Temporal } from 'temporal-polyfill'
import type { AttachmentType } from './attachment-types.js'
import type { JsonSchema, ParameterType } from './definition.js'
import type { CompiledExpression } from './expression.js'
import type { Validator } from './json-schema.js'

/**
 * The executable form of a process: every reference resolved, every duration parsed, every input
 * schema compiled. Built once per definition version and shared read-only by every instance.
 */
export interface CompiledProcess {
  readonly id: string
  readonly version: number
  readonly title: string
  readonly description: string | undefined
  readonly timeZone: string
  /** The party roles named when an instance starts; `admin` and `system` exist besides them. */
  readonly roles: readonly string[]
  /** Roles that may start an instance besides those whose role alone lets them (`admin`, `system`); see authorize.ts `mayStart`. */
  readonly startedBy: readonly string[]
  /** Recorded values that no two instances of the process in progress may share. */
  readonly unique: readonly UniqueValue[]
  readonly parameters: ReadonlyMap<string, CompiledParameter>
  readonly context: CompiledSchema
  readonly initialStep: string
  /** Steps in the order they are written. */
  readonly steps: ReadonlyMap<string, CompiledStep>
  readonly windows: ReadonlyMap<string, CompiledWindow>
  /** The period an instance entitles, when the process declares one (`validity`). */
  readonly validity: CompiledValidity | undefined
  /** The YAML text the process was compiled from. */
  readonly source: string
}

/** A recorded value that no two instances of a process in progress may share (`unique`). */
export interface UniqueValue {
  /** The recorded value's name. */
  readonly value: string
  /** What it is, for refusals (default: the name). */
  readonly title: string
  /** Outcomes after which an ended instance keeps the value for good. */
  readonly keptAfter: readonly string[]
}

/** A rule of an action over the whole instance: `that` must hold whenever `when` does. */
export interface CompiledRequirement {
  readonly when: CompiledExpression | undefined
  readonly that: CompiledExpression
  readonly pointer: string
  readonly message: string
}

export interface CompiledParameter {
  readonly name: string
  readonly type: ParameterType
  readonly title: string | undefined
  readonly description: string | undefined
  readonly default: unknown
}

export interface CompiledStep {
  readonly id: string
  readonly title: string
  readonly description: string | undefined
  /** Roles that may act in this step (the executor). */
  readonly actors: readonly string[]
  /** The step is entered only when this is true; otherwise the instance goes to `otherwise`. */
  readonly when: CompiledExpression | undefined
  /** Where a skipped step leads: its `otherwise`, or the next step (an end when it is the last). */
  readonly otherwise: Target
  readonly actions: ReadonlyMap<string, CompiledAction>
  readonly timeout: CompiledTimeout | undefined
  /** Ids of the windows that cover this step. */
  readonly windows: readonly string[]
}

export interface CompiledTimeout {
  readonly after: Delay
  readonly action: string
  /** Reminders before the deadline, in the order written (empty when none). */
  readonly remind: readonly CompiledReminder[]
}

/** One reminder: `offset` as written (`P3D`) and parsed; it is sent that long before the deadline. */
export interface CompiledReminder {
  readonly offset: string
  readonly duration: Temporal.Duration
}

export interface CompiledAction {
  readonly id: string
  readonly title: string
  readonly description: string | undefined
  readonly target: Target
  /** Roles that may perform this action: the step's actors, or some of them. */
  readonly actors: readonly string[]
  /** Values computed and recorded when the action is performed, in order. */
  readonly record: ReadonlyArray<readonly [string, CompiledExpression]>
  /** Rules its inputs must meet given the rest of the instance, checked before it is performed. */
  readonly require: readonly CompiledRequirement[]
  /** For an action that sends work back: after `max` returns to its target step, it leads to `then`. */
  readonly rounds: { readonly max: number; readonly then: Target } | undefined
  readonly inputs: CompiledSchema
  /** Rules over the inputs beyond their schema, checked in order when a person performs the action. */
  readonly checks: readonly CompiledCheck[]
  readonly attachments: ReadonlyMap<string, AttachmentRule>
}

/** The period an instance entitles: expressions over the instance giving its first instant and the instant it ends. */
export interface CompiledValidity {
  readonly from: CompiledExpression
  /** Undefined: the period does not end. */
  readonly until: CompiledExpression | undefined
}

/**
 * A rule over one input of an action (`input`, a JSON Pointer within the inputs, as path
 * segments): an instant no earlier than `notBefore` and no later than `notAfter`, and `assert`
 * true, each an expression over the instance and the inputs.
 */
export interface CompiledCheck {
  readonly input: string
  readonly path: readonly string[]
  readonly notBefore: CompiledExpression | undefined
  readonly notAfter: CompiledExpression | undefined
  readonly assert: CompiledExpression | undefined
  /** What a refusal of `assert` says is accepted. */
  readonly message: string | undefined
  /** The rule in words, added to a refusal. */
  readonly description: string | undefined
}

export interface CompiledWindow {
  readonly id: string
  readonly title: string
  readonly steps: ReadonlySet<string>
  readonly after: Delay
  readonly onExpiry: Target
  /** Reminders before the expiry, in the order written (empty when none). */
  readonly remind: readonly CompiledReminder[]
}

/** Where an action or an expiry leads. */
export type Target =
  | { readonly kind: 'step'; readonly step: string }
  | { readonly kind: 'end'; readonly outcome: string }

/** A deadline's length: a fixed duration, a `duration` parameter set per instance, or business days. */
export type Delay =
  | { readonly kind: 'duration'; readonly duration: Temporal.Duration }
  | { readonly kind: 'parameter'; readonly name: string }
  | { readonly kind: 'business-days'; readonly days: number; readonly calendar: CompiledCalendar }

/** A business calendar: which local dates count as business days. */
export interface CompiledCalendar {
  readonly id: string
  readonly timeZone: string
  /** ISO weekday numbers (1 = Monday ... 7 = Sunday) that are working days. */
  readonly workingDays: ReadonlySet<number>
  /** Dates (YYYY-MM-DD) that do not count although their weekday does. */
  readonly holidays: ReadonlySet<string>
  /** Dates (YYYY-MM-DD) that count although their weekday does not. */
  readonly workingDates: ReadonlySet<string>
}

/** An input schema as written (with defaults applied) and its compiled validator. */
export interface CompiledSchema {
  readonly schema: JsonSchema
  readonly validate: Validator
}

/** Rules of one attachment slot; sizes in bytes. */
export interface AttachmentRule {
  readonly slot: string
  readonly title: string
  readonly min: number
  readonly max: number
  readonly types: readonly AttachmentType[]
  readonly maxSize: number
  /** Whether each file must be a PNG whose background is transparent (read from its pixels). */
  readonly transparentBackground: boolean
}
