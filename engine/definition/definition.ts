/**
 * The shape of a process definition as written in YAML, mirroring `schemas/process.schema.json`.
 * A value of this type has passed the schema; references between its parts are not yet checked.
 */
export interface ProcessDefinition {
  readonly id: string
  readonly version: number
  /** `ID` or `ID@VERSION` of the process this one derives from. */
  readonly extends?: string
  readonly title: string
  readonly description?: string
  readonly timeZone?: string
  readonly roles: readonly string[]
  /** Roles that may start an instance besides administrators and the system. */
  readonly startedBy?: readonly string[]
  /** Recorded values no two instances in progress may share. */
  readonly unique?: readonly UniqueValueDefinition[]
  readonly parameters?: Readonly<Record<string, ParameterDefinition>>
  readonly context?: JsonSchema
  /** The period an instance entitles (see `ValidityDefinition`). */
  readonly validity?: ValidityDefinition
  readonly calendars?: Readonly<Record<string, CalendarDefinition>>
  readonly windows?: readonly WindowDefinition[]
  readonly steps: readonly StepDefinition[]
}

export interface UniqueValueDefinition {
  readonly value: string
  readonly title?: string
  readonly keptAfter?: readonly string[]
}

export interface RequirementDefinition {
  readonly when?: string
  readonly that: string
  readonly pointer: string
  readonly message: string
}

export type ParameterType = 'duration' | 'string' | 'integer' | 'boolean' | 'date-time'

export interface ParameterDefinition {
  /** Required, except where a derived process only changes an inherited parameter. */
  readonly type?: ParameterType
  readonly title?: string
  readonly description?: string
  readonly default?: unknown
}

export interface StepDefinition {
  readonly id: string
  readonly title: string
  readonly description?: string
  readonly actor: string | readonly string[]
  readonly when?: string
  readonly otherwise?: { readonly goto?: string; readonly end?: string }
  readonly actions: Readonly<Record<string, ActionDefinition>>
  readonly timeout?: { readonly after: DelayDefinition; readonly action: string; readonly remind?: readonly string[] }
}

export interface ActionDefinition {
  readonly title?: string
  readonly description?: string
  readonly actor?: string | readonly string[]
  readonly record?: Readonly<Record<string, string>>
  readonly checks?: readonly InputCheckDefinition[]
  readonly require?: readonly RequirementDefinition[]
  readonly inputs?: JsonSchema
  readonly attachments?: Readonly<Record<string, AttachmentSlotDefinition>>
  readonly goto?: string
  readonly end?: string
  readonly maxRounds?: number
  readonly onMaxRounds?: { readonly goto?: string; readonly end?: string }
}

/** The period an instance entitles: expressions giving its first instant and the instant it ends. */
export interface ValidityDefinition {
  readonly from: string
  readonly until?: string
  readonly description?: string
}

/** A rule over one input of an action, beyond its JSON Schema: instant bounds or an assertion, as expressions. */
export interface InputCheckDefinition {
  readonly input: string
  readonly notBefore?: string
  readonly notAfter?: string
  readonly assert?: string
  readonly message?: string
  readonly description?: string
}

export interface AttachmentSlotDefinition {
  readonly title?: string
  readonly description?: string
  readonly min?: number
  readonly max?: number
  readonly types: readonly string[]
  readonly maxSize: number | string
  readonly transparentBackground?: boolean
}

export interface WindowDefinition {
  readonly id: string
  readonly title?: string
  readonly steps: readonly string[]
  readonly after: DelayDefinition
  readonly onExpiry: { readonly goto?: string; readonly end?: string }
  readonly remind?: readonly string[]
}

/** A JSON Schema (2020-12) object, as written by the process author. */
export type JsonSchema = Readonly<Record<string, unknown>>

/** How long until a deadline: an ISO 8601 duration, a duration parameter's name, or business days. */
export type DelayDefinition = string | { readonly businessDays: number; readonly calendar: string }

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'

export interface CalendarDefinition {
  readonly timeZone?: string
  readonly workingDays: readonly Weekday[]
  readonly holidays?: readonly string[]
  readonly workingDates?: readonly string[]
}
