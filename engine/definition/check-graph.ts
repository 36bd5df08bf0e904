import type { CompiledProcess } from './compiled.js'
import type { CompileContext } from './context.js'
import type { StepDefinition } from './definition.js'
import { nodeOf, processEdges } from './graph.js'
import type { GraphEdge } from './graph.js'
import { pointerOf } from './pointer.js'
import { namesRead } from './check-expressions.js'

/**
 * Reports steps no instance can reach from the first step (`definition.unreachable-step`),
 * reachable steps from which no end of the process can be reached (`definition.no-end`), and an
 * action restricted to `system` that no timeout of its step performs, so nobody can perform it
 * (`definition.unknown-role`, at its `actor`).
 *
 * Every action counts as a way out of its step here, whoever may perform it: a wrong actor (a
 * step acted on by `system`, an action nobody may perform) is reported as such, once, and must
 * not also make the steps after it look unreachable or endless.
 */
export function checkGraph(ctx: CompileContext, process: CompiledProcess, writtenSteps: readonly StepDefinition[]): void {
  reportUnperformable(ctx, process, writtenSteps)
  reportSkipCycles(ctx, process, writtenSteps)
  const edges = [...processEdges(process), ...systemOnlyActionEdges(process)]
  const forward = new Map<string, string[]>()
  const backward = new Map<string, string[]>()
  for (const edge of edges) {
    add(forward, edge.from, edge.to)
    add(backward, edge.to, edge.from)
  }
  // The steps an instance may enter after leaving a step, found once each.
  const reached = new Map<string, Set<string>>()
  const after = (step: string): ReadonlySet<string> => {
    let steps = reached.get(step)
    if (!steps) reached.set(step, steps = closure(forward.get(step) ?? [], forward))
    return steps
  }
  reportUncountedRounds(ctx, process, writtenSteps, after)
  reportReadsBeforeWritten(ctx, process, writtenSteps, after)
  const reachable = closure([process.initialStep], forward)
  // A `goto` that names no step is reported as `definition.unknown-step`; the step it was meant
  // for would be reported as unreachable too, so reachability waits until the names are right.
  const danglingTargets = edges.some((edge) => !edge.to.startsWith('end:') && !process.steps.has(edge.to))
  // A target that names no step is reported as `definition.unknown-step`; counting it as an end
  // here keeps one mistake from also being reported as `definition.no-end`.
  const ends = edges.filter((edge) => edge.to.startsWith('end:') || !process.steps.has(edge.to)).map((edge) => edge.to)
  const finishing = closure(ends, backward)
  // Indexes are those of the steps as written, so a duplicated id does not shift the locations.
  const writtenStepIds = writtenSteps.map((step) => step.id)
  writtenStepIds.forEach((stepId, index) => {
    if (writtenStepIds.indexOf(stepId) !== index) return
    if (!reachable.has(stepId)) {
      if (danglingTargets) return
      ctx.report('definition.unreachable-step', pointerOf('steps', index),
        `No instance can reach step "${stepId}": no action, timeout or expiry leads to it.`,
        'Add a `goto` to it, move it right after a step whose actions fall through, or remove it.')
    } else if (!finishing.has(stepId)) {
      ctx.report('definition.no-end', pointerOf('steps', index),
        `An instance in step "${stepId}" can never finish: no path from it reaches an \`end\`.`,
        'Give some action on the way an `end`, or a `goto` towards a step that ends.')
    }
  })
}

/**
 * Steps that skip to one another in a ring (each with a `when`, each skipped to the next): when
 * none of their conditions holds, an instance would skip round them without end. Reported once
 * per ring (`definition.no-end`), at the `otherwise` of its first step as written.
 */
function reportSkipCycles(ctx: CompileContext, process: CompiledProcess, writtenSteps: readonly StepDefinition[]): void {
  const skipsTo = new Map<string, string>()
  for (const step of process.steps.values()) if (step.when) skipsTo.set(step.id, nodeOf(step.otherwise))
  const reported = new Set<string>()
  writtenSteps.forEach((written, index) => {
    if (reported.has(written.id)) return
    const ring = [written.id]
    for (let next = skipsTo.get(written.id); next !== undefined && !ring.includes(next); next = skipsTo.get(next)) ring.push(next)
    if (skipsTo.get(ring.at(-1) as string) !== written.id) return
    for (const id of ring) reported.add(id)
    ctx.report('definition.no-end', pointerOf('steps', index, written.otherwise ? 'otherwise' : 'when'),
      `Steps ${[...ring, written.id].map((id) => `"${id}"`).join(' → ')} skip to one another: when none of their conditions holds, an instance skips round them without end.`,
      'Let one of them be entered unconditionally, or skip it to a step outside the ring or to an `end`.')
  })
}

/**
 * `maxRounds` on an action whose `goto` leads to a step from which the action's own step can
 * never be reached again: each time the action is performed its target has never been entered,
 * so the rounds never add up and `onMaxRounds` never applies (`definition.conflicting-target`, at
 * `maxRounds`).
 */
