import { Temporal } from 'temporal-polyfill'
import type { DefinitionCode } from '../errors.js'
import type { CompileContext } from './context.js'
import type { AstNode, Focus } from './expression-ast.js'
import { regexProblem } from './regex-checks.js'
import { EXPRESSION_LIMITS, isTrue } from './expression-limits.js'
import { constantValue } from './constant-expressions.js'
import { boundVariables, childrenOf, hyphenatedPath, parseExpression, quote, readNames } from './expression-ast.js'
import { BUILT_IN_FUNCTIONS, BUILT_IN_SIGNATURES, ENGINE_FUNCTIONS, ENGINE_SIGNATURES, REFUSED_FUNCTIONS } from './expression-functions.js'
import { callProblem } from './call-checks.js'
import { argumentOf, operatorProblem, UNKNOWN } from './argument-types.js'
import { equalityProblem } from './equality-checks.js'
import type { Argument } from './argument-types.js'
import type { LiteralType } from './expression-functions.js'
import { namesWithin } from './expression-names.js'
import type { DeclaredNames, ExpressionNames, Within } from './expression-names.js'
import { suggest } from './suggest.js'
import { typeWords } from './type-words.js'

/** Where an expression is written: a step's `when`, the process's `validity`, or a `record` or check of an action (which also sees its `inputs`). */
export type ExpressionSite =
  | { readonly kind: 'when' }
  | { readonly kind: 'validity' }
  | { readonly kind: 'record'; readonly action: string; readonly inputs: DeclaredNames | undefined }

type Root = Exclude<keyof ExpressionNames, 'stepInputs' | 'stepActions' | 'stepSlots' | 'recorders' | 'durations' | 'instants' | 'parameterTypes'> | 'inputs'
const ROOTS: readonly Root[] = ['context', 'parameters', 'values', 'data', 'parties']

/** What a step's latest submission holds (`data.STEP.X`, see `StepRecord`). */
const SUBMISSION_FIELDS = ['action', 'round', 'by', 'at', 'inputs', 'attachments']

/**
 * Checks a JSONata expression that compiled against the process: every function it calls exists,
 * is deterministic and is given as many arguments as it takes (`definition.expression-function`), every name it reads from the instance
 * exists (`definition.expression-reference`), and no regular expression in it can backtrack
 * exponentially (`definition.expression`). Problems are reported at the expression (`pointer`),
 * one per unknown name.
 */
export function checkExpression(ctx: CompileContext, names: ExpressionNames, text: string, pointer: string, site: ExpressionSite): void {
  const ast = parseExpression(text)
  if (!ast) return
  const reported = new Set<string>()
  const report: Report = (code, key, message, hint) => {
    if (reported.has(key)) return
    reported.add(key)
    ctx.report(code, pointer, message, hint)
  }
  const depth = nestingOf(ast)
  if (depth > MAX_WRITTEN_DEPTH) {
    report('definition.expression', 'depth', `This expression nests ${depth.toLocaleString('en')} levels deep (each \`or\`, \`and\` or operator in a chain is one): evaluating it nests deeper still, and an evaluation stops at ${EXPRESSION_LIMITS.depth.toLocaleString('en')} levels, so it would fail every time.`,
      'Write it in fewer levels: a list rather than a chain of alternatives, e.g. context.productId in ["p0", "p1", "p2"].')
    return
  }
  const checker = new Checker(names, site, boundVariables(ast), report)
  checker.visit(ast, 'root')
  if (site.kind === 'when') constantCondition(ast, report)
}

/**
 * The most levels an expression may be written in: half the depth an evaluation may reach
 * ({@link EXPRESSION_LIMITS}), which counts its calls and steps besides; a chain of 999 `or`s
 * failed at every evaluation. Written expressions take a few levels.
 */
const MAX_WRITTEN_DEPTH = EXPRESSION_LIMITS.depth / 2

/** How many levels deep an expression's syntax tree goes, counted without recursion (a tree may be thousands deep). */
function nestingOf(ast: AstNode): number {
  let deepest = 0
  const pending: Array<readonly [AstNode, Focus, number]> = [[ast, 'root', 1]]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, focus, depth] = next
    deepest = Math.max(deepest, depth)
    for (const [child, at] of childrenOf(node, focus)) pending.push([child, at, depth + 1])
  }
  return deepest
}

