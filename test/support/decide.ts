import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Temporal } from 'temporal-polyfill'
import { compileProcess, decide, loadBuiltInProcesses } from '../../engine/index.js'
import type { Command, CompiledProcess, Decision, Event, InstanceState, RejectionCode } from '../../engine/index.js'
import type { AttachmentFacts } from '../../engine/runtime/commands.js'
import type { Principal } from '../../engine/index.js'

/** Helpers for unit tests of `decide`: built-in and inline processes, states reached by commands, frozen inputs. */

const ROOT = join(import.meta.dirname, '..', '..')
const builtIns = new Map(loadBuiltInProcesses().map((p) => [p.id, p]))

export function builtIn(id: string): CompiledProcess {
  const process = builtIns.get(id)
  if (!process) throw new Error(`No built-in process ${id}`)
  return process
}

/** Compiles an inline definition; throws with its problems if it does not compile. */
export function compileForTest(text: string): CompiledProcess {
  const result = compileProcess(text, 'inline.yaml')
  if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
  return result.process
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

/** `decide` at an ISO instant, with its inputs frozen so a decision that mutates them throws. */
export function decideAt(process: CompiledProcess, state: InstanceState | undefined, command: Command, at: string): Promise<Decision> {
  return decide(process, deepFreeze(state), deepFreeze(command), Temporal.Instant.from(at))
}

/** The state after accepted commands, each decided at its instant; throws on a refusal. */
export async function stateAfter(process: CompiledProcess, commands: ReadonlyArray<readonly [string, Command]>): Promise<InstanceState> {
  return (await historyAfter(process, commands)).state
}

/** The state after `commands`, each decided at its instant, and the events they appended (the history). */
export async function historyAfter(process: CompiledProcess, commands: ReadonlyArray<readonly [string, Command]>): Promise<{ state: InstanceState; history: Event[] }> {
  let state: InstanceState | undefined
  const history: Event[] = []
  for (const [at, command] of commands) {
    const decision = await decideAt(process, state, command, at)
    if (!decision.ok) throw new Error(`${command.type} at ${at}: ${decision.rejection.code} ${decision.rejection.message}`)
    state = decision.state
    history.push(...decision.events)
  }
  if (!state) throw new Error('No command started the instance')
  return { state, history }
}

export function file(id: string, type: string | undefined, uploadedBy: Principal, size = 1000, instanceId?: string): AttachmentFacts {
  return { id, type, size, uploadedBy, instanceId }
}

/**
 * The rejection codes the pure runtime (engine/runtime/*.ts) can return: every member of
 * `RejectionCode` (engine/errors.ts) written as a literal in the runtime's source. The others are
 * returned by the catalog, attachment storage or token administration.
 */
export function runtimeRejectionCodes(): { runtime: RejectionCode[]; elsewhere: RejectionCode[] } {
  const errors = readFileSync(join(ROOT, 'engine', 'errors.ts'), 'utf8')
  const union = /export type RejectionCode =([^]*?)\n\n/.exec(errors)?.[1] ?? ''
  const codes = [...union.matchAll(/'([a-z.-]+)'/g)].map((m) => m[1] as RejectionCode)
  const dir = join(ROOT, 'engine', 'runtime')
  const source = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'proposals.ts').map((f) => readFileSync(join(dir, f), 'utf8')).join('\n')
  const runtime = codes.filter((code) => source.includes(`'${code}'`))
  return { runtime: runtime.sort(), elsewhere: codes.filter((code) => !runtime.includes(code)).sort() }
}
