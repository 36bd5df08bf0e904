import { isDeepStrictEqual } from 'node:util'
import { Temporal } from 'temporal-polyfill'
import type { CompiledProcess } from '../definition/compiled.js'
import { parseDuration, parseSize } from '../definition/quantities.js'
import type { Source } from '../definition/source.js'
import { ScenarioError } from '../errors.js'
import type { ScenarioCode } from '../errors.js'
import type { AttachmentFacts, Command } from '../runtime/commands.js'
import { decide } from '../runtime/decide.js'
import type { Decision } from '../runtime/decision.js'
import { summarise } from '../runtime/public-events.js'
import type { InstanceState, Principal } from '../runtime/state.js'
import { iso, LATEST_INSTANT as LATEST } from '../runtime/time.js'
import { nextDeadline } from '../runtime/transitions.js'
import type { Expectation, Move, Refused, Scenario, ScenarioFile } from './scenario.js'

/** Where a scenario starts when it does not say: the first instant of 2026, UTC. */
export const DEFAULT_START = '2026-01-01T00:00:00Z'
/** Deadlines and reminders one clock move may fire before the scenario is stopped (a loop of timeouts). */
const MAX_FIRINGS = 10_000
/**
 * Decisions (starts, moves and deadlines fired) the scenarios of one file may take in all, a
 * fraction of a second's work: a file is text anyone with a token may send to be run, and moves
 * that each fire just under {@link MAX_FIRINGS} would otherwise add up to hours.
 */
export const MAX_DECISIONS = 25_000
/**
 * Milliseconds of work the scenarios of one file may take in all: the net for decisions the count
 * above does not weigh (each may evaluate expressions of tens of thousands of steps). Far above
 * what real scenarios take (the built-in processes' take a few milliseconds each).
 */
export const MAX_RUN_MS = 5000
/** Problems the scenarios of one file report at most: each quotes values, and expectations are many. */
export const MAX_PROBLEMS = 1000
/** Milliseconds of work between two yields to the event loop, so a server answers other requests meanwhile. */
const SLICE_MS = 20

/** What became of one scenario: its problems, empty when it passed. */
export interface ScenarioResult {
  readonly name: string
  /** The JSON pointer of the scenario in its file. */
  readonly pointer: string
  readonly problems: readonly ScenarioError[]
}

/**
 * Runs every scenario of a file on the pure runtime: no database, no server, a clock of its own.
 * Each starts a delivery of `process` and makes its moves in order; after each, what it expects
 * is checked, and every failure is a problem at the expectation's line. A refusal that was not
 * expected (or the wrong one) stops the scenario there, as does a clock move that fires more than
 * 10,000 deadlines; the file's scenarios take at most {@link MAX_DECISIONS} decisions and
 * {@link MAX_RUN_MS} of work in all (those left are reported as not run), yielding to the event
 * loop as they go; they report at most {@link MAX_PROBLEMS} problems (then how many more each
 * found). Never throws for anything the file says.
 */
export async function runScenarios(process: CompiledProcess, file: ScenarioFile, source: Source): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = []
  const budget: Budget = { left: MAX_DECISIONS, worked: 0, resumed: performance.now(), problemsLeft: MAX_PROBLEMS }
  for (const [index, scenario] of file.scenarios.entries()) {
    const pointer = `/scenarios/${index}`
    const problems: ScenarioError[] = []
    if (budget.left > 0) await new Run(process, scenario, pointer, source, problems, budget).run()
    else problems.push(new ScenarioError('scenario.refused', `Not run: the scenarios before it took the ${MAX_DECISIONS.toLocaleString('en')} decisions or ${MAX_RUN_MS / 1000} s of work a file may take. Split the file.`, source.locate(pointer)))
    results.push({ name: scenario.name, pointer, problems })
  }
  return results
}

/**
 * The decisions the file's scenarios may still take, the milliseconds of work they took until they
 * last yielded, and when they resumed (performance.now()): the time other requests took meanwhile
 * is not theirs.
 */
interface Budget {
  left: number
  worked: number
  resumed: number
  /** Problems the file's scenarios may still report. */
  problemsLeft: number
}

