import type { FieldProblem, RejectionCode } from '../errors.js'
import type { CompiledAction } from '../definition/compiled.js'
import { pointerOf } from '../definition/pointer.js'
import type { AttachmentFacts } from './commands.js'
import type { Rejection } from './decision.js'
import type { Principal } from './state.js'
import { own } from './own.js'

/**
 * Checks the files referenced by an action against its slots: known slot, count, type detected
 * from the content, size, and that the actor uploaded them and they belong to no other instance.
 */
export function checkAttachments(
  action: CompiledAction, given: Readonly<Record<string, readonly AttachmentFacts[]>>, by: Principal, instanceId: string,
): Rejection | undefined {
  const problems: Array<FieldProblem & { code: RejectionCode }> = []
  const add = (code: RejectionCode, pointer: string, message: string): void => {
    problems.push({ code, pointer, rule: code.slice('attachment.'.length), message })
  }
  for (const slot of Object.keys(given)) {
    if (!action.attachments.has(slot)) {
      add('attachment.unknown-slot', pointerOf('attachments', slot),
        `is not a slot of action "${action.id}"; its slots are: ${[...action.attachments.keys()].join(', ') || 'none'}`)
    }
  }
  const seen = new Set<string>()
  for (const [slot, files] of Object.entries(given)) {
    files.forEach((file, index) => {
      if (seen.has(file.id)) add('attachment.count', pointerOf('attachments', slot, index), `attachment "${file.id}" is given more than once`)
      seen.add(file.id)
    })
  }
  for (const rule of action.attachments.values()) {
    const files = own(given, rule.slot) ?? []
    if (files.length < rule.min || files.length > rule.max) {
      add('attachment.count', pointerOf('attachments', rule.slot),
        `holds ${files.length} file${files.length === 1 ? '' : 's'}; "${rule.title}" takes ${rule.min === rule.max ? rule.min : `${rule.min} to ${rule.max}`}`)
    }
    files.forEach((file, index) => {
      const pointer = pointerOf('attachments', rule.slot, index)
      if (file.uploadedBy === undefined || file.uploadedBy.role !== by.role || file.uploadedBy.subject !== by.subject || (file.instanceId !== undefined && file.instanceId !== instanceId)) {
        add('attachment.not-found', pointer, `attachment "${file.id}" does not exist or is not yours to attach`)
      } else if (file.type === undefined || !(rule.types as readonly string[]).includes(file.type)) {
        add('attachment.type', pointer, `is ${file.type === undefined ? 'of an unrecognised type' : `a ${file.type} file`} by its content; accepted: ${rule.types.join(', ')}`)
      } else if (file.size > rule.maxSize) {
        add('attachment.size', pointer, `is ${file.size} bytes; at most ${rule.maxSize} bytes are accepted`)
      } else if (rule.transparentBackground && file.image?.transparentBackground !== true) {
        problems.push({
          code: 'attachment.image', pointer, rule: 'transparentBackground',
          message: file.image?.transparentBackground === false
            ? `is a PNG whose background is not transparent (its corner pixels are not fully transparent); "${rule.title}" accepts only a PNG with a transparent background`
            : `is a PNG whose pixels could not be read to check its background (corrupt data, or a picture too large to read); "${rule.title}" accepts only a PNG with a transparent background`,
        })
      }
    })
  }
  const first = problems[0]
  if (!first) return undefined
  return {
    code: first.code,
    message: `The attachments do not meet the rules of action "${action.id}": ${problems.map((p) => `${p.pointer} ${p.message}`).join('; ')}.`,
    problems: problems.map(({ pointer, rule, message }) => ({ pointer, rule, message })),
  }
}
