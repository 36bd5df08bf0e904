import type { CompiledProcess } from './compiled.js'
import type { CompileContext } from './context.js'
import { processEdges } from './graph.js'
import { pointerOf } from './pointer.js'

/**
 * Reports steps no instance can reach from the first step (`definition.unreachable-step`) and
 * reachable steps from which no end of the process can be reached (`definition.no-end`).
 */
export function checkGraph(ctx: CompileContext, process: CompiledProcess, writtenStepIds: readonly string[]): void {
  const edges = processEdges(process)
  const forward = new Map<string, string[]>()
  const backward = new Map<string, string[]>()
  for (const edge of edges) {
    forward.set(edge.from, [...(forward.get(edge.from) ?? []), edge.to])
    backward.set(edge.to, [...(backward.get(edge.to) ?? []), edge.from])
  }
  const reachable = closure([process.initialStep], forward)
  // A `goto` that names no step is reported as `definition.unknown-step`; the step it was meant
  // for would be reported as unreachable too, so reachability waits until the names are right.
  const danglingTargets = edges.some((edge) => !edge.to.startsWith('end:') && !process.steps.has(edge.to))
  // A target that names no step is reported as `definition.unknown-step`; counting it as an end
  // here keeps one mistake from also being reported as `definition.no-end`.
  const ends = edges.filter((edge) => edge.to.startsWith('end:') || !process.steps.has(edge.to)).map((edge) => edge.to)
  const finishing = closure(ends, backward)
  // Indexes are those of the steps as written, so a duplicated id does not shift the locations.
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

function closure(start: readonly string[], next: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set(start)
  const queue = [...start]
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    for (const to of next.get(node) ?? []) {
      if (!seen.has(to)) {
        seen.add(to)
        queue.push(to)
      }
    }
  }
  return seen
}
