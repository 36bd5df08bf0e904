import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BUILT_IN_PROCESS_DIR, compileProcess, loadBuiltInProcesses } from '../../../engine/index.js'
import type { CompiledProcess } from '../../../engine/index.js'

const processes = new Map(loadBuiltInProcesses().map((p) => [p.id, p]))
function get(id: string): CompiledProcess {
  const process = processes.get(id)
  if (!process) throw new Error(`no built-in process ${id}`)
  return process
}

/** The administrator's decisions on a dispute of double-check's final confirmation, with where each leads. */
function warrantyDispute(process: CompiledProcess): unknown {
  expect(process.steps.get('confirm-warranty')?.actions.get('dispute')?.target).toEqual({ kind: 'step', step: 'warranty-dispute' })
  const step = process.steps.get('warranty-dispute')
  expect([step?.actors, step?.windows]).toEqual([['admin'], ['warranty']])
  return [...(step?.actions.values() ?? [])].map((a) => [a.id, a.target])
}

describe('built-in processes', () => {
  it('are the four Delivery Center procedures, license supervision and listing review', () => {
    expect([...processes.keys()]).toEqual(['basic', 'contract', 'double-check', 'license-supervision', 'listing-review', 'step-by-step'])
  })

  it('ask every text that must be given, or must not be empty, to show something: format: text, unless a pattern, a list or a format says more', () => {
    /** The strings of a schema that must be given or not be empty, and take any text but `format: text`'s, by where they are. */
    function looseTexts(schema: unknown, at: string, required = false): string[] {
      if (typeof schema !== 'object' || schema === null) return []
      const node = schema as Record<string, unknown>
      const mustShow = required || (typeof node['minLength'] === 'number' && node['minLength'] > 0)
      const own = mustShow && node['type'] === 'string' && node['format'] === undefined && node['pattern'] === undefined && node['enum'] === undefined ? [at] : []
      const names = new Set(Array.isArray(node['required']) ? node['required'] : [])
      const properties = Object.entries((node['properties'] ?? {}) as Record<string, unknown>).flatMap(([name, value]) => looseTexts(value, `${at}/${name}`, names.has(name)))
      const others = Object.entries(node).filter(([key]) => key !== 'properties').flatMap(([key, value]) => looseTexts(value, `${at}/${key}`))
      return [...own, ...properties, ...others]
    }
    const loose = [...processes.values()].flatMap((process) => [
      ...looseTexts(process.context?.schema, `${process.id}: context`),
      ...[...process.steps.values()].flatMap((step) => [...step.actions.values()].flatMap((action) => looseTexts(action.inputs.schema, `${process.id}: ${step.id}.${action.id}`))),
    ])
    expect(loose).toEqual([])
  })

  it.each(readdirSync(BUILT_IN_PROCESS_DIR).filter((f) => f.endsWith('.yaml')))('%s points editors at the schema on its first line', (name) => {
    const firstLine = readFileSync(`${BUILT_IN_PROCESS_DIR}/${name}`, 'utf8').split('\n')[0]
    expect(firstLine).toBe('# yaml-language-server: $schema=../schemas/process.schema.json')
  })

  it('basic: Submit Demand -> Project Delivery -> Confirm Delivery, auto-confirmed after P14D', () => {
    const basic = get('basic')
    expect([...basic.steps.values()].map((s) => [s.id, s.actors])).toEqual([
      ['submit-demand', ['customer']], ['project-delivery', ['isv']], ['confirm-delivery', ['customer']],
      ['dispute', ['admin']], ['project-delivery-escalated', ['isv', 'admin']],
    ])
    const confirm = basic.steps.get('confirm-delivery')
    expect(confirm?.timeout).toMatchObject({ after: { kind: 'parameter', name: 'confirmWindow' }, action: 'confirm' })
    expect(confirm?.timeout?.remind.map((r) => r.offset)).toEqual(['P3D', 'P1D'])
    expect(basic.parameters.get('confirmWindow')?.default).toBe('P14D')
    expect(confirm?.actions.get('confirm')?.target).toEqual({ kind: 'end', outcome: 'completed' })
  })

  it('remind the customer 3 days and 1 day before every confirmation the system performs for them', () => {
    // The system confirms for the customer where a customer's step times out with `confirm`.
    const confirmations = [...processes.values()].flatMap((p) => [...p.steps.values()]
      .filter((step) => step.actors.includes('customer') && step.timeout?.action === 'confirm')
      .map((step) => [p.id, step.id, step.timeout?.remind.map((r) => r.offset)]))
    expect(confirmations).toEqual([
      ['basic', 'confirm-delivery', ['P3D', 'P1D']], ['contract', 'confirm-delivery', ['P3D', 'P1D']],
      ['double-check', 'confirm-delivery', ['P3D', 'P1D']], ['step-by-step', 'confirm-delivery', ['P3D', 'P1D']],
    ])
  })

  it('basic: the demand needs contact name, phone and email, and the demands', () => {
    const submit = get('basic').steps.get('submit-demand')?.actions.get('submit')
    const validate = submit?.inputs.validate
    if (!validate) throw new Error('submit has no input validator')
    const good = { contact: { name: 'Li Lei', phone: '+86 138 0000 0000', email: 'li@example.com' }, demands: 'A shop website' }
    expect(validate(good)).toBe(true)
    for (const field of ['name', 'phone', 'email'] as const) {
      const { [field]: _, ...contact } = good.contact
      expect(validate({ ...good, contact }), `without ${field}`).toBe(false)
    }
    expect(validate({ contact: good.contact })).toBe(false)
    expect(validate({ ...good, demands: '' })).toBe(false)
    expect(validate({ ...good, contact: { ...good.contact, email: 'not-an-email' } })).toBe(false)
    expect(validate({ ...good, surprise: 1 }), 'unknown fields are rejected').toBe(false)
    expect(validate({ ...good, contact: { ...good.contact, fax: '1' } }), 'unknown nested fields are rejected').toBe(false)
    expect(submit.attachments.get('demand-documents')).toMatchObject({ min: 0, max: 5, maxSize: 5 * 1024 * 1024 })
  })

  it('contract: the ISV must upload one signed contract of the seed\'s types, at most 5 MB, before delivery', () => {
    const contract = get('contract')
    expect([...contract.steps.keys()]).toEqual(['submit-demand', 'upload-contract', 'project-delivery', 'confirm-delivery', 'dispute', 'project-delivery-escalated', 'upload-contract-escalated'])
    const slot = contract.steps.get('upload-contract')?.actions.get('submit')?.attachments.get('contract')
    expect(slot).toMatchObject({ min: 1, max: 1, maxSize: 5 * 1024 * 1024 })
    expect([...(slot?.types ?? [])].sort()).toEqual(['7z', 'doc', 'docx', 'pdf', 'png', 'ppt', 'pptx', 'xlsx', 'zip'])
    expect(contract.steps.get('confirm-delivery')?.timeout?.action).toBe('confirm')
  })

  it('double-check: a warranty window over the warranty steps, ended by the system on expiry', () => {
    const process = get('double-check')
    const window = process.windows.get('warranty')
    expect(window).toMatchObject({ after: { kind: 'parameter', name: 'warrantyPeriod' }, onExpiry: { kind: 'end', outcome: 'warranty-expired' } })
    // The final confirmation may be disputed too: the dispute step is inside the window, which a dispute neither stops nor extends.
    expect([...(window?.steps ?? [])]).toEqual(['confirm-warranty', 'warranty-service', 'warranty-service-escalated', 'warranty-dispute'])
    expect(warrantyDispute(process)).toEqual([
      ['rework', { kind: 'step', step: 'warranty-service' }], ['confirm-on-behalf', { kind: 'end', outcome: 'completed' }],
    ])
    expect(process.parameters.get('warrantyPeriod')).toMatchObject({ type: 'duration', default: undefined })
    expect(process.steps.get('confirm-delivery')?.actions.get('confirm')?.target).toEqual({ kind: 'step', step: 'confirm-warranty' })
    const warranty = process.steps.get('confirm-warranty')
    expect(warranty?.actions.get('request-service')?.target).toEqual({ kind: 'step', step: 'warranty-service' })
    expect(warranty?.actions.get('confirm')?.target).toEqual({ kind: 'end', outcome: 'completed' })
    expect(process.steps.get('warranty-service')?.actions.get('resolve')?.target).toEqual({ kind: 'step', step: 'confirm-warranty' })
    expect(process.steps.get('warranty-service')?.windows).toEqual(['warranty'])
  })

  it('step-by-step: three confirmations, each rejection (with a reason) goes back to the ISV', () => {
    const process = get('step-by-step')
    expect([...process.steps.keys()]).toEqual([
      'submit-demand', 'functional-design', 'confirm-functional-design', 'ued', 'confirm-ued',
      'development-testing', 'inspection-acceptance', 'confirm-delivery',
      'dispute', 'functional-design-escalated', 'ued-escalated', 'development-testing-escalated',
    ])
    const rejections = [...process.steps.values()].flatMap((step) => {
      const reject = step.actions.get('reject')
      return reject ? [[step.id, reject.target]] : []
    })
    expect(rejections).toEqual([
      ['confirm-functional-design', { kind: 'step', step: 'functional-design' }],
      ['confirm-ued', { kind: 'step', step: 'ued' }],
      ['inspection-acceptance', { kind: 'step', step: 'development-testing' }],
    ])
    const reject = process.steps.get('confirm-ued')?.actions.get('reject')
    expect(reject?.inputs.validate({})).toBe(false)
    expect(reject?.inputs.validate({ reason: 'Colours are off' })).toBe(true)
  })
})

