// The shape of a scenario file, as `schemas/scenario.schema.json` defines it (the file is
// validated against the schema before these types are trusted; docs/scenarios.md).

export interface ScenarioFile {
  readonly process: string
  readonly scenarios: readonly Scenario[]
}

export interface Scenario {
  readonly name: string
  readonly description?: string
  readonly start: ScenarioStart
  readonly then?: readonly Move[]
}

export interface ScenarioStart {
  readonly at?: string
  readonly by?: string
  readonly parties: Readonly<Record<string, string>>
  readonly parameters?: Readonly<Record<string, unknown>>
  readonly context?: Readonly<Record<string, unknown>>
  readonly refused?: Refused
  readonly expect?: Expectation
}

export type Move =
  | { readonly act: string; readonly by: string; readonly step?: string; readonly inputs?: unknown; readonly files?: Readonly<Record<string, readonly ScenarioFileFacts[]>>; readonly refused?: Refused; readonly expect?: Expectation }
  | { readonly wait: string; readonly expect?: Expectation }
  | { readonly until: string; readonly expect?: Expectation }
  | { readonly terminate: string; readonly by?: string; readonly refused?: Refused; readonly expect?: Expectation }

export interface ScenarioFileFacts {
  readonly type: string
  readonly size?: number | string
  readonly by?: string
  readonly image?: { readonly width: number; readonly height: number; readonly transparentBackground?: boolean }
}

export type Refused = string | { readonly code: string; readonly field?: string }

export interface Expectation {
  readonly status?: string
  readonly outcome?: string | null
  readonly phase?: string | null
  readonly round?: number
  readonly executor?: readonly string[]
  readonly deadline?: string | null
  readonly values?: Readonly<Record<string, unknown>>
  readonly context?: Readonly<Record<string, unknown>>
}
