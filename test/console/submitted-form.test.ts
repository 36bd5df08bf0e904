import { describe, expect, it } from 'vitest'
import { submittedForm } from '../../console/delivery-data.js'

describe('a submitted form as the form renderer reads it', () => {
  it('keeps every string value of each name, files left out, and a field named __proto__ as a field like any other', () => {
    // Hono parses a form into an object without a prototype, so `__proto__` arrives as a name of its own.
    const body: Record<string, string | File | Array<string | File>> = Object.assign(Object.create(null) as object, {
      '/inputs/note': 'hello', '/attachments/proof': [new File(['x'], 'x.pdf'), 'kept'], ['__proto__']: ['a', 'b'],
    })
    const form = submittedForm(body)
    expect(Object.getPrototypeOf(form)).toBe(Object.prototype)
    expect(Object.keys(form).sort()).toEqual(['/attachments/proof', '/inputs/note', '__proto__'])
    expect(Object.getOwnPropertyDescriptor(form, '__proto__')?.value).toEqual(['a', 'b'])
    expect(form['/attachments/proof']).toEqual(['kept'])
  })
})