function reportUncountedRounds(ctx: CompileContext, process: CompiledProcess, writtenSteps: readonly StepDefinition[], after: (step: string) => ReadonlySet<string>): void {
  writtenSteps.forEach((written, index) => {
    const step = process.steps.get(written.id)
    if (!step) return
    for (const action of step.actions.values()) {
      const { target } = action
      if (!action.rounds || target.kind !== 'step' || !process.steps.has(target.step) || target.step === step.id || after(target.step).has(step.id)) continue
      ctx.report('definition.conflicting-target', pointerOf('steps', index, 'actions', action.id, 'maxRounds'),
        `Action "${action.id}" leads to step "${target.step}", from which step "${step.id}" is never reached again: "${target.step}" has never been entered when the action is performed, so \`maxRounds\` never counts a round and \`onMaxRounds\` never applies.`,
        'Use `maxRounds` on an action that sends the work back to an earlier step (one that leads here again), or remove `maxRounds` and `onMaxRounds`.')
    }
  })
}

/**
 * A step's `when` reading what is never there when the step is entered: a recorded value only
 * steps it never follows record (`values.X`), or a step it never follows (`data.X`), itself
 * included when nothing leads back to it. The condition then decides the same way for every
 * delivery (`definition.expression-reference`, at the `when`).
 */
function reportReadsBeforeWritten(ctx: CompileContext, process: CompiledProcess, writtenSteps: readonly StepDefinition[], after: (step: string) => ReadonlySet<string>): void {
  const recordedIn = new Map<string, Set<string>>()
  for (const step of process.steps.values()) {
    for (const action of step.actions.values()) for (const [name] of action.record) recordedIn.set(name, (recordedIn.get(name) ?? new Set()).add(step.id))
  }
  writtenSteps.forEach((written, index) => {
    if (written.when === undefined || !process.steps.has(written.id)) return
    const recorders = (value: string): string[] => [...recordedIn.get(value) ?? []]
    const never = [
      ...namesRead(written.when, 'values').filter((value) => recordedIn.has(value) && !recorders(value).some((step) => after(step).has(written.id)))
        .map((value) => [`values.${value}`, `only ${recorders(value).length === 1 ? 'step' : 'steps'} ${recorders(value).map((step) => `"${step}"`).join(', ')} ${recorders(value).length === 1 ? 'records' : 'record'} it`] as const),
      ...namesRead(written.when, 'data').filter((step) => process.steps.has(step) && !after(step).has(written.id))
        .map((step) => [`data.${step}`, `it is filled by acting in step "${step}"`] as const),
    ]
    for (const [read, why] of never) {
      ctx.report('definition.expression-reference', pointerOf('steps', index, 'when'),
        `The \`when\` of step "${written.id}" reads ${read}, which is never there when the step is entered: ${why}, and no delivery goes from there to "${written.id}". The condition decides the same way for every delivery.`,
        'Read what is known before this step (the context, the parameters, values recorded and data of the steps before it), or move the condition to a later step.')
    }
  })
}

/** The edges {@link processEdges} leaves out (it draws an action only the system performs as its timeout). */
function systemOnlyActionEdges(process: CompiledProcess): GraphEdge[] {
  const edges: GraphEdge[] = []
  for (const step of process.steps.values()) {
    for (const action of step.actions.values()) {
      if (!(action.actors.length === 1 && action.actors[0] === 'system')) continue
      edges.push({ from: step.id, to: nodeOf(action.target), kind: 'action', label: action.id, by: action.actors })
      if (action.rounds) edges.push({ from: step.id, to: nodeOf(action.rounds.then), kind: 'action', label: action.id, by: action.actors })
    }
  }
  return edges
}

/**
 * An action given `actor: system` is performed only by its step's timeout. Without one that names
 * it, nobody can perform it. A step acted on by `system` itself is already reported as an unknown
 * role, and a timeout naming an action that does not exist as an unknown timeout action.
 */
function reportUnperformable(ctx: CompileContext, process: CompiledProcess, writtenSteps: readonly StepDefinition[]): void {
  writtenSteps.forEach((written, index) => {
    const step = process.steps.get(written.id)
    if (!step || step.actors.includes('system')) return
    const timeoutAction = written.timeout?.action
    if (timeoutAction !== undefined && !step.actions.has(timeoutAction)) return
    for (const [id, action] of Object.entries(written.actions)) {
      const actors = action.actor === undefined ? [] : typeof action.actor === 'string' ? [action.actor] : action.actor
      if (actors.length !== 1 || actors[0] !== 'system' || timeoutAction === id) continue
      ctx.report('definition.unknown-role', pointerOf('steps', index, 'actions', id, 'actor'),
        `Action "${id}" of step "${written.id}" is restricted to \`system\`, but no timeout of the step performs it, so nobody can.`,
        `Give the step \`timeout: { after: P14D, action: ${id} }\`, or name the role that performs it.`)
    }
  })
}

/** Adds `to` to the list `map` holds for `from`. */
function add(map: Map<string, string[]>, from: string, to: string): void {
  const list = map.get(from)
  if (list) list.push(to)
  else map.set(from, [to])
}

function closure(start: readonly string[], next: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set(start)
  const queue = [...seen]
  for (let i = 0, node = queue[0]; node !== undefined; node = queue[++i]) {
    for (const to of next.get(node) ?? []) {
      if (!seen.has(to)) {
        seen.add(to)
        queue.push(to)
      }
    }
  }
  return seen
}