describe('the rules added at version 3', () => {
  const delivery = ['basic', 'contract', 'double-check', 'step-by-step']

  it('require the order ID, specification and product ID in context, and admit other order details', () => {
    for (const id of delivery) {
      const { validate } = get(id).context
      expect(validate({ orderId: 'o-1', specification: 'Standard', productId: 'p-1', amount: 99 }), id).toBe(true)
      for (const field of ['orderId', 'specification', 'productId']) {
        const order: Record<string, unknown> = { orderId: 'o-1', specification: 'Standard', productId: 'p-1' }
        delete order[field]
        expect(validate(order), `${id} without ${field}`).toBe(false)
      }
    }
  })

  it('let the customer dispute at Confirm Delivery, leaving the step, and the administrator rework, confirm or terminate with a reason', () => {
    const reworkTo: Record<string, string> = { basic: 'project-delivery', contract: 'project-delivery', 'double-check': 'project-delivery', 'step-by-step': 'development-testing' }
    const confirmedTo: Record<string, unknown> = { 'double-check': { kind: 'step', step: 'confirm-warranty' } }
    for (const id of delivery) {
      const process = get(id)
      const dispute = process.steps.get('confirm-delivery')?.actions.get('dispute')
      expect(dispute?.target, id).toEqual({ kind: 'step', step: 'dispute' })
      expect(dispute?.inputs.validate({}), id).toBe(false)
      expect(dispute?.attachments.get('evidence'), id).toMatchObject({ min: 0, max: 5 })
      const admin = process.steps.get('dispute')
      expect(admin?.actors, id).toEqual(['admin'])
      expect(admin?.timeout, id).toBeUndefined()
      expect([...(admin?.actions.values() ?? [])].map((a) => [a.id, a.target, a.inputs.validate({}), a.inputs.validate({ reason: 'r' })]), id).toEqual([
        ['rework', { kind: 'step', step: reworkTo[id] }, false, true],
        ['confirm-on-behalf', confirmedTo[id] ?? { kind: 'end', outcome: 'completed' }, false, true],
      ])
    }
  })

  it('escalate every step waiting on the ISV to an administrator after isvResponseTime, the ISV reminded a day before', () => {
    for (const id of delivery) {
      const process = get(id)
      for (const step of [...process.steps.values()].filter((s) => s.actors.length === 1 && s.actors[0] === 'isv')) {
        expect(step.timeout, `${id} ${step.id}`).toMatchObject({ after: { kind: 'parameter', name: 'isvResponseTime' }, action: 'escalate', remind: [{ offset: 'P1D' }] })
        expect(step.actions.get('escalate'), `${id} ${step.id}`).toMatchObject({ actors: ['system'], target: { kind: 'step', step: `${step.id}-escalated` } })
        const escalated = process.steps.get(`${step.id}-escalated`)
        expect(escalated?.actors, `${id} ${step.id}`).toEqual(['isv', 'admin'])
        expect(escalated?.actions.get('return-to-isv'), `${id} ${step.id}`).toMatchObject({ actors: ['admin'], target: { kind: 'step', step: step.id } })
      }
    }
  })
})

