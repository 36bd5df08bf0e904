import type { CompiledWindow, Target } from './compiled.js'
import type { CompileContext } from './context.js'
import type { WindowDefinition } from './definition.js'
import { resolveDelay } from './compile-parameters.js'
import type { DelayScope } from './compile-parameters.js'
import { checkStepRef } from './compile-steps.js'
import { compileReminders } from './compile-reminders.js'
import { pointerOf } from './pointer.js'

/** Checks and compiles the windows (deadlines spanning several steps). */
export function compileWindows(
  ctx: CompileContext, windows: readonly WindowDefinition[], stepIds: readonly string[], scope: DelayScope,
): Map<string, CompiledWindow> {
  const compiled = new Map<string, CompiledWindow>()
  windows.forEach((window, index) => {
    const at = (...path: ReadonlyArray<string | number>): string => pointerOf('windows', index, ...path)
    if (compiled.has(window.id)) {
      ctx.report('definition.duplicate-window', at('id'), `Window "${window.id}" is defined twice.`, 'Give each window its own id.')
      return
    }
    window.steps.forEach((stepId, i) => checkStepRef(ctx, { stepIds }, stepId, at('steps', i)))
    const after = resolveDelay(ctx, window.after, at('after'), scope)
    let onExpiry: Target
    if (window.onExpiry.goto !== undefined) {
      checkStepRef(ctx, { stepIds }, window.onExpiry.goto, at('onExpiry', 'goto'))
      onExpiry = { kind: 'step', step: window.onExpiry.goto }
    } else {
      onExpiry = { kind: 'end', outcome: window.onExpiry.end ?? 'completed' }
    }
    const remind = compileReminders(ctx, window.remind, at('remind'), after, scope.timeZone)
    if (after) {
      compiled.set(window.id, { id: window.id, title: window.title ?? window.id, steps: new Set(window.steps), after, onExpiry, remind })
    }
  })
  return compiled
}

/** Window ids by the ids of the steps they cover. */
export function windowsByStep(windows: readonly WindowDefinition[]): Map<string, string[]> {
  const byStep = new Map<string, string[]>()
  for (const window of windows) {
    for (const stepId of window.steps) byStep.set(stepId, [...(byStep.get(stepId) ?? []), window.id])
  }
  return byStep
}
