import { describe, expect, it } from 'vitest'
import { formFields } from '../../console/forms/fields.js'
import { inputsFrom, rowIndexes } from '../../console/forms/form-values.js'
import type { SubmittedForm } from '../../console/forms/form-values.js'
import { problemText, SchemaFields } from '../../console/forms/schema-form.js'
import { FORMAT_RULES } from '../../engine/index.js'
import type { FieldProblem } from '../../engine/index.js'
import { messages } from '../../console/i18n.js'

const schema = {
  type: 'object',
  required: ['contact', 'demands', 'count'],
  properties: {
    contact: {
      type: 'object', description: 'How to reach you', required: ['name', 'email', 'phone'],
      properties: { name: { type: 'string', maxLength: 100 }, email: { type: 'string', format: 'email' }, phone: { type: 'string' } },
    },
    demands: { type: 'string', title: 'Demands', description: 'What you need', maxLength: 10000 },
    count: { type: 'integer', minimum: 1, default: 3 },
    ratio: { type: 'number' },
    urgent: { type: 'boolean' },
    kind: { enum: ['new', 'renewal'] },
    level: { type: 'integer', enum: [1, 2, 3] },
    start: { type: 'string', format: 'date' },
    at: { type: 'string', format: 'date-time' },
    tags: { type: 'array', items: { type: 'string' } },
    regions: { type: 'array', items: { enum: ['cn-hangzhou', 'cn-beijing'] } },
    items: { type: 'array', minItems: 1, items: { type: 'object', properties: { sku: { type: 'string' }, quantity: { type: 'integer' } } } },
  },
}

describe('forms generated from an input schema', () => {
  const fields = formFields(schema)
  const byName = new Map(fields.map((field) => [field.name, field]))

  it('gives each property a field named by its JSON pointer under /inputs, of the kind its schema asks for', () => {
    expect(fields.map((field) => [field.name, field.kind])).toEqual([
      ['/inputs/contact', 'object'], ['/inputs/demands', 'long-text'], ['/inputs/count', 'number'], ['/inputs/ratio', 'number'],
      ['/inputs/urgent', 'boolean'], ['/inputs/kind', 'choice'], ['/inputs/level', 'choice'], ['/inputs/start', 'date'],
      ['/inputs/at', 'instant'], ['/inputs/tags', 'lines'], ['/inputs/regions', 'choices'], ['/inputs/items', 'rows'],
    ])
    const contact = byName.get('/inputs/contact')
    expect(contact?.kind === 'object' && contact.fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['/inputs/contact/name', 'text', true], ['/inputs/contact/email', 'email', true], ['/inputs/contact/phone', 'phone', true],
    ])
    const items = byName.get('/inputs/items')
    expect(items?.kind === 'rows' && [items.minItems, items.fields.map((f) => f.name)]).toEqual([1, ['/inputs/items/0/sku', '/inputs/items/0/quantity']])
  })

  it('labels a field by its title, else its description (said once), else its name in words', () => {
    expect(byName.get('/inputs/demands')).toMatchObject({ label: 'Demands', description: 'What you need', required: true })
    expect(byName.get('/inputs/contact')).toMatchObject({ label: 'How to reach you', description: undefined })
    expect(byName.get('/inputs/count')).toMatchObject({ label: 'Count', default: 3, required: true })
  })

  it('reads a submitted form back into typed inputs, leaving empty fields out', () => {
    const inputs = inputsFrom(fields, {
      '/inputs/contact/name': ['Ada'], '/inputs/contact/email': ['ada@example.com'], '/inputs/contact/phone': [''],
      '/inputs/demands': ['A <b>bold</b> demand'], '/inputs/count': ['4'], '/inputs/ratio': ['x1'], '/inputs/urgent': ['true'],
      '/inputs/kind': ['"renewal"'], '/inputs/level': ['2'], '/inputs/start': [''], '/inputs/at': ['2026-01-15T09:00'],
      '/inputs/tags': ['one\n two \n\nthree'], '/inputs/regions': ['"cn-beijing"'],
      '/inputs/items/0/sku': ['a'], '/inputs/items/0/quantity': ['1'], '/inputs/items/2/sku': ['c'], '/inputs/items/1/sku': [''],
    }, 'Asia/Shanghai')
    expect(inputs).toEqual({
      contact: { name: 'Ada', email: 'ada@example.com' },
      demands: 'A <b>bold</b> demand', count: 4, ratio: 'x1', urgent: true, kind: 'renewal', level: 2,
      at: '2026-01-15T01:00:00Z', tags: ['one', 'two', 'three'], regions: ['cn-beijing'],
      items: [{ sku: 'a', quantity: 1 }, { sku: 'c' }],
    })
  })

  it('keeps a required object (so the API names its missing fields), and leaves out optional objects and rows left alone, unticked boxes in them included', () => {
    expect(inputsFrom(fields, {}, 'UTC')).toEqual({ contact: {} })
    const optional = formFields({
      type: 'object', required: ['agree'],
      properties: {
        agree: { type: 'boolean' },
        extra: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, urgent: { type: 'boolean' } } },
        items: { type: 'array', items: { type: 'object', properties: { gift: { type: 'boolean' }, sku: { type: 'string' } } } },
      },
    })
    expect(inputsFrom(optional, { '/inputs/items/0/sku': [''] }, 'UTC')).toEqual({ agree: false })
    expect(inputsFrom(optional, { '/inputs/agree': ['true'], '/inputs/extra/urgent': ['true'], '/inputs/items/0/gift': ['true'] }, 'UTC'))
      .toEqual({ agree: true, extra: { urgent: true }, items: [{ gift: true }] })
  })
})

