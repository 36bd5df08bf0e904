import type { CompiledProcess, Delay, Target } from './compiled.js'

/** A directed edge of a process graph. */
export interface GraphEdge {
  readonly from: string
  /** A step id, or `end:<outcome>` for an end of the process. */
  readonly to: string
  readonly kind: 'action' | 'timeout' | 'expiry' | 'skip'
  /** The action id; for a timeout, the action the system performs; for an expiry, the window id. */
  readonly label: string
  /** Who performs the transition: the step's actors, or `system`. */
  readonly by: readonly string[]
  /** For timeouts and expiries: the delay as written (`P14D` or a parameter name). */
  readonly after?: string
}

/** Every transition of a compiled process: actions, timeouts (fired by the system) and window expiries. */
export function processEdges(process: CompiledProcess): GraphEdge[] {
  const edges: GraphEdge[] = []
  for (const step of process.steps.values()) {
    if (step.when) edges.push({ from: step.id, to: nodeOf(step.otherwise), kind: 'skip', label: step.when.text, by: ['system'] })
    for (const action of step.actions.values()) {
      // An action only the system performs is drawn once, as the timeout that performs it.
      if (action.actors.length === 1 && action.actors[0] === 'system') continue
      edges.push({ from: step.id, to: nodeOf(action.target), kind: 'action', label: action.id, by: action.actors })
      if (action.rounds) {
        edges.push({ from: step.id, to: nodeOf(action.rounds.then), kind: 'action', label: `${action.id} after ${action.rounds.max} rounds`, by: action.actors })
      }
    }
    if (step.timeout) {
      const action = step.actions.get(step.timeout.action)
      if (action) {
        edges.push({ from: step.id, to: nodeOf(action.target), kind: 'timeout', label: action.id, by: ['system'], after: delayText(step.timeout.after) })
      }
    }
    for (const windowId of step.windows) {
      const window = process.windows.get(windowId)
      if (window) {
        edges.push({ from: step.id, to: nodeOf(window.onExpiry), kind: 'expiry', label: window.id, by: ['system'], after: delayText(window.after) })
      }
    }
  }
  return edges
}

/** The graph node a target leads to: a step id or `end:<outcome>`. */
export function nodeOf(target: Target): string {
  return target.kind === 'step' ? target.step : `end:${target.outcome}`
}

/** Each duration's text, made once: a window's delay labels an edge from every step it covers. */
const durationTexts = new WeakMap<object, string>()

/** A delay as the author wrote it: `P14D` or a parameter name. */
export function delayText(delay: Delay): string {
  switch (delay.kind) {
    case 'duration': {
      let text = durationTexts.get(delay.duration)
      if (text === undefined) durationTexts.set(delay.duration, text = delay.duration.toString())
      return text
    }
    case 'parameter': return delay.name
    case 'business-days': return `${delay.days} business day${delay.days === 1 ? '' : 's'} (${delay.calendar.id})`
  }
}