describe('compileProcess', () => {
  const minimal = (extra = '') => `id: demo\nversion: 1\ntitle: Demo\nroles: [isv]\n${extra}steps:\n  - id: only\n    title: Only\n    actor: isv\n    actions:\n      done: { end: completed }\n`

  it('defaults the time zone to UTC and accepts an IANA zone', () => {
    const utc = compileProcess(minimal(), 'demo.yaml')
    const shanghai = compileProcess(minimal('timeZone: Asia/Shanghai\n'), 'demo.yaml')
    expect(utc.ok && utc.process.timeZone).toBe('UTC')
    expect(shanghai.ok && shanghai.process.timeZone).toBe('Asia/Shanghai')
  })

  it('proposes the zone, the weekday or the value meant', () => {
    const hintsOf = (extra: string): unknown => {
      const result = compileProcess(minimal(extra), 'demo.yaml')
      return !result.ok && result.errors.map((e) => [e.code, e.message, e.hint])
    }
    expect(hintsOf('timeZone: Asia/Shanghia\n')).toEqual([['definition.time-zone', '"Asia/Shanghia" is not an IANA time zone.', 'Did you mean "Asia/Shanghai"?']])
    expect(hintsOf('timeZone: "+08:00"\n')).toEqual([['definition.time-zone', '"+08:00" is an offset, not an IANA time zone: name the zone whose calendar the parties live by.', expect.any(String)]])
    expect(hintsOf('parameters:\n  seats: { type: integer, default: 123456789012345678901234567890 }\n')).toEqual([
      ['definition.parameter-default', expect.stringContaining('is too large to be kept exactly: an integer is at most 9,007,199,254,740,991'), expect.any(String)],
    ])
    // Standard time all year, read as the zone of a region; UTC under another name is UTC.
    expect(hintsOf('timeZone: EST\n')).toEqual([['definition.time-zone', expect.stringContaining('"EST" is Eastern Standard Time (UTC-05:00) all year, without daylight saving time'), expect.any(String)]])
    for (const zone of ['Etc/GMT-0', 'Etc/GMT+0', 'Etc/GMT0']) expect(hintsOf(`timeZone: ${zone}\n`), zone).toBe(false)
    expect(hintsOf('')).toBe(false)
    expect(hintsOf('calendars:\n  cn: { workingDays: [monday, tue] }\n')).toEqual([
      ['definition.schema', '"/calendars/cn/workingDays/0" must be one of: "mon", "tue", "wed", "thu", "fri", "sat", "sun".', 'Did you mean "mon"?'],
    ])
  })

  it('says why a duration written as ISO 8601 writes it is refused: a fraction where none may be, too long, shorter than a millisecond', () => {
    const messageOf = (after: string): unknown => {
      const result = compileProcess(minimal().replace('done: { end: completed }', `done: { end: completed }\n    timeout: { after: "${after}", action: done }`), 'demo.yaml')
      return !result.ok && result.errors.map((e) => e.message)
    }
    expect(messageOf('P0.5D')).toEqual(['"P0.5D" has a fraction in years, months, weeks or days: only hours, minutes or seconds may have one (write P1DT12H rather than P1.5D).'])
    expect(messageOf('PT1.5H30M')).toEqual(['"PT1.5H30M" has a fraction before its last unit: only the last (smallest) unit may have one (write PT1H45M rather than PT1.5H15M).'])
    expect(messageOf('P99999999999999999999D')).toEqual(['"P99999999999999999999D" is too long: a duration is at most P1000Y (1,000 years).'])
    expect(messageOf('PT0.0000001S')).toEqual(['"PT0.0000001S" is shorter than a millisecond, the finest time deadlines are kept to: it would fall due as it starts.'])
    expect(messageOf('PT0.5H')).toBe(false)
    // Units out of order, repeated, or none: not a duration, rather than one too long.
    for (const text of ['P', 'PT', 'P1DT', 'P1M1Y', 'PT1H1H', 'P1D1W']) {
      expect(messageOf(text), text).toEqual([`"${text}" is not an ISO 8601 duration: P, then numbers each with its unit, Y, M, W, D in this order, then T and H, M, S, each unit once at most (P14D, P1M, PT12H, P1DT12H).`])
    }
  })

  it('refuses a reminder as long as its deadline, counting a day as 24 hours in UTC only', () => {
    const codesOf = (zone: string): unknown => {
      const result = compileProcess(minimal(`timeZone: ${zone}\n`).replace('done: { end: completed }', 'done: { end: completed }\n    timeout: { after: PT24H, action: done, remind: [P1D] }'), 'demo.yaml')
      return result.ok ? [] : result.errors.map((e) => e.code)
    }
    expect(codesOf('UTC')).toEqual(['definition.reminder-too-long'])
    // Where daylight saving time changes, a day before may last 23 hours: the reminder can be sent.
    expect(codesOf('Europe/Berlin')).toEqual([])
  })

  it('shows characters that show nothing by their code points, and names a look-alike letter', () => {
    const hidden = compileProcess(minimal().replace('id: only', 'id: on\u200Bly'), 'demo.yaml')
    expect(!hidden.ok && hidden.errors[0]?.message).toMatch(/^"\/steps\/0\/id" is "on\\u\{200B\}ly"\. /)
    const lookalike = compileProcess(minimal().replace('title: Demo', 't\u0456tle: Demo'), 'demo.yaml')
    expect(!lookalike.ok && lookalike.errors.map((e) => e.hint)).toContain('Did you mean "title"? "t\u0456tle" holds U+0456, which only looks like a letter of it.')
  })

  it('reports several problems in one pass, sorted by line', () => {
    const text = minimal().replace('actor: isv', 'actor: vendor').replace('done: { end: completed }', 'done: { goto: nowhere }\n    timeout: { after: P1X, action: done }')
    const result = compileProcess(text, 'demo.yaml')
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors.map((e) => `${e.location.line} ${e.code}`)).toEqual([
      '8 definition.unknown-role', '10 definition.unknown-step', '11 definition.duration',
    ])
    expect(String(result.errors[0])).toMatch(/^demo\.yaml:8:12 definition\.unknown-role /)
  })

  it('reads lines ended by a carriage return alone (old Mac files) as YAML does, locating problems on their lines', () => {
    expect(compileProcess(minimal().replace(/\n/g, '\r'), 'demo.yaml').ok).toBe(true)
    const broken = compileProcess(minimal().replace('actor: isv', 'actor: vendor').replace(/\n/g, '\r'), 'demo.yaml')
    expect(!broken.ok && broken.errors.map((e) => `${e.location.line}:${e.location.column} ${e.code}`)).toEqual(['8:12 definition.unknown-role'])
  })

  it('names an item listed twice, at its second place', () => {
    const result = compileProcess(minimal().replace(/roles: \[([^\]]*)\]/, 'roles: [$1, isv]'), 'demo.yaml')
    expect(!result.ok && result.errors.map((e) => [e.location.line, e.location.pointer, e.message])).toEqual([
      [4, '/roles/1', '"isv" is listed twice in "/roles", as item 1 and item 2.'],
    ])
    // `startedBy` is compared otherwise by ajv, which names the two items the other way round.
    const started = compileProcess(minimal().replace(/roles: \[([^\]]*)\]/, 'roles: [$1]\nstartedBy: [isv, customer, isv]'), 'demo.yaml')
    expect(!started.ok && started.errors.map((e) => [e.location.pointer, e.message])).toEqual([
      ['/startedBy/2', '"isv" is listed twice in "/startedBy", as item 1 and item 3.'],
    ])
  })

  it('refuses otherwise without when: the step is never skipped, so it would never lead there', () => {
    const result = compileProcess(minimal().replace('    actor: isv\n', '    actor: isv\n    otherwise: { end: skipped }\n'), 'demo.yaml')
    expect(!result.ok && result.errors.map((e) => [e.location.line, e.message])).toEqual([[9, '`otherwise` needs `when` beside it in "/steps/0".']])
  })

  it('names the one property another needs, at the one that needs it', () => {
    const result = compileProcess(minimal().replace('done: { end: completed }', 'done: { goto: only, maxRounds: 2 }'), 'demo.yaml')
    expect(!result.ok && result.errors.map((e) => [e.location.line, e.location.column, e.message])).toEqual([
      [10, 27, '`maxRounds` needs `onMaxRounds` beside it in "/steps/0/actions/done".'],
    ])
  })

  it('refuses onMaxRounds leading where the action leads anyway, which would change nothing', () => {
    const text = `id: demo\nversion: 1\ntitle: Demo\nroles: [customer, isv]\nsteps:
  - { id: draft, title: Draft, actor: isv, actions: { send: {} } }
  - { id: review, title: Review, actor: customer, actions: { accept: { end: accepted }, reject: { goto: draft, maxRounds: 3, onMaxRounds: { goto: draft } } } }\n`
    const result = compileProcess(text, 'demo.yaml')
    expect(!result.ok && result.errors.map((e) => [e.code, e.location.pointer])).toEqual([['definition.conflicting-target', '/steps/1/actions/reject/onMaxRounds/goto']])
    expect(compileProcess(text.replace('onMaxRounds: { goto: draft }', 'onMaxRounds: { end: abandoned }'), 'demo.yaml').ok).toBe(true)
  })

  it('lists at most 100 problems, the first by position, each once', () => {
    const steps = Array.from({ length: 150 }, (_, i) => `  - { id: s${i}, title: S, actor: nobody${i}, actions: { go: { title: Go, ${i === 149 ? 'end: done' : `goto: s${i + 1}`} } } }`).join('\n')
    const result = compileProcess(`id: many\nversion: 1\ntitle: Many\nroles: [customer]\nsteps:\n${steps}\n`, 'many.yaml')
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors).toHaveLength(100)
    expect(result.errors.map((e) => e.location.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 6))
  })

  it('suggests the nearest name for a misspelt reference', () => {
    const result = compileProcess(minimal().replace('actor: isv', 'actor: ivs'), 'demo.yaml')
    expect(!result.ok && result.errors[0]?.hint).toContain('Did you mean "isv"?')
  })

  it('suggests what a short name, a name in capitals or a capitalised value meant, and nothing far from it', () => {
    const hintOf = (from: string, to: string): string | undefined => {
      const result = compileProcess(minimal().replace(from, to), 'demo.yaml')
      return result.ok ? undefined : result.errors[0]?.hint
    }
    const slot = (types: string) => `done: { end: completed, attachments: { proof: { types: [${types}], maxSize: 1 MB } } }`
    // `tiff` begins with `tif`, before `gif`, as near; two of three letters changed is another name.
    expect(hintOf('done: { end: completed }', slot('tif'))).toBe('Did you mean "tiff"?')
    for (const far of ['csv', 'txt']) expect(hintOf('done: { end: completed }', slot(far)), far).toMatch(/^Known types: pdf, /)
    expect(hintOf('actor: isv', 'actor: ISV')).toMatch(/^Did you mean "isv"\? /)
    expect(hintOf('end: completed', 'end: Completed')).toMatch(/^Did you mean "completed"\? /)
    expect(hintOf('done: { end: completed }', 'done: { end: completed, record: { x: "True" } }')).toBe('Did you mean `true`? JSONata writes true, false and null in lower case.')
  })

  it('never throws on input that is not a mapping', () => {
    for (const text of ['', '42', '- a\n- b\n', 'null', '[', '{a: 1, a: 2}']) {
      const result = compileProcess(text, 'x.yaml')
      expect(result.ok).toBe(false)
    }
  })
  it('locates graph problems at the step as written when an earlier id is duplicated', () => {
    const text = `id: demo\nversion: 1\ntitle: Demo\nroles: [isv]\nsteps:\n` +
      `  - { id: deliver, title: A, actor: isv, actions: { done: { end: completed } } }\n` +
      `  - { id: deliver, title: B, actor: isv, actions: { done: { end: completed } } }\n` +
      `  - { id: orphan, title: C, actor: isv, actions: { done: { end: completed } } }\n`
    const result = compileProcess(text, 'demo.yaml')
    expect(!result.ok && result.errors.map((e) => `${e.location.line} ${e.code}`)).toEqual([
      '7 definition.duplicate-step', '8 definition.unreachable-step',
    ])
  })

  it('reports a misspelt goto once, not also as an unreachable step', () => {
    const text = `id: demo\nversion: 1\ntitle: Demo\nroles: [isv]\nsteps:\n` +
      `  - { id: a, title: A, actor: isv, actions: { go: { goto: c } } }\n` +
      `  - { id: b, title: B, actor: isv, actions: { done: { end: completed } }  }\n` +
      `  - { id: cc, title: C, actor: isv, actions: { done: { end: completed } } }\n`
    const result = compileProcess(text, 'demo.yaml')
    expect(!result.ok && result.errors.map((e) => e.code)).toEqual(['definition.unknown-step'])
  })
  it('reads a delay starting with a lower-case p as a parameter name, not a duration', () => {
    const text = minimal('parameters:\n  paymentWindow: { type: duration, default: P3D }\n')
      .replace('      done: { end: completed }\n', '      done: { end: completed }\n    timeout: { after: paymentWindow, action: done }\n')
    const result = compileProcess(text, 'demo.yaml')
    expect(result.ok && result.process.steps.get('only')?.timeout?.after).toEqual({ kind: 'parameter', name: 'paymentWindow' })
  })
})