class Run {
  readonly process: CompiledProcess
  readonly scenario: Scenario
  readonly pointer: string
  readonly source: Source
  readonly problems: ScenarioError[]
  readonly #budget: Budget
  /** Problems found past the file's {@link MAX_PROBLEMS}, counted but not reported one by one. */
  #unlisted = 0
  #state: InstanceState | undefined
  #now: Temporal.Instant
  #files = 0

  constructor(process: CompiledProcess, scenario: Scenario, pointer: string, source: Source, problems: ScenarioError[], budget: Budget) {
    this.process = process
    this.scenario = scenario
    this.pointer = pointer
    this.source = source
    this.problems = problems
    this.#budget = budget
    this.#now = Temporal.Instant.from(scenario.start.at ?? DEFAULT_START)
  }

  /**
   * Takes one decision out of the file's budget, yielding to the event loop every
   * {@link SLICE_MS} of work; false (with a problem at `at`) once the budget is spent, in
   * decisions or in time.
   */
  async #spend(at: string): Promise<boolean> {
    const budget = this.#budget
    if (budget.left <= 0) {
      return this.#problem('scenario.refused', at, `The scenarios of this file took ${MAX_DECISIONS.toLocaleString('en')} decisions (moves and deadlines fired), as many as a file may: the rest were not run. Split the file, or move the clock less far.`)
    }
    const now = performance.now()
    const slice = now - budget.resumed
    if (budget.worked + slice > MAX_RUN_MS) {
      budget.left = 0 // the scenarios after this one are not run either
      return this.#problem('scenario.refused', at, `The scenarios of this file took more than ${MAX_RUN_MS / 1000} s of work, as long as a file may: the rest were not run. Split the file, or make its expressions lighter.`)
    }
    budget.left--
    if (slice > SLICE_MS) {
      budget.worked += slice
      await new Promise<void>((resolve) => { setImmediate(resolve) })
      budget.resumed = performance.now()
    }
    return true
  }

  async run(): Promise<void> {
    await this.#moves()
    if (this.#unlisted > 0) {
      this.problems.push(new ScenarioError('scenario.expectation', `${this.#unlisted.toLocaleString('en')} more problems of this scenario are not listed: a file's scenarios list ${MAX_PROBLEMS.toLocaleString('en')} at most.`, this.source.locate(this.pointer)))
    }
  }

  async #moves(): Promise<void> {
    const { start } = this.scenario
    const at = `${this.pointer}/start`
    if (Temporal.Instant.compare(this.#now, LATEST) > 0) {
      this.#problem('scenario.invalid', `${at}/at`, `A scenario's clock may reach ${iso(LATEST)} at the latest.`)
      return
    }
    const command: Command = {
      type: 'start', instanceId: `scenario-${this.pointer.split('/').at(-1) ?? '0'}`, by: this.#principal(start.by ?? 'admin', start.parties),
      parties: start.parties, ...(start.parameters ? { parameters: start.parameters } : {}), ...(start.context ? { context: start.context } : {}),
    }
    if (!await this.#spend(at) || !this.#settle(await decide(this.process, undefined, command, this.#now), start.refused, at)) return
    this.#expect(start.expect, `${at}/expect`)
    for (const [index, move] of (this.scenario.then ?? []).entries()) {
      if (!await this.#move(move, `${this.pointer}/then/${index}`)) return
      this.#expect(move.expect, `${this.pointer}/then/${index}/expect`)
    }
  }

  /** Makes one move; false when the scenario cannot go on. */
  async #move(move: Move, at: string): Promise<boolean> {
    const state = this.#state
    if (!state) return false
    if ('wait' in move) {
      const duration = parseDuration(move.wait)
      if (typeof duration === 'string') return this.#problem('scenario.invalid', `${at}/wait`, duration)
      const target = this.#later(duration)
      if (!target) return this.#problem('scenario.invalid', `${at}/wait`, `The clock would pass ${iso(LATEST)}, the latest instant a scenario may reach: it is ${iso(this.#now)} already.`)
      return this.#clockTo(target, at)
    }
    if ('until' in move) {
      const target = Temporal.Instant.from(move.until)
      if (Temporal.Instant.compare(target, this.#now) < 0) return this.#problem('scenario.invalid', `${at}/until`, `The clock cannot go back: it is ${iso(this.#now)} already.`)
      if (Temporal.Instant.compare(target, LATEST) > 0) return this.#problem('scenario.invalid', `${at}/until`, `A scenario's clock may reach ${iso(LATEST)} at the latest.`)
      return this.#clockTo(target, at)
    }
    if (!await this.#spend(at)) return false
    if ('terminate' in move) {
      const command: Command = { type: 'terminate', by: this.#principal(move.by ?? 'admin', state.parties), reason: move.terminate }
      return this.#settle(await decide(this.process, state, command, this.#now), move.refused, at)
    }
    const by = this.#principal(move.by, state.parties)
    const attachments = Object.fromEntries(Object.entries(move.files ?? {}).map(([slot, files]) => [slot, files.map((f): AttachmentFacts => ({
      id: `file-${++this.#files}`, type: f.type === 'unknown' ? undefined : f.type, size: parseSize(f.size ?? 1024),
      uploadedBy: f.by === undefined ? by : this.#principal(f.by, state.parties), instanceId: undefined, ...(f.image ? { image: f.image } : {}),
    }))]))
    const command: Command = {
      type: 'act', by, action: move.act, ...(move.step === undefined ? {} : { step: move.step }),
      ...(move.inputs === undefined ? {} : { inputs: move.inputs }), ...(move.files ? { attachments } : {}),
    }
    return this.#settle(await decide(this.process, state, command, this.#now), move.refused, at)
  }

  /** Moves the clock to `target`, firing every deadline and reminder due on the way at its own instant. */
  async #clockTo(target: Temporal.Instant, at: string): Promise<boolean> {
    for (let fired = 0; ; fired++) {
      const state = this.#state
      const due = state?.status === 'active' ? nextDeadline(state) : undefined
      // Instants in the state are whole milliseconds: compared as numbers, not parsed by Temporal.
      const dueMs = due === undefined ? NaN : Date.parse(due)
      if (!state || !(dueMs <= target.epochMilliseconds)) break
      if (fired === MAX_FIRINGS) return this.#problem('scenario.refused', at, `More than ${MAX_FIRINGS.toLocaleString('en')} deadlines fell due while the clock moved: the process loops on its timeouts.`)
      if (!await this.#spend(at)) return false
      this.#now = Temporal.Instant.fromEpochMilliseconds(dueMs)
      const decision = await decide(this.process, state, { type: 'fire-due' }, this.#now)
      if (!decision.ok) return this.#problem('scenario.refused', at, `Firing the deadline due at ${due} failed: ${decision.rejection.code} ${decision.rejection.message}`)
      this.#state = decision.state
    }
    this.#now = target
    return true
  }

  /** The clock moved on by `duration` in the process's time zone, or undefined past {@link LATEST}. */
  #later(duration: Temporal.Duration): Temporal.Instant | undefined {
    try {
      const target = this.#now.toZonedDateTimeISO(this.process.timeZone).add(duration).toInstant()
      return Temporal.Instant.compare(target, LATEST) <= 0 ? target : undefined
    } catch {
      return undefined // beyond what Temporal represents at all
    }
  }

  /** Takes a decision in: accepted, or refused as expected; false when the scenario cannot go on. */
  #settle(decision: Decision, refused: Refused | undefined, at: string): boolean {
    const expected = refused === undefined ? undefined : typeof refused === 'string' ? { code: refused } : refused
    if (decision.ok) {
      if (expected) return this.#problem('scenario.accepted', `${at}/refused`, `Expected a refusal with ${expected.code}${expected.field ? ` at ${expected.field}` : ''}, but the move was accepted.`)
      this.#state = decision.state
      return true
    }
    const { code, message, problems } = decision.rejection
    const fields = (problems ?? []).map((p) => p.pointer)
    const described = `${code}: ${message}${fields.length > 0 ? ` (at ${fields.join(', ')})` : ''}`
    if (!expected) return this.#problem('scenario.refused', at, `The move was refused with ${described}`)
    if (expected.code !== code) return this.#problem('scenario.refused', `${at}/refused`, `Expected a refusal with ${expected.code}, but it was refused with ${described}`)
    if (expected.field !== undefined && !fields.includes(expected.field)) {
      return this.#problem('scenario.refused', `${at}/refused`, `Expected a refusal at ${expected.field}, but it was refused ${fields.length > 0 ? `at ${fields.join(', ')}` : 'with no field'}: ${message}`)
    }
    // A refused move changes nothing: the scenario goes on from the same state.
    return true
  }

  /** Checks what `expect` says against the delivery now; each difference is a problem at its key. */
  #expect(expect: Expectation | undefined, at: string): void {
    const state = this.#state
    if (!expect || !state) return
    const summary = summarise(this.process, state)
    const actual: Record<keyof Expectation, unknown> = {
      status: state.status,
      outcome: state.outcome ?? null,
      phase: summary.phase?.id ?? null,
      round: summary.phase?.round,
      executor: summary.executor.map((e) => e.role),
      deadline: summary.deadline?.due ?? null,
      values: state.values,
      context: state.context,
    }
    for (const key of Object.keys(expect) as Array<keyof Expectation>) {
      const wanted = expect[key]
      if (key === 'values' || key === 'context') {
        const have = actual[key] as Readonly<Record<string, unknown>>
        for (const [name, value] of Object.entries(wanted as Readonly<Record<string, unknown>>)) {
          if (!same(value, have[name])) this.#problem('scenario.expectation', `${at}/${key}/${name}`, `Expected ${key === 'values' ? 'recorded value' : 'context value'} "${name}" to be ${show(value)}, but it is ${show(have[name])}.`)
        }
        continue
      }
      if (key === 'executor' ? !sameSet(wanted as readonly string[], actual.executor as string[]) : !same(wanted, actual[key])) {
        this.#problem('scenario.expectation', `${at}/${key}`, `Expected ${key} ${show(wanted)}, but it is ${show(actual[key])}.`)
      }
    }
  }

  /** A role of the delivery acts as its party; `admin` and `system` as themselves; `role:subject` as written. */
  #principal(actor: string, parties: Readonly<Record<string, string>>): Principal {
    const colon = actor.indexOf(':')
    if (colon > 0) return { role: actor.slice(0, colon), subject: actor.slice(colon + 1) }
    // Own properties only: a role named `__proto__` or `constructor` is no party of the delivery.
    return { role: actor, subject: Object.hasOwn(parties, actor) ? parties[actor] ?? actor : actor }
  }

  #problem(code: ScenarioCode, pointer: string, message: string): false {
    if (this.#budget.problemsLeft > 0) {
      this.#budget.problemsLeft--
      this.problems.push(new ScenarioError(code, message, this.source.locate(pointer)))
    } else {
      this.#unlisted++
    }
    return false
  }
}

/** Equal as JSON values, with strings that are both instants compared as instants. */
function same(wanted: unknown, actual: unknown): boolean {
  if (typeof wanted === 'string' && typeof actual === 'string') {
    const a = asInstant(wanted)
    const b = asInstant(actual)
    if (a && b) return a.equals(b)
  }
  return isDeepStrictEqual(wanted, actual)
}

function sameSet(wanted: readonly string[], actual: readonly string[]): boolean {
  return wanted.length === actual.length && wanted.every((w) => actual.includes(w))
}

function asInstant(text: string): Temporal.Instant | undefined {
  if (!/^\d{4}-\d\d-\d\dT/.test(text)) return undefined
  try {
    return Temporal.Instant.from(text)
  } catch {
    return undefined
  }
}

/** Characters of a value a problem quotes at most: a value may be large, and many expectations may quote it. */
const MAX_SHOWN = 200

function show(value: unknown): string {
  if (value === undefined) return 'not set'
  const json = JSON.stringify(value)
  return json.length <= MAX_SHOWN ? json : `${json.slice(0, MAX_SHOWN)}… (${json.length.toLocaleString('en')} characters)`
}
