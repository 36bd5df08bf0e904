import type { CompiledProcess } from './compiled.js'
import type { GraphEdge } from './graph.js'
import { processEdges } from './graph.js'

/**
 * Renders a compiled process as a Mermaid flowchart: one node per step (title and actors), one
 * per end outcome, solid arrows for actions, dotted arrows for what the system does on a timeout
 * or a window's expiry, and a box around the steps each window covers.
 */
export function toMermaid(process: CompiledProcess): string {
  const lines = ['flowchart TD', `  start((start)) --> ${nodeId(process.initialStep)}`]
  const inWindow = new Set<string>()
  for (const window of process.windows.values()) {
    lines.push(`  subgraph ${nodeId(`window:${window.id}`)}["${text(window.title)}"]`)
    for (const stepId of window.steps) {
      inWindow.add(stepId)
      lines.push(`    ${stepNode(process, stepId)}`)
    }
    lines.push('  end')
  }
  for (const stepId of process.steps.keys()) {
    if (!inWindow.has(stepId)) lines.push(`  ${stepNode(process, stepId)}`)
  }
  const edges = processEdges(process)
  for (const outcome of new Set(edges.filter((e) => e.to.startsWith('end:')).map((e) => e.to))) {
    lines.push(`  ${nodeId(outcome)}(["${text(outcome.slice('end:'.length))}"])`)
  }
  for (const edge of edges) lines.push(`  ${nodeId(edge.from)} ${arrow(edge)} ${nodeId(edge.to)}`)
  return lines.join('\n') + '\n'
}

function stepNode(process: CompiledProcess, stepId: string): string {
  const step = process.steps.get(stepId)
  if (!step) return nodeId(stepId)
  return `${nodeId(stepId)}["${text(step.title)}<br/><i>${text(step.actors.join(' or '))}</i>"]`
}

function arrow(edge: GraphEdge): string {
  switch (edge.kind) {
    case 'action':
      return `-->|"${text(edge.label)}"|`
    case 'timeout':
      return `-.->|"${text(`after ${edge.after}: system performs ${edge.label}`)}"|`
    case 'skip':
      return `-.->|"${text(`skipped unless ${edge.label}`)}"|`
    case 'expiry':
      return `-.->|"${text(`${edge.label} ends after ${edge.after}`)}"|`
  }
}

/**
 * A node's Mermaid id: steps `n_`, ends `e_` (`end:completed`), windows `w_` (`window:warranty`),
 * each id's `-` as `_` (Mermaid ids may not hold `-` or `:` safely, and `end` is a keyword). Ids
 * of one kind never hold `_`, and each kind has its prefix: a step named `end-completed` is not
 * the end `completed`.
 */
function nodeId(id: string): string {
  const [prefix, name] = id.startsWith('end:') ? ['e_', id.slice('end:'.length)] : id.startsWith('window:') ? ['w_', id.slice('window:'.length)] : ['n_', id]
  return `${prefix}${name.replace(/[^A-Za-z0-9]/g, '_')}`
}

/**
 * A label's text inside double quotes: on one line (a line break would end the node and start a
 * line of Mermaid source, such as a `%%{init}%%` directive), with Mermaid's entity codes for what
 * ends or changes a quoted label (a quote, `%%` comments and directives, a backtick's Markdown).
 */
function text(value: string): string {
  return value.replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/%/g, '#37;').replace(/`/g, '#96;')
}
