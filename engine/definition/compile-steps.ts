import type { AttachmentRule, CompiledAction, CompiledCalendar, CompiledParameter, CompiledSchema, CompiledStep, CompiledTimeout, Target } from './compiled.js'
import { REQUEST_CARRIES } from './limits.js'
import type { CompileContext } from './context.js'
import type { ActionDefinition, AttachmentSlotDefinition, JsonSchema, StepDefinition } from './definition.js'
import { ATTACHMENT_TYPES, isAttachmentType } from './attachment-types.js'
import type { AttachmentType } from './attachment-types.js'
import { resolveDelay } from './compile-parameters.js'
import { compileReminders } from './compile-reminders.js'
import { closeObjects, compileAuthoredSchema } from './json-schema.js'
import { declaredNames } from './expression-names.js'
import type { ExpressionNames } from './expression-names.js'
import { checkInputPath, compileChecks } from './compile-checks.js'
import { expressionAt } from './compile-expression.js'
import { namesRead } from './check-expressions.js'
import { neverHolds } from './constant-expressions.js'
import { parsePointer, pointerOf } from './pointer.js'
import { parseSize } from './quantities.js'
import { listNames, suggest } from './suggest.js'

/** What compiling a step needs to know about the rest of the process. */
export interface StepScope {
  readonly roles: readonly string[]
  readonly stepIds: readonly string[]
  readonly parameters: ReadonlyMap<string, CompiledParameter>
  readonly calendars: ReadonlyMap<string, CompiledCalendar>
  readonly timeZone: string
  /** Window ids by the step ids they cover. */
  readonly windowsByStep: ReadonlyMap<string, readonly string[]>
  /** What expressions may read, to check them against. */
  readonly expressionNames: ExpressionNames
}

/** Checks and compiles the step at `steps[index]`; its problems go to `ctx`. */
export function compileStep(ctx: CompileContext, scope: StepScope, step: StepDefinition, index: number): CompiledStep {
  const at = (...path: ReadonlyArray<string | number>): string => pointerOf('steps', index, ...path)
  const actors = typeof step.actor === 'string' ? [step.actor] : [...step.actor]
  actors.forEach((actor, i) => {
    if (actor !== 'admin' && !scope.roles.includes(actor)) {
      ctx.report('definition.unknown-role', typeof step.actor === 'string' ? at('actor') : at('actor', i),
        `Step "${step.id}" is acted on by "${actor}", which is not a role of this process.`,
        actor === 'system'
          ? 'The system acts only through a `timeout` or a window\'s `onExpiry`; name the role that acts in this step.'
          : `${suggest(actor, scope.roles, 'roles')} Declare it under \`roles\`, or use the built-in \`admin\`.`)
    }
  })
  const next = scope.stepIds[index + 1]
  const actions = new Map<string, CompiledAction>()
  for (const [id, action] of Object.entries(step.actions)) {
    actions.set(id, compileAction(ctx, scope, action, { id, stepId: step.id, next, actors, at: (...p) => at('actions', id, ...p) }))
  }
  // A skipped last step has no next step to go to: it must say where (`otherwise`), as an action must.
  if (next === undefined && step.when !== undefined && step.otherwise === undefined) {
    ctx.report('definition.missing-target', at('when'), `Step "${step.id}" is the last and may be skipped (\`when\`), but says nowhere to go then.`,
      'Add `otherwise: { end: OUTCOME }` (or `goto` a step): with no step after it, a skipped step has nowhere to lead.')
  }
  const fallThrough: Target = next === undefined ? { kind: 'end', outcome: 'completed' } : { kind: 'step', step: next }
  return {
    id: step.id,
    title: step.title,
    description: step.description,
    actors,
    when: step.when === undefined ? undefined : expressionAt(ctx, scope, step.when, at('when'), { kind: 'when' }),
    otherwise: step.otherwise === undefined ? fallThrough : targetAt(ctx, scope, step.otherwise, at('otherwise')),
    actions,
    timeout: step.timeout ? compileTimeout(ctx, scope, step, actions, at) : undefined,
    windows: scope.windowsByStep.get(step.id) ?? [],
  }
}

interface ActionPlace {
  readonly id: string
  readonly stepId: string
  readonly next: string | undefined
  readonly actors: readonly string[]
  readonly at: (...path: ReadonlyArray<string | number>) => string
}

