import { describe, expect, it } from 'vitest'
import { compileProcess } from '../../../engine/index.js'
import { dueAfter } from '../../../engine/runtime/time.js'

/** A process whose ISV must start delivery within 3 business days on China's 2026 National Day calendar. */
const text = `
id: start-within-three-days
version: 1
title: Start within three business days
timeZone: Asia/Shanghai
roles: [customer, isv]
calendars:
  cn-2026:
    workingDays: [mon, tue, wed, thu, fri]
    holidays: [2026-10-01, 2026-10-02, 2026-10-05, 2026-10-06, 2026-10-07]
    workingDates: [2026-09-27, 2026-10-10]
steps:
  - id: start-delivery
    title: Start Delivery
    actor: isv
    timeout: { after: { businessDays: 3, calendar: cn-2026 }, action: escalate }
    actions:
      start: { end: started }
      escalate: { end: escalated }
`
const result = compileProcess(text, 'inline.yaml')
if (!result.ok) throw new Error(result.errors.map(String).join('\n'))
const delay = result.process.steps.get('start-delivery')?.timeout?.after
if (!delay) throw new Error('no timeout')
const due = (from: string) => dueAfter(from, delay, {}, 'UTC')

describe('business days', () => {
  it('3 business days from a Friday evening in Shanghai fall due on Wednesday at the same local time', () => {
    // Friday 2026-03-06 20:00 in Shanghai is 12:00 UTC; Monday, Tuesday and Wednesday count.
    expect(due('2026-03-06T12:00:00.000Z')).toBe('2026-03-11T12:00:00.000Z')
  })

  it('counts a business day as a calendar day, not 24 working hours: from Monday 23:00 to Thursday 23:00', () => {
    expect(due('2026-03-09T15:00:00.000Z')).toBe('2026-03-12T15:00:00.000Z')
  })

  it('uses the calendar\'s time zone to tell which day it is: Friday 23:30 UTC is already Saturday in Shanghai', () => {
    // Saturday 07:30 local: Monday, Tuesday, Wednesday count; due Wednesday 07:30 local.
    expect(due('2026-03-06T23:30:00.000Z')).toBe('2026-03-10T23:30:00.000Z')
  })

  it('skips declared holidays and counts make-up working days exactly as declared', () => {
    // Entered Friday 2026-09-25 10:00 local. Sat 26 no; Sun 27 make-up day (1); Mon 28 (2); Tue 29 (3).
    expect(due('2026-09-25T02:00:00.000Z')).toBe('2026-09-29T02:00:00.000Z')
    // Entered Wednesday 2026-09-30 10:00 local: Thu 1 and Fri 2 holidays, weekend, Mon 5-Wed 7 holidays,
    // Thu 8 (1), Fri 9 (2), Sat 10 make-up (3).
    expect(due('2026-09-30T02:00:00.000Z')).toBe('2026-10-10T02:00:00.000Z')
  })
})
