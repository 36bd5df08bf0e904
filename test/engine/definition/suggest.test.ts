import { expect, it } from 'vitest'
import { compileProcess } from '../../../engine/index.js'
import { closestName } from '../../../engine/definition/suggest.js'

// "Did you mean": the name meant by a misspelt one, for every kind of name a definition or a request holds.

it('takes the same name in other letter case before any other, then one at most two edits away', () => {
  expect(closestName('PDF', ['pdf', 'png', 'gif'])).toBe('pdf')
  expect(closestName('Customer', ['customer', 'isv'])).toBe('customer')
  expect(closestName('custmer', ['customer', 'isv'])).toBe('customer')
  expect(closestName('zzz', ['customer', 'isv'])).toBeUndefined()
})

it('names the attachment type meant by a capitalised one, at its place', () => {
  const result = compileProcess(`id: demo\nversion: 1\ntitle: Demo\nroles: [customer]\nsteps:\n  - id: a\n    title: A\n    actor: customer\n    actions:\n      go:\n        title: Go\n        end: done\n        attachments:\n          docs: { title: Docs, types: [PDF], maxSize: 1 MB }\n`, 'demo.yaml')
  expect(result.ok ? [] : result.errors.map((e) => `${e.location.line}:${e.location.column} ${e.code} ${e.hint ?? ''}`)).toEqual(['14:40 definition.attachment-type Did you mean "pdf"?'])
})
