import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Temporal } from 'temporal-polyfill'
import { decide, evolve } from '../../engine/index.js'
import type { Command, CompiledProcess, Event, InstanceState, RejectionCode } from '../../engine/index.js'

/**
 * Replay goldens: recorded histories of deliveries, replayed as Temporal replays workflow
 * histories. Each golden holds the commands given to `decide` (with the instant each was decided
 * at), what `decide` answered (the events, or the code of a refusal) and the state it ended in.
 * A golden that no longer replays is a process-versioning decision, not a refresh (STYLE.md §7).
 */
export interface Golden {
  readonly name: string
  readonly description: string
  readonly process: { readonly id: string; readonly version: number }
  readonly history: readonly Recorded[]
  readonly state: InstanceState
}

/** One command and what `decide` answered: its events (possibly none), or the refusal's code. */
export type Recorded =
  | { readonly at: string; readonly command: Command; readonly events: readonly Event[] }
  | { readonly at: string; readonly command: Command; readonly rejected: RejectionCode }

/** A command to record, and the instant it is decided at. */
export interface Given {
  readonly at: string
  readonly command: Command
}

export const GOLDEN_DIR = join(import.meta.dirname, '..', 'fixtures', 'replay')

/** Every golden under test/fixtures/replay, sorted by name. */
export function loadGoldens(dir: string = GOLDEN_DIR): Golden[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Golden)
}

/** Runs `commands` through `decide` in order (the instance's id comes from its start command) and records the answers. */
export async function record(process: CompiledProcess, commands: readonly Given[]): Promise<{ history: Recorded[]; state: InstanceState | undefined }> {
  const history: Recorded[] = []
  let state: InstanceState | undefined
  for (const { at, command } of commands) {
    const decision = await decide(process, state, command, Temporal.Instant.from(at))
    if (decision.ok) {
      history.push({ at, command, events: decision.events })
      state = decision.state
    } else {
      history.push({ at, command, rejected: decision.rejection.code })
    }
  }
  // JSON has no undefined: compare and store what a file would hold.
  return JSON.parse(JSON.stringify({ history, state })) as { history: Recorded[]; state: InstanceState | undefined }
}

/**
 * The state the golden's events lead to, folded through `evolve` from nothing: each accepted
 * command that wrote events advances the revision by one, as the store counts it.
 */
export function fold(golden: Golden): InstanceState | undefined {
  let state: InstanceState | undefined
  for (const entry of golden.history) {
    if (!('events' in entry) || entry.events.length === 0) continue
    const next = entry.events.reduce<InstanceState | undefined>(evolve, state)
    if (next) state = { ...next, revision: (state?.revision ?? 0) + 1 }
  }
  return JSON.parse(JSON.stringify(state ?? null)) as InstanceState | undefined
}

/** Where a replay first differs from its golden: the command, and the event within it (or the answer). */
export interface Divergence {
  readonly golden: string
  readonly command: number
  /** Index of the first differing event; undefined when the answers differ in kind (events against a refusal). */
  readonly event: number | undefined
  readonly expected: unknown
  readonly actual: unknown
}

/** Replays the golden's commands through `decide` against `process`; the first divergence, or undefined. */
export async function replay(golden: Golden, process: CompiledProcess): Promise<Divergence | undefined> {
  const { history, state } = await record(process, golden.history.map(({ at, command }) => ({ at, command })))
  for (const [index, expected] of golden.history.entries()) {
    const actual = history[index]
    const at = (event: number | undefined, e: unknown, a: unknown): Divergence => ({ golden: golden.name, command: index, event, expected: e, actual: a })
    if (!actual) return at(undefined, expected, undefined)
    if ('rejected' in expected || 'rejected' in actual) {
      const e = 'rejected' in expected ? expected.rejected : expected.events
      const a = 'rejected' in actual ? actual.rejected : actual.events
      if (!same(e, a)) return at(undefined, e, a)
      continue
    }
    const length = Math.max(expected.events.length, actual.events.length)
    for (let event = 0; event < length; event++) {
      if (!same(expected.events[event], actual.events[event])) return at(event, expected.events[event], actual.events[event])
    }
  }
  if (!same(golden.state, state)) return { golden: golden.name, command: golden.history.length, event: undefined, expected: golden.state, actual: state }
  return undefined
}

/** Deep equality of JSON values (key order ignored). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

/** JSON indented by one space per level, each value that fits on a line of 160 characters kept on one: small files that diff well. */
export function compactJson(value: unknown, indent = ''): string {
  const flat = JSON.stringify(value)
  if (flat.length + indent.length <= 160 || value === null || typeof value !== 'object') return flat
  const inner = `${indent} `
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + compactJson(v, inner)).join(',\n')}\n${indent}]`
  const entries = Object.entries(value).filter(([, v]) => v !== undefined)
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`).join(',\n')}\n${indent}}`
}