describe('forms with rows in rows', () => {
  const nested = formFields({
    type: 'object',
    properties: {
      groups: {
        type: 'array', maxItems: 3,
        items: { type: 'object', properties: { name: { type: 'string' }, values: { type: 'array', maxItems: 2, items: { type: 'object', properties: { v: { type: 'string' } } } } } },
      },
    },
  })

  it('reads each row of each list back, by the indexes its names hold', () => {
    const form: SubmittedForm = {
      '/inputs/groups/0/name': ['first'], '/inputs/groups/0/values/1/v': ['b'], '/inputs/groups/0/values/0/v': ['a'],
      '/inputs/groups/2/values/0/v': ['c'], '/inputs/groups/x/name': ['not a row'], '/inputs/groups/1000/name': ['past the last row'],
    }
    expect(rowIndexes('/inputs/groups', form)).toEqual([0, 2])
    expect(rowIndexes('/inputs/groups/0/values', form)).toEqual([0, 1])
    expect(rowIndexes('/inputs/groups/1/values', form)).toEqual([])
    expect(inputsFrom(nested, form, 'UTC')).toEqual({ groups: [{ name: 'first', values: [{ v: 'a' }, { v: 'b' }] }, { values: [{ v: 'c' }] }] })
  })

  it("reads a form's names once, however many rows it has (a form of 1,000 rows of 16 rows each was read 1,000 times)", () => {
    const names: Record<string, string[]> = {}
    for (let i = 0; i < 16_000; i++) names[`/inputs/groups/${i % 1000}/values/${Math.floor(i / 1000)}/v`] = ['x']
    let reads = 0
    const form = new Proxy(names, { ownKeys: (target) => { reads++; return Reflect.ownKeys(target) } })
    const inputs = inputsFrom(nested, form, 'UTC') as { groups: unknown[] }
    expect(inputs.groups).toHaveLength(1000)
    expect(reads).toBe(1)
  })

  it('shows a refused form with no more rows than each list takes', () => {
    const submitted: SubmittedForm = { '/inputs/groups/999/name': ['far'], '/inputs/groups/0/values/500/v': ['far'] }
    const html = String(SchemaFields({ fields: nested, state: { t: messages('en'), english: true, submitted, problems: [] } }))
    expect(html.match(/data-row="/g)).toHaveLength(3 + 2 + 1 + 1)
  })
})

describe('a refused field in words', () => {
  it('names the format the engine refused by, in Chinese as in English, text included', () => {
    const problem = (format: string): FieldProblem => ({ pointer: '/inputs/x', rule: 'format', message: FORMAT_RULES[format] as string })
    expect(problemText(problem('email'), messages('zh'), false)).toBe('请输入有效的电子邮箱地址（如 name@example.com）。')
    expect(problemText(problem('email'), messages('en'), true)).toBe('must be an email address such as name@example.com')
    expect(problemText(problem('text'), messages('zh'), false)).toBe(messages('zh').rules.text)
    // Every format the engine names has its words in Chinese.
    for (const format of Object.keys(FORMAT_RULES).filter((name) => name !== 'text')) expect(problemText(problem(format), messages('zh'), false), format).not.toMatch(/值（/)
  })
})
