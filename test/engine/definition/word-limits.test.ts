import { describe, expect, it } from 'vitest'
import { compileProcess } from '../../../engine/index.js'
import { countWords } from '../../../engine/definition/word-count.js'

const process = (limits: string) => `
id: listing
version: 1
title: Listing
roles: [isv]
steps:
  - id: submit
    title: Submit
    actor: isv
    actions:
      submit:
        end: submitted
        inputs:
          type: object
          required: [introduction]
          properties:
            introduction: { type: string, ${limits} }
`

describe('word limits in input schemas', () => {
  it('counts words in English and Chinese, ignoring punctuation and spaces', () => {
    expect(countWords('A fast, reliable  website — built in 3 weeks.')).toBe(8)
    expect(countWords('我们提供专业的网站建设服务')).toBe(7)
    expect(countWords('   ')).toBe(0)
  })

  it('counts words joined by a hyphen as one, and a hyphen between spaces as none', () => {
    expect(countWords('A well-known e-mail service with 30-day support')).toBe(7)
    expect(countWords('state\u2011of\u2010the-art')).toBe(1)
    expect(countWords('before - after -- end-')).toBe(3)
    expect(countWords(Array(300).fill('well-known').join(' '))).toBe(300)
  })

  it('counts what no space separates as one word in spaced scripts: slashes, web addresses, a comma typed without its space', () => {
    expect(countWords('Support 24/7 at https://example.com/path/to/page or support@example.com')).toBe(6)
    expect(countWords('and/or e.g. hello,world it\'s v2.0.1')).toBe(5)
    expect(countWords('hello, world / again')).toBe(3)
    // Each Chinese or Japanese word counts, whatever joins it; a Latin word beside one is a word of its own.
    expect(countWords('你好，世界')).toBe(2)
    expect(countWords('使用API接口')).toBe(3)
    expect(countWords('https://example.com/页面')).toBe(1 + countWords('页面'))
  })

  it('accepts text at the limit and refuses one word more, saying how many it has', () => {
    const result = compileProcess(process('maxWords: 300, minWords: 2'), 'listing.yaml')
    if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
    const validate = result.process.steps.get('submit')?.actions.get('submit')?.inputs.validate
    if (!validate) throw new Error('no validator')
    expect(validate({ introduction: Array(300).fill('word').join(' ') })).toBe(true)
    expect(validate({ introduction: Array(301).fill('word').join(' ') })).toBe(false)
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'maxWords', instancePath: '/introduction', message: 'must not have more than 300 words (it has 301)' })
    expect(validate({ introduction: 'One' })).toBe(false)
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'minWords' })
  })

  it('checks the keyword\'s value like any other: a negative limit is not a valid schema', () => {
    const result = compileProcess(process('maxWords: -1'), 'listing.yaml')
    expect(!result.ok && result.errors.map((e) => e.code)).toEqual(['definition.input-schema'])
  })
})
