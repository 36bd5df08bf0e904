import jsonata from 'jsonata'

/**
 * A node of JSONata's abstract syntax tree (`jsonata(text).ast()`, jsonata 2.2), with the fields
 * the checks read. JSONata's typings describe only some of them.
 */
export interface AstNode {
  readonly type: string
  readonly value?: unknown
  readonly steps?: readonly AstNode[]
  readonly expressions?: readonly AstNode[]
  readonly arguments?: readonly AstNode[]
  readonly procedure?: AstNode
  readonly body?: AstNode
  readonly lhs?: AstNode | ReadonlyArray<readonly [AstNode, AstNode]>
  readonly rhs?: AstNode
  readonly expression?: AstNode
  readonly condition?: AstNode
  readonly then?: AstNode
  readonly else?: AstNode
  readonly pattern?: AstNode
  readonly update?: AstNode
  readonly delete?: AstNode
  readonly stages?: ReadonlyArray<{ readonly expr?: AstNode }>
  readonly predicate?: ReadonlyArray<{ readonly expr?: AstNode }>
  readonly group?: { readonly lhs: ReadonlyArray<readonly [AstNode, AstNode]> }
  readonly terms?: ReadonlyArray<{ readonly expression: AstNode }>
  /** `@$name` on a path step: binds the step's item. */
  readonly focus?: string
  /** `#$name` on a path step: binds the item's position. */
  readonly index?: string
}

/** Whether names in a sub-expression are read from the instance (`root`) or from items it iterates over. */
export type Focus = 'root' | 'item'

/** The syntax tree of an expression, or undefined when it does not parse (reported by the compiler). */
export function parseExpression(text: string): AstNode | undefined {
  try {
    return jsonata(text).ast() as unknown as AstNode
  } catch {
    return undefined
  }
}

/**
 * The sub-expressions of `node`, each with what its names are read from. Steps of a path after
 * the first, predicates, grouping and sorting read items; everything else reads what `node`
 * reads (a function defined in an expression sees what it saw where it was defined).
 */
export function childrenOf(node: AstNode, focus: Focus): Array<readonly [AstNode, Focus]> {
  const out: Array<readonly [AstNode, Focus]> = []
  const add = (child: AstNode | undefined, at: Focus): void => {
    if (child) out.push([child, at])
  }
  node.steps?.forEach((step, i) => add(step, i === 0 ? focus : 'item'))
  node.expressions?.forEach((child) => add(child, focus))
  node.arguments?.forEach((child) => add(child, focus))
  if (node.procedure && node.procedure.type !== 'variable') add(node.procedure, focus)
  add(node.body, focus)
  if (Array.isArray(node.lhs)) {
    for (const [key, value] of node.lhs as ReadonlyArray<readonly [AstNode, AstNode]>) {
      add(key, focus)
      add(value, focus)
    }
  } else if (node.type !== 'bind') {
    add(node.lhs as AstNode | undefined, focus)
  }
  add(node.rhs, focus)
  add(node.expression, focus)
  add(node.condition, focus)
  add(node.then, focus)
  add(node.else, focus)
  add(node.pattern, 'item')
  add(node.update, 'item')
  add(node.delete, 'item')
  for (const stage of [...node.stages ?? [], ...node.predicate ?? []]) add(stage.expr, 'item')
  for (const [key, value] of node.group?.lhs ?? []) {
    add(key, 'item')
    add(value, 'item')
  }
  for (const term of node.terms ?? []) add(term.expression, 'item')
  return out
}

/** Every variable the expression binds: with `:=`, as a function's parameter, or with `@$`/`#$` on a step. */
export function boundVariables(root: AstNode): Set<string> {
  const bound = new Set<string>()
  const visit = (node: AstNode): void => {
    if (node.type === 'bind' && !Array.isArray(node.lhs)) {
      const variable = node.lhs as AstNode | undefined
      if (typeof variable?.value === 'string') bound.add(variable.value)
    }
    if (node.type === 'lambda') {
      for (const parameter of node.arguments ?? []) if (typeof parameter.value === 'string') bound.add(parameter.value)
    }
    if (node.focus !== undefined) bound.add(node.focus)
    if (node.index !== undefined) bound.add(node.index)
    for (const [child] of childrenOf(node, 'root')) visit(child)
  }
  visit(root)
  return bound
}

/** The leading names of a path read from the instance, or undefined when it reads something else. */
export function readNames(node: AstNode, focus: Focus): string[] | undefined {
  const steps = node.steps ?? []
  const first = steps[0]
  if (!first) return undefined
  let start = 0
  if (first.type === 'variable') {
    // `$$` is always the instance; `$` is the instance only where names are read from it.
    if (!(first.value === '$' || (first.value === '' && focus === 'root'))) return undefined
    start = 1
  } else if (focus !== 'root') {
    return undefined
  }
  const names: string[] = []
  for (const step of steps.slice(start, start + 12)) {
    if (step.type !== 'name') break
    names.push(String(step.value))
  }
  return names
}

/** A name as it must be written in a path: in backticks unless it is a plain identifier. */
export function quote(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `\`${name}\``
}

/**
 * A chain of subtractions of names that spells one hyphenated path (`data.upload-proof.inputs`
 * is `data.upload - proof.inputs`): its names, and the first name after a minus. Undefined when
 * the subtraction is not of that shape: the minus must stand between two plain names.
 */
export function hyphenatedPath(node: AstNode): { steps: string[]; after: string } | undefined {
  const lhs = node.lhs as AstNode | undefined
  const rhs = node.rhs
  const right = rhs?.type === 'path' ? stepNames(rhs.steps ?? []) : undefined
  const after = right?.[0]
  if (!right || after === undefined || rhs?.steps?.[0]?.type !== 'name' || isFiltered(rhs.steps[0])) return undefined
  let left: string[] | undefined
  if (lhs?.type === 'binary' && lhs.value === '-') left = hyphenatedPath(lhs)?.steps
  else if (lhs?.type === 'path' && !lhs.group) {
    const last = lhs.steps?.at(-1)
    if (last?.type === 'name' && !isFiltered(last)) left = stepNames(lhs.steps ?? [])
  }
  const joined = left?.at(-1)
  if (!left || joined === undefined) return undefined
  return { steps: [...left.slice(0, -1), `${joined}-${after}`, ...right.slice(1)], after }
}

function isFiltered(step: AstNode): boolean {
  return step.stages !== undefined || step.predicate !== undefined
}

/** How the leading steps of a path are written, as far as they are names (a variable as `$x`). */
function stepNames(steps: readonly AstNode[]): string[] {
  const names: string[] = []
  for (const step of steps) {
    if (step.type === 'name') names.push(String(step.value))
    else if (step.type === 'variable') names.push(`$${String(step.value)}`)
    else break
  }
  return names
}