function compileAction(ctx: CompileContext, scope: StepScope, action: ActionDefinition, place: ActionPlace): CompiledAction {
  const attachments = new Map<string, AttachmentRule>()
  const required = Object.values(action.attachments ?? {}).map((rule) => rule.min ?? 0).filter((min) => min > 0)
  const files = required.reduce((sum, min) => sum + min, 0)
  if (files > REQUEST_CARRIES.attachmentIds || required.length > REQUEST_CARRIES.attachmentSlots) {
    ctx.report('definition.attachment-count', place.at('attachments'), files > REQUEST_CARRIES.attachmentIds
      ? `Action "${place.id}" requires ${files} files over its slots, and an act attaches at most ${REQUEST_CARRIES.attachmentIds}: no act could perform it.`
      : `Action "${place.id}" requires files in ${required.length} slots, and an act attaches files to at most ${REQUEST_CARRIES.attachmentSlots}: no act could perform it.`,
    'Lower the slots\' `min`, or split the files over actions of their own.')
  }
  for (const [slot, rule] of Object.entries(action.attachments ?? {})) {
    attachments.set(slot, compileSlot(ctx, slot, rule, (...p) => place.at('attachments', slot, ...p)))
  }
  return {
    id: place.id,
    title: action.title ?? place.id,
    description: action.description,
    target: resolveTarget(ctx, scope, action, place),
    actors: actionActors(ctx, action, place),
    record: ((entries) => {
      // Where each value is recorded, to tell one read before it (an index, not a list of those after: thousands of values each read once).
      const order = new Map(entries.map(([name], index) => [name, index]))
      const site = { kind: 'record', action: place.id, inputs: declaredNames(action.inputs ?? { type: 'object' }) } as const
      return entries.flatMap(([name, text], index) => {
        const expression = expressionAt(ctx, scope, text, place.at('record', name), site)
        if (expression) readBeforeRecorded(ctx, scope, place, (value) => (order.get(value) ?? -1) > index, text, name)
        return expression ? [[name, expression] as const] : []
      })
    })(Object.entries(action.record ?? {})),
    require: (action.require ?? []).flatMap((rule, i) => {
      checkRulePointer(ctx, action, place, rule.pointer, place.at('require', i, 'pointer'))
      const site = { kind: 'record', action: place.id, inputs: declaredNames(action.inputs ?? { type: 'object' }) } as const
      const when = rule.when === undefined ? undefined : expressionAt(ctx, scope, rule.when, place.at('require', i, 'when'), site)
      const that = expressionAt(ctx, scope, rule.that, place.at('require', i, 'that'), site)
      if (that && neverHolds(rule.that)) {
        ctx.report('definition.expression', place.at('require', i, 'that'), `This rule's \`that\` is always false (it reads nothing that could make it true): every "${place.id}" would be refused.`,
          'Write the condition the action requires (e.g. inputs.accepted = true), or remove the rule.')
      }
      return that && (rule.when === undefined || when) ? [{ when, that, pointer: rule.pointer, message: rule.message }] : []
    }),
    rounds: resolveRounds(ctx, scope, action, place),
    inputs: compileInputs(ctx, action.inputs ?? { type: 'object' }, place.at('inputs')),
    checks: compileChecks(ctx, scope, action.checks ?? [], action.inputs ?? { type: 'object' }, place.id, place.at),
    attachments,
  }
}

/**
 * A recorded value read before its action records it: the values of one action are recorded in
 * the order written, each seeing those before it, so reading one this action records later (and
 * no other action records) reads nothing.
 */
function readBeforeRecorded(ctx: CompileContext, scope: StepScope, place: ActionPlace, recordedLater: (value: string) => boolean, text: string, name: string): void {
  for (const value of namesRead(text, 'values')) {
    if (!recordedLater(value) || (scope.expressionNames.recorders.get(value) ?? 0) > 1) continue
    ctx.report('definition.expression-reference', place.at('record', name), `"${value}" is read before action "${place.id}" records it: the values of an action are recorded in the order written, so values.${value} would be nothing here.`,
      `Record "${value}" above "${name}", or read what it is computed from.`)
  }
}

/**
 * A `require` rule's pointer names what the action takes: an input its schema declares (where the
 * object admits no other), or one of its attachment slots (`definition.check-input`, with "Did you
 * mean"); a refusal naming something else would point a person at a field that is not there.
 */
function checkRulePointer(ctx: CompileContext, action: ActionDefinition, place: ActionPlace, rulePointer: string, at: string): void {
  const [root, ...path] = parsePointer(rulePointer)
  if (root === 'inputs' && path.length > 0) {
    checkInputPath(ctx, action.inputs ?? { type: 'object' }, path, place.id, at, 'this rule')
    return
  }
  const slots = Object.keys(action.attachments ?? {})
  const slot = path[0]
  if (root === 'attachments' && slot !== undefined && !slots.includes(slot)) {
    ctx.report('definition.check-input', at, `Action "${place.id}" has no attachment slot "${slot}" for this rule to apply to.`,
      slots.length === 0 ? 'The action takes no attachments; declare the slot under its `attachments` first.' : suggest(slot, slots, 'slots'))
  }
}