/** The names an expression reads under `root` of the instance (`values.X`, `$$.values.X`; `data.STEP`). */
export function namesRead(text: string, root: 'values' | 'data'): string[] {
  const ast = parseExpression(text)
  const read = new Set<string>()
  const visit = (node: AstNode, focus: Focus): void => {
    const names = node.type === 'path' ? readNames(node, focus) : undefined
    if (names?.[0] === root && names[1] !== undefined) read.add(names[1])
    for (const [child, at] of childrenOf(node, focus)) visit(child, at)
  }
  if (ast) visit(ast, 'root')
  return [...read]
}

/**
 * A `when` that is a constant which reads otherwise than it decides: `false` (or null, 0, "", or
 * what reads nothing and comes to one of them: `[]`, `{}`, `()`, `1 = 2`) never enters the step,
 * and a text always does, `'false'` included.
 */
function constantCondition(ast: AstNode, report: Report): void {
  const constant = constantValue(ast)
  if (constant !== undefined && !isTrue(constant.value)) {
    const literal = ast.type === 'value' || ast.type === 'number' || ast.type === 'string'
    report('definition.expression', 'constant', `This \`when\` ${literal ? `is the constant ${JSON.stringify(ast.value)}` : 'reads nothing and is always false'}: the step is never entered, every delivery skipping it.`,
      'Write the condition that decides whether the step applies (e.g. $not(context.renewal = true)), or remove the step.')
  } else if (ast.type === 'string') {
    report('definition.expression', 'constant', `This \`when\` is the text ${JSON.stringify(ast.value)}, which JSONata takes as true: the step is always entered.`,
      'Write a condition without quotes around it (context.renewal = true), or remove `when`.')
  }
}

/** Reports a problem at the expression, once per `key` (what is unknown), so a name read twice is one problem. */
type Report = (code: Extract<DefinitionCode, `definition.expression${string}`>, key: string, message: string, hint: string) => void

class Checker {
  readonly #names: ExpressionNames
  readonly #site: ExpressionSite
  readonly #bound: ReadonlySet<string>
  readonly #report: Report
  readonly #roots: readonly Root[]
  /** Calls on the right of `~>`, which get what is on its left (kept here, when a single expression) as their first argument. */
  readonly #piped = new WeakMap<AstNode, AstNode | undefined>()
  constructor(names: ExpressionNames, site: ExpressionSite, bound: ReadonlySet<string>, report: Report) {
    this.#names = names
    this.#site = site
    this.#bound = bound
    this.#report = report
    this.#roots = site.kind === 'record' ? [...ROOTS, 'inputs'] : ROOTS
  }

