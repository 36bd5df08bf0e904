/**
 * A valid process definition of `steps` steps, for measuring how compilation grows: the ISV
 * delivers a part (with an optional summary and a documents slot), the customer reviews it and
 * confirms (or is confirmed for after P7D) or rejects it with a reason, which sends it back.
 */
export function generateProcess(steps: number): string {
  const lines = [
    `id: generated-${steps}`,
    'version: 1',
    `title: Generated process of ${steps} steps`,
    'roles: [customer, isv]',
    'parameters:',
    '  reviewWindow: { type: duration, default: P7D }',
    'steps:',
  ]
  for (let i = 0; i < steps; i++) {
    const last = i === steps - 1
    const part = Math.floor(i / 2) + 1
    if (i % 2 === 0) {
      lines.push(
        `  - id: deliver-${part}`,
        `    title: Deliver part ${part}`,
        '    actor: isv',
        '    actions:',
        '      finish:',
        '        title: Finish',
        ...(last ? ['        end: completed'] : []),
        '        inputs:',
        '          type: object',
        '          properties:',
        '            summary: { type: string, maxLength: 10000 }',
        '        attachments:',
        '          documents: { max: 10, types: [pdf, docx, xlsx, png, jpg, zip], maxSize: 5 MB }',
      )
    } else {
      lines.push(
        `  - id: review-${part}`,
        `    title: Review part ${part}`,
        '    actor: customer',
        '    timeout: { after: reviewWindow, action: confirm }',
        '    actions:',
        `      confirm: { title: Confirm${last ? ', end: completed' : ''} }`,
        '      reject:',
        '        title: Reject',
        `        goto: deliver-${part}`,
        '        inputs:',
        '          type: object',
        '          required: [reason]',
        '          properties:',
        '            reason: { type: string, minLength: 1, maxLength: 10000 }',
      )
    }
  }
  return `${lines.join('\n')}\n`
}