function resolveTarget(ctx: CompileContext, scope: StepScope, action: ActionDefinition, place: ActionPlace): Target {
  if (action.goto !== undefined && action.end !== undefined) {
    ctx.report('definition.conflicting-target', place.at('goto'),
      `Action "${place.id}" of step "${place.stepId}" has both \`goto\` and \`end\`.`, 'An action either leads to a step or ends the process: keep one.')
  }
  if (action.end !== undefined) return { kind: 'end', outcome: action.end }
  if (action.goto !== undefined) {
    checkStepRef(ctx, scope, action.goto, place.at('goto'))
    return { kind: 'step', step: action.goto }
  }
  if (place.next === undefined) {
    ctx.reportAtKey('definition.missing-target', place.at(),
      `Action "${place.id}" of the last step "${place.stepId}" has no step after it to lead to.`, 'Add `end: completed` (or another outcome), or `goto` a step.')
    return { kind: 'end', outcome: 'completed' }
  }
  return { kind: 'step', step: place.next }
}

function actionActors(ctx: CompileContext, action: ActionDefinition, place: ActionPlace): readonly string[] {
  if (action.actor === undefined) return place.actors
  const actors = typeof action.actor === 'string' ? [action.actor] : [...action.actor]
  actors.forEach((actor, i) => {
    // `system` marks an action only the system performs, through a timeout.
    if (actor !== 'system' && !place.actors.includes(actor)) {
      ctx.report('definition.unknown-role', typeof action.actor === 'string' ? place.at('actor') : place.at('actor', i),
        `Action "${place.id}" is restricted to "${actor}", who does not act in step "${place.stepId}".`,
        `The step's actors are ${listNames(place.actors)}; an action may be restricted to some of them, or to \`system\` (performed only by a timeout).`)
    }
  })
  return actors
}

/** A `{ goto }` or `{ end }` object as a target, checking the step exists. */
function targetAt(ctx: CompileContext, scope: StepScope, target: { readonly goto?: string; readonly end?: string }, pointer: string): Target {
  if (target.goto !== undefined) {
    checkStepRef(ctx, scope, target.goto, `${pointer}/goto`)
    return { kind: 'step', step: target.goto }
  }
  return { kind: 'end', outcome: target.end ?? 'completed' }
}

function resolveRounds(ctx: CompileContext, scope: StepScope, action: ActionDefinition, place: ActionPlace): CompiledAction['rounds'] {
  if (action.maxRounds === undefined || action.onMaxRounds === undefined) return undefined
  if (action.onMaxRounds.goto !== undefined && action.onMaxRounds.goto === action.goto) {
    ctx.report('definition.conflicting-target', place.at('onMaxRounds', 'goto'), `Past ${action.maxRounds} rounds, action "${place.id}" leads to "${action.goto}", where it leads anyway: \`maxRounds\` would change nothing.`,
      'Lead somewhere else once the rounds are spent (an administrator\'s step, or an `end`).')
  }
  return { max: action.maxRounds, then: targetAt(ctx, scope, action.onMaxRounds, place.at('onMaxRounds')) }
}

/** Reports `definition.unknown-step` when `stepId` names no step. */
export function checkStepRef(ctx: CompileContext, scope: Pick<StepScope, 'stepIds'>, stepId: string, pointer: string): void {
  if (!scope.stepIds.includes(stepId)) {
    const close = suggest(stepId, scope.stepIds, 'steps')
    // `goto: end` (or done, finish...) means to end the process, which `end: OUTCOME` does.
    const ending = /^(end|done|finish|finished|complete|completed|stop|exit)$/i.test(stepId) && !close.startsWith('Did you mean')
      ? ' To end the process, write `end: OUTCOME` (e.g. `end: completed`) instead of `goto`.' : ''
    ctx.report('definition.unknown-step', pointer, `There is no step "${stepId}".`, `${close}${ending}`)
  }
}

/**
 * Compiles an author's JSON Schema with unknown properties closed; reports every reason it cannot
 * be used (not valid JSON Schema, an unknown format, a bad pattern, a `required` property that is
 * not declared), each at the value or key to fix.
 */