  /** The input fields of the action whose expression this is (a `record` or a check), else undefined. */
  get #inputs(): DeclaredNames | undefined {
    return this.#site.kind === 'record' ? this.#site.inputs : undefined
  }

  visit(node: AstNode, focus: Focus): void {
    if (node.type === 'binary' && node.value === '-' && focus === 'root' && this.#hyphenated(node)) return
    if (node.type === 'path') this.#path(node, focus)
    if (node.type === 'binary' && ['<', '>', '<=', '>='].includes(String(node.value))) this.#ordered(node, focus)
    if (node.type === 'binary' && (node.value === '=' || node.value === '!=')) this.#equality(node, focus)
    if ((node.type === 'binary' && !Array.isArray(node.lhs)) || (node.type === 'unary' && node.value === '-')) this.#operator(node, focus)
    if (node.type === 'apply' && node.rhs?.type === 'function') this.#piped.set(node.rhs, Array.isArray(node.lhs) ? undefined : node.lhs as AstNode | undefined)
    if (node.type === 'function' && node.procedure?.type === 'variable' && !this.#bound.has(String(node.procedure.value))) {
      this.#literals(String(node.procedure.value), [...(this.#piped.has(node) ? [undefined] : []), ...(node.arguments ?? [])])
    }
    if ((node.type === 'function' || node.type === 'partial') && node.procedure?.type === 'variable') {
      const argument = (arg: AstNode | undefined): Argument => (arg === undefined ? UNKNOWN : argumentOf(arg, focus, this.#names, this.#inputs, this.#bound))
      this.#call(String(node.procedure.value), [...(this.#piped.has(node) ? [argument(this.#piped.get(node))] : []), ...(node.arguments ?? []).map(argument)], focus)
    }
    if (node.type === 'variable') this.#variable(String(node.value))
    const regex = node.type === 'regex' && node.value instanceof RegExp ? regexProblem(node.value) : undefined
    if (regex) this.#report('definition.expression', `regex:${(node.value as RegExp).source}`, regex.message, regex.hint)
    for (const [child, at] of childrenOf(node, focus)) this.visit(child, at)
  }

  /**
   * An order comparison of a duration parameter, or of an instant (`$now()`, a date-time input,
   * context field or parameter), which JSONata makes between texts: "P14D" comes before "P7D",
   * and 2026-03-01T09:00:00+08:00 after 2026-03-01T02:00:00Z, the same instant.
   */
  #ordered(node: AstNode, focus: Focus): void {
    const instants: string[] = []
    for (const side of [node.lhs, node.rhs]) {
      if (!side || Array.isArray(side)) continue
      const written = side as AstNode
      if (written.type === 'function' && written.procedure?.type === 'variable' && written.procedure.value === 'now') {
        instants.push('$now()')
        continue
      }
      const names = written.type === 'path' ? readNames(written, focus) : undefined
      const [root, name] = names ?? []
      if (name === undefined || names?.length !== 2) continue
      if (root === 'parameters' && this.#names.durations.includes(name)) {
        this.#report('definition.expression', `ordered:${name}`, `\`parameters.${name}\` is a duration, which \`${String(node.value)}\` compares as a text: "P14D" comes before "P7D".`,
          `Compare the instants the durations lead to, e.g. $addDuration($now(), parameters.${name}) > $addDuration($now(), "P7D").`)
      }
      const fields = root === 'context' ? this.#names.context?.fields : root === 'inputs' ? this.#inputs?.fields : undefined
      const field = fields?.[name] as { readonly format?: unknown } | undefined
      if ((root === 'parameters' && this.#names.instants.includes(name)) || field?.format === 'date-time') instants.push(`${root}.${name}`)
    }
    if (instants.length === 0) return
    this.#report('definition.expression', `ordered:${instants.join(' ')}`,
      `\`${String(node.value)}\` compares ${instants.map((name) => `\`${name}\``).join(' and ')} as texts, letter by letter, where ${instants.length === 1 ? 'it is an instant' : 'they are instants'}: 2026-03-01T09:00:00+08:00 comes after 2026-03-01T02:00:00Z, the same instant.`,
      `Compare instants as numbers, $toMillis(${instants.find((name) => name !== '$now()') ?? 'context.placedAt'}) for a text and $millis() for now; or use a check's notBefore or notAfter.`)
  }

  /** `=` or `!=` that is always false, or always true (see {@link equalityProblem}). */
  #equality(node: AstNode, focus: Focus): void {
    const problem = equalityProblem(node, focus, this.#names, this.#inputs)
    if (problem) this.#report('definition.expression', problem.key, problem.message, problem.hint)
  }

  /** Arithmetic or an order comparison that fails on what is known of its operands (see {@link operatorProblem}). */
  #operator(node: AstNode, focus: Focus): void {
    const inputs = this.#inputs
    const sides = (node.type === 'unary' ? [node.expression] : [node.lhs as AstNode | undefined, node.rhs]).filter((side): side is AstNode => side !== undefined)
    const problem = operatorProblem(String(node.value), sides.map((side) => [argumentOf(side, focus, this.#names, inputs, this.#bound), side] as const))
    if (problem) this.#report('definition.expression', `operator:${String(node.value)}:${problem.message}`, problem.message, problem.hint)
  }

  /** Names read from the instance: `context.x`, `$$.values.y`, and `$.data.z` where `$` is the instance. */
  #path(node: AstNode, focus: Focus): void {
    const names = readNames(node, focus)
    if (names) this.#fields(names)
  }

  /** Checks the leading names of a path read from the instance: the root, the field of it, and within a step's data. */
  #fields(names: readonly string[]): void {
    const [root, field, part, input] = names
    if (root === undefined) return
    if (!(this.#roots as readonly string[]).includes(root)) {
      this.#report('definition.expression-reference', `root:${root}`, `There is no "${root}" for an expression to read.`, this.#rootHint(root))
      return
    }
    const known = this.#known(root as Root)
    if (field === undefined || known === undefined) return
    if (known.names.includes(field)) {
      if (root === 'data' && part !== undefined) this.#submission(field, part, input, names.slice(4))
      else this.#within(known, names.slice(0, 2), names.slice(2))
      return
    }
    const [what, plural] = FIELDS[root as Root]
    const owner = root === 'inputs' && this.#site.kind === 'record' ? ` of action "${this.#site.action}"` : ''
    const read = `read as ${quote(root)}.${quote(field)}`
    if (known.closed) {
      this.#report('definition.expression-reference', `field:${root}.${field}`, `There is no ${what} "${field}"${owner}, ${read}.`,
        known.names.length === 0 ? NONE[root as Root] : suggest(field, known.names, plural))
      return
    }
    // Where the schema admits other properties, an undeclared name may be sent: only a near
    // miss of a declared one is surely a mistake.
    const close = suggest(field, known.names, plural)
    if (close.startsWith('Did you mean')) {
      this.#report('definition.expression-reference', `field:${root}.${field}`, `No ${what} "${field}" is declared${owner}, ${read}.`,
        `${close} Other ${plural} may be sent, but this one is a near miss of a declared one; declare it if it is meant.`)
    }
  }

  /** `data.STEP.PART.INPUT`: what a submission holds, and the inputs the step's actions take. */
  #submission(step: string, part: string, input: string | undefined, deeper: readonly string[]): void {
    const read = `read as ${['data', step, part, input].filter((n) => n !== undefined).map(quote).join('.')}`
    if (!SUBMISSION_FIELDS.includes(part)) {
      const close = suggest(part, SUBMISSION_FIELDS, 'fields')
      this.#report('definition.expression-reference', `submission:${part}`, `A step's data has no field "${part}", ${read}.`,
        `${close.startsWith('Did you mean') ? `${close} ` : ''}It holds ${SUBMISSION_FIELDS.join(', ')}.`)
      return
    }
    const slots = this.#names.stepSlots.get(step)
    if (part === 'attachments' && input !== undefined && slots && !slots.includes(input)) {
      this.#report('definition.expression-reference', `step-slot:${step}.${input}`, `No action of step "${step}" has an attachment slot "${input}", ${read}.`,
        slots.length === 0 ? `The actions of step "${step}" take no attachments.` : suggest(input, slots, 'slots'))
      return
    }
    const declared = this.#names.stepInputs.get(step)
    if (part !== 'inputs' || input === undefined || !declared) return
    if (declared.names.includes(input)) {
      this.#within(declared, ['data', step, part, input], deeper)
      return
    }
    const close = suggest(input, declared.names, 'input fields')
    if (declared.closed) {
      this.#report('definition.expression-reference', `step-input:${step}.${input}`, `No action of step "${step}" takes an input "${input}", ${read}.`,
        declared.names.length === 0 ? `The actions of step "${step}" take no inputs.` : close)
    } else if (close.startsWith('Did you mean')) {
      this.#report('definition.expression-reference', `step-input:${step}.${input}`, `No action of step "${step}" declares an input "${input}", ${read}.`,
        `${close} Other inputs may be sent, but this one is a near miss of a declared one; declare it if it is meant.`)
    }
  }

  /**
   * The names read inside a declared field (`context.contact.emial`, `inputs.note.length`): each
   * must be declared by the object it is read in, as at the first level; a text, number or
   * boolean holds none. `read` is the path up to the field, `names` what follows it.
   */
  #within(declared: DeclaredNames, read: readonly string[], names: readonly string[]): void {
    const field = read.at(-1) as string
    let within: Within = declared.fields !== undefined && Object.hasOwn(declared.fields, field) ? namesWithin(declared.fields[field]) : undefined
    const path = [...read]
    for (const name of names) {
      if (within === undefined) return
      const here = path.map(quote).join('.')
      const full = `read as ${[...path, name].map(quote).join('.')}`
      if ('scalar' in within) {
        const kind = within.inList ? `a list of ${typeWords(within.scalar, 'plural')}` : typeWords(within.scalar, 'one')
        const hint = within.inList ? `The number of its items is $count(${here}).`
          : name === 'length' && within.scalar === 'string' ? `Its length is $length(${here}).` : 'Read it whole, or pass it to a function (https://docs.jsonata.org/overview).'
        this.#report('definition.expression-reference', `within:${here}.${name}`, `${here} is ${kind}, which holds no field "${name}", ${full}.`, hint)
        return
      }
      if (!within.names.includes(name)) {
        const close = suggest(name, within.names, 'fields')
        if (within.closed) {
          this.#report('definition.expression-reference', `within:${here}.${name}`, `There is no field "${name}" in ${here}, ${full}.`, within.names.length === 0 ? `${here} declares no fields.` : close)
        } else if (close.startsWith('Did you mean')) {
          this.#report('definition.expression-reference', `within:${here}.${name}`, `No field "${name}" is declared in ${here}, ${full}.`,
            `${close} Other fields may be sent, but this one is a near miss of a declared one; declare it if it is meant.`)
        }
        return
      }
      const fields: Readonly<Record<string, unknown>> | undefined = within.fields
      within = fields !== undefined && Object.hasOwn(fields, name) ? namesWithin(fields[name]) : undefined
      path.push(name)
    }
  }

  /** The names declared one level below a root, or undefined where they are unknown. */
  #known(root: Root): DeclaredNames | undefined {
    if (root === 'inputs') return this.#inputs
    return this.#names[root]
  }

  #rootHint(root: string): string {
    if (root === 'inputs') {
      return this.#site.kind === 'validity'
        ? 'A `validity` sees no `inputs`: read what an action recorded (values.NAME) or a submission (data.STEP.inputs).'
        : 'A step\'s `when` sees no `inputs`: only an action\'s `record` and `checks` do. Read an earlier submission as data.STEP.inputs.'
    }
    // `True`, `NULL`: JSONata's values are written in lower case; other letters read as a name.
    if (['true', 'false', 'null'].includes(root.toLowerCase())) return `Did you mean \`${root.toLowerCase()}\`? JSONata writes true, false and null in lower case.`
    const close = suggest(root, this.#roots, 'names')
    return `${close.startsWith('Did you mean') ? `${close} ` : ''}Expressions see ${this.#roots.join(', ')}.`
  }

  /**
   * `context.order-id` reads as `context.order - id`: JSONata takes a hyphen as a minus sign. When
   * the name after a minus is none the instance has, it is reported once, as the hyphenated name
   * it surely is, with the backticks it needs.
   */
  #hyphenated(node: AstNode): boolean {
    const names = hyphenatedPath(node)
    // A minus before a name the instance may have is a subtraction (`inputs`, in a `when`, is reported as such).
    if (!names || [...ROOTS, 'inputs'].includes(names.after)) return false
    const written = names.steps.join('.')
    const quoted = names.steps.map(quote).join('.')
    const [root, field] = names.steps
    const known = root !== undefined && (this.#roots as readonly string[]).includes(root) ? this.#known(root as Root) : undefined
    const close = field !== undefined && known?.names.length && !known.names.includes(field) ? ` ${suggest(field, known.names, FIELDS[root as Root][1])}` : ''
    this.#report('definition.expression-reference', `hyphen:${written}`,
      `\`${written}\` reads as a subtraction: JSONata takes "-" in a name as a minus sign.`,
      `Write a name with a hyphen in backticks: ${quoted}.${close}`)
    return true
  }

  /** A call of `$name` passing these arguments (none when the function is only named, as a value), where `focus` is the current value. */
  #call(name: string, args?: readonly Argument[], focus?: Focus): void {
    const given = args?.length
    if (this.#bound.has(name)) return
    const refused = REFUSED_FUNCTIONS.get(name)
    if (refused !== undefined) {
      this.#report('definition.expression-function', `call:${name}`, `\`$${name}()\` may not be called: ${refused}.`,
        name === 'eval' ? 'Write the expression itself instead of text to evaluate.' : 'Compute the value from the instance (its context, inputs or $now()).')
      return
    }
    if ((name === 'now' || name === 'millis') && given !== undefined && given > 0) {
      this.#report('definition.expression-function', `arguments:${name}:${given}`, `\`$${name}()\` takes no arguments here: it is the instant of the decision, and would ignore them.`,
        'To write the instant in another form, use $fromMillis($millis(), picture, timezone), e.g. $fromMillis($millis(), "[Y0001]-[M01]-[D01]", "+0800").')
      return
    }
    const signature = BUILT_IN_SIGNATURES.get(name) ?? ENGINE_SIGNATURES.get(name)
    if (signature !== undefined) {
      if (args !== undefined) this.#arguments(name, signature, args, focus === 'root' ? 'o' : undefined)
      return
    }
    const callable = [...BUILT_IN_FUNCTIONS, ...ENGINE_FUNCTIONS, ...this.#bound].filter((f) => !REFUSED_FUNCTIONS.has(f)).map((f) => `$${f}`)
    const close = suggest(`$${name}`, callable, 'functions')
    this.#report('definition.expression-function', `call:${name}`, `There is no function \`$${name}\`.`,
      `${close.startsWith('Did you mean') ? `${close} ` : ''}Expressions may call JSONata's functions (https://docs.jsonata.org/overview), $addDuration, $instant, and functions they define with :=.`)
  }

  /** A call JSONata refuses for its arguments' number or types, or where the current value stands for its first (`current`: the instance outside a path). */
  #arguments(name: string, signature: string, typed: readonly Argument[], current: LiteralType): void {
    const problem = callProblem(name, signature, typed, current)
    if (problem) this.#report('definition.expression-function', problem.key, problem.message, problem.hint)
  }

  /** Text literals the engine's functions cannot use: a duration `$addDuration` cannot add, an instant `$instant` cannot read. */
  #literals(name: string, args: ReadonlyArray<AstNode | undefined>): void {
    const text = (node: AstNode | undefined): string | undefined => (node?.type === 'string' && typeof node.value === 'string' ? node.value : undefined)
    const instant = name === 'instant' || name === 'addDuration' ? text(args[0]) : undefined
    if (instant !== undefined && instantProblem(instant) !== undefined) {
      this.#report('definition.expression-function', `literal:${name}:${instant}`, `\`$${name}()\` is given "${instant}", which is not an instant: ${instantProblem(instant)}.`,
        'Write an RFC 3339 instant with its offset, such as "2026-01-01T00:00:00Z" or "2026-01-01T08:00:00+08:00".')
    }
    const duration = name === 'addDuration' ? text(args[1]) : undefined
    if (duration !== undefined && durationProblem(duration) !== undefined) {
      this.#report('definition.expression-function', `literal:${name}:${duration}`, `\`$addDuration()\` is given "${duration}", which is not an ISO 8601 duration: ${durationProblem(duration)}.`,
        'Write an ISO 8601 duration such as "P14D" (14 days), "P1M" (a month), "PT12H" (12 hours) or "-P1D" (a day before), or name a duration parameter (parameters.NAME).')
    }
  }

  #variable(name: string): void {
    // `$` is the current item and `$$` the instance; functions may be passed as values.
    if (name === '' || name === '$' || this.#bound.has(name) || BUILT_IN_FUNCTIONS.includes(name) || ENGINE_FUNCTIONS.includes(name)) {
      if (REFUSED_FUNCTIONS.has(name) && !this.#bound.has(name)) this.#call(name)
      return
    }
    const field = (this.#roots as readonly string[]).includes(name)
    const close = suggest(`$${name}`, [...this.#bound].map((v) => `$${v}`), 'variables')
    this.#report('definition.expression-reference', `variable:${name}`, `There is no variable \`$${name}\`.`,
      field ? `Read the instance's fields without "$": write ${name}, not $${name}.`
        : `${close.startsWith('Did you mean') ? `${close} ` : ''}Bind a variable before using it ($${name} := ...), or read a field without "$".`)
  }
}

/** Why Temporal cannot read `text` as `read` does (what the engine's functions do at run time), or undefined. */
function temporalProblem(read: (text: string) => unknown, text: string): string | undefined {
  try {
    read(text)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
const instantProblem = (text: string): string | undefined => temporalProblem((t) => Temporal.Instant.from(t), text)
const durationProblem = (text: string): string | undefined => temporalProblem((t) => Temporal.Duration.from(t), text)

/** "1 argument", "2 arguments". */
/** The hint when the process declares no name at all under a root. */
const NONE: Record<Root, string> = {
  context: 'The context schema declares no properties; list them under `context.properties`.',
  parameters: 'The process declares no parameters; declare them under `parameters`.',
  values: 'No action records a value; record one with `record` on an action.',
  data: 'The process has no steps.',
  parties: 'The process declares no roles.',
  inputs: 'The action takes no inputs; declare them under its `inputs`.',
}

const FIELDS: Record<Root, readonly [string, string]> = {
  context: ['context field', 'context fields'],
  parameters: ['parameter', 'parameters'],
  values: ['recorded value', 'recorded values'],
  data: ['step', 'steps'],
  parties: ['role', 'roles'],
  inputs: ['input field', 'input fields'],
}