export function compileInputs(ctx: CompileContext, schema: JsonSchema, pointer: string, code: 'definition.input-schema' | 'definition.context-schema' = 'definition.input-schema'): CompiledSchema {
  const type = typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>)['type'] : undefined
  if (type !== undefined && !(Array.isArray(type) ? type : [type]).includes('object')) {
    ctx.report(code, `${pointer}/type`, `${code === 'definition.context-schema' ? 'A delivery\'s context is' : 'An action\'s inputs are'} always an object of named fields, which \`type: ${JSON.stringify(type)}\` refuses: no ${code === 'definition.context-schema' ? 'delivery could ever start' : 'input could ever be accepted'}.`,
      'Write `type: object` and list the fields under `properties`.')
  }
  const closed = closeObjects(schema)
  const validate = compileAuthoredSchema(closed)
  if (typeof validate === 'function') return { schema: closed, validate }
  for (const fault of validate) {
    const report = fault.atKey ? ctx.reportAtKey.bind(ctx) : ctx.report.bind(ctx)
    report(code, pointer + fault.pointer, fault.message, fault.hint ?? 'See https://json-schema.org/understanding-json-schema for the keywords.')
  }
  const anything = compileAuthoredSchema({})
  if (typeof anything !== 'function') throw new Error('The empty schema must compile')
  return { schema: closed, validate: anything }
}

function compileSlot(ctx: CompileContext, slot: string, rule: AttachmentSlotDefinition, at: (...path: ReadonlyArray<string | number>) => string): AttachmentRule {
  const min = rule.min ?? 0
  const max = rule.max ?? 1
  if (min > max) {
    ctx.report('definition.attachment-count', at('min'), `Slot "${slot}" asks for at least ${min} files but takes at most ${max}.`, 'Make `min` no larger than `max`.')
  }
  const types: AttachmentType[] = []
  rule.types.forEach((type, i) => {
    if (isAttachmentType(type)) types.push(type)
    else ctx.report('definition.attachment-type', at('types', i), `"${type}" is not a known attachment type.`, suggest(type, Object.keys(ATTACHMENT_TYPES), 'types'))
  })
  const maxSize = parseSize(rule.maxSize)
  if (!Number.isSafeInteger(maxSize)) {
    ctx.report('definition.attachment-size', at('maxSize'), `Slot "${slot}" names a size too large to count in bytes: ${JSON.stringify(rule.maxSize).slice(0, 40)}${JSON.stringify(rule.maxSize).length > 40 ? '...' : ''}.`,
      'Give the largest size of one file, such as 5 MB or 500 KB; a server takes uploads of 16 MiB unless it is set otherwise.')
  } else if (maxSize < 1) {
    ctx.report('definition.attachment-size', at('maxSize'), `Slot "${slot}" accepts no file of any size: ${JSON.stringify(rule.maxSize)} is less than one byte.`,
      'Give the largest size of one file, such as 5 MB or 500 KB.')
  }
  const transparentBackground = rule.transparentBackground === true
  if (transparentBackground && rule.types.some((type) => type !== 'png')) {
    ctx.report('definition.attachment-type', at('transparentBackground'), `Slot "${slot}" requires a transparent background, which is read from PNG images only; it also accepts ${rule.types.filter((t) => t !== 'png').join(', ')}.`,
      'List only `png` under `types`, or leave `transparentBackground` out.')
  }
  return { slot, title: rule.title ?? slot, min, max, types, maxSize, transparentBackground }
}

function compileTimeout(
  ctx: CompileContext, scope: StepScope, step: StepDefinition, actions: ReadonlyMap<string, CompiledAction>,
  at: (...path: ReadonlyArray<string | number>) => string,
): CompiledTimeout | undefined {
  const timeout = step.timeout
  if (!timeout) return undefined
  const after = resolveDelay(ctx, timeout.after, at('timeout', 'after'), scope)
  const action = actions.get(timeout.action)
  if (!action) {
    ctx.report('definition.unknown-timeout-action', at('timeout', 'action'), `Step "${step.id}" has no action "${timeout.action}" for its timeout to perform.`,
      suggest(timeout.action, [...actions.keys()], 'actions of this step'))
  } else if (needsInput(action)) {
    ctx.report('definition.timeout-action-inputs', at('timeout', 'action'),
      `The system cannot perform "${timeout.action}" on expiry: it requires inputs or attachments${action.require.length > 0 ? ', or has `require` rules the system cannot answer' : ''}.`,
      'Point the timeout at an action that needs nothing, or make its inputs and attachments optional.')
  }
  const remind = compileReminders(ctx, timeout.remind, at('timeout', 'remind'), after, scope.timeZone)
  return after ? { after, action: timeout.action, remind } : undefined
}

/** Whether an action cannot be performed with empty inputs and no attachments (or has rules over them, which the system would not answer). */
export function needsInput(action: CompiledAction): boolean {
  return !action.inputs.validate({}) || [...action.attachments.values()].some((rule) => rule.min > 0) || action.require.length > 0
}
