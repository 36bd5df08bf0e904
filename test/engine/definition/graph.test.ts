import { describe, expect, it } from 'vitest'
import { compileProcess, loadBuiltInProcesses, processEdges, toMermaid } from '../../../engine/index.js'
import { compileForTest } from '../../support/decide.js'

const byId = new Map(loadBuiltInProcesses().map((p) => [p.id, p]))
const stepByStep = byId.get('step-by-step')
const doubleCheck = byId.get('double-check')
if (!stepByStep || !doubleCheck) throw new Error('built-in processes missing')

describe('processEdges', () => {
  it('gives every transition of step-by-step: both rejection loops, the timeouts, the dispute and the escalations included', () => {
    const edges = processEdges(stepByStep).map((e) => `${e.from} -${e.kind}:${e.label}-> ${e.to}`)
    expect(edges).toEqual([
      'submit-demand -action:submit-> functional-design',
      'functional-design -action:finish-> confirm-functional-design',
      'functional-design -timeout:escalate-> functional-design-escalated',
      'confirm-functional-design -action:confirm-> ued',
      'confirm-functional-design -action:reject-> functional-design',
      'ued -action:finish-> confirm-ued',
      'ued -timeout:escalate-> ued-escalated',
      'confirm-ued -action:confirm-> development-testing',
      'confirm-ued -action:reject-> ued',
      'development-testing -action:finish-> inspection-acceptance',
      'development-testing -timeout:escalate-> development-testing-escalated',
      'inspection-acceptance -action:confirm-> confirm-delivery',
      'inspection-acceptance -action:reject-> development-testing',
      'confirm-delivery -action:confirm-> end:completed',
      'confirm-delivery -action:dispute-> dispute',
      'confirm-delivery -timeout:confirm-> end:completed',
      'dispute -action:rework-> development-testing',
      'dispute -action:confirm-on-behalf-> end:completed',
      'functional-design-escalated -action:finish-> confirm-functional-design',
      'functional-design-escalated -action:return-to-isv-> functional-design',
      'ued-escalated -action:finish-> confirm-ued',
      'ued-escalated -action:return-to-isv-> ued',
      'development-testing-escalated -action:finish-> inspection-acceptance',
      'development-testing-escalated -action:return-to-isv-> development-testing',
    ])
  })

  it('draws the warranty expiry from every step the window covers', () => {
    const expiries = processEdges(doubleCheck).filter((e) => e.kind === 'expiry')
    expect(expiries.map((e) => [e.from, e.to, e.after, e.by])).toEqual([
      ['confirm-warranty', 'end:warranty-expired', 'warrantyPeriod', ['system']],
      ['warranty-service', 'end:warranty-expired', 'warrantyPeriod', ['system']],
      ['warranty-dispute', 'end:warranty-expired', 'warrantyPeriod', ['system']],
      ['warranty-service-escalated', 'end:warranty-expired', 'warrantyPeriod', ['system']],
    ])
  })
})

describe('toMermaid', () => {
  it('renders step-by-step with a node per step and end, and an arrow per transition', () => {
    const lines = toMermaid(stepByStep).trimEnd().split('\n')
    expect(lines[0]).toBe('flowchart TD')
    expect(lines).toContain('  start((start)) --> n_submit_demand')
    expect(lines).toContain('  n_confirm_ued["Confirm UED<br/><i>customer</i>"]')
    expect(lines).toContain('  e_completed(["completed"])')
    expect(lines).toContain('  n_confirm_functional_design -->|"reject"| n_functional_design')
    expect(lines).toContain('  n_confirm_ued -->|"reject"| n_ued')
    expect(lines).toContain('  n_inspection_acceptance -->|"reject"| n_development_testing')
    expect(lines).toContain('  n_confirm_delivery -.->|"after confirmWindow: system performs confirm"| e_completed')
    expect(lines.filter((l) => l.includes('-->|') || l.includes('-.->|'))).toHaveLength(processEdges(stepByStep).length)
    expect(lines.filter((l) => /^ {2}n_\w+\["/.test(l))).toHaveLength(stepByStep.steps.size)
  })

  it('boxes the steps of a window in a subgraph', () => {
    const text = toMermaid(doubleCheck)
    expect(text).toContain('  subgraph w_warranty["Warranty period"]\n    n_confirm_warranty["Confirm Warranty<br/><i>customer</i>"]\n    n_warranty_service["Warranty Service<br/><i>isv</i>"]\n    n_warranty_service_escalated["Warranty Service Escalated<br/><i>isv or admin</i>"]\n    n_warranty_dispute["Warranty Dispute<br/><i>admin</i>"]\n  end\n')
  })
})

describe('toMermaid, on what an author writes', () => {
  it('keeps every label on its line, with nothing that ends it, comments or configures the diagram', () => {
    const text = "id: p\nversion: 1\ntitle: P\nroles: [customer]\nsteps:\n  - id: a\n    title: \"A\\n%%{init: {'securityLevel': 'loose'}}%%\\n\\\"]; click a call x()\"\n    actor: customer\n    actions:\n      go: { title: \"`**Go**` 100%\", end: done }\n"
    const compiled = compileProcess(text, 'p.yaml')
    if (!compiled.ok) throw new Error(compiled.errors.map(String).join('\n'))
    const diagram = toMermaid(compiled.process)
    expect(diagram).not.toMatch(/%%|`/)
    const line = diagram.split('\n').find((l) => l.includes('#37;#37;{init'))
    expect(line).toContain('#quot;]; click a call x()')
    expect(diagram.split('\n').filter((l) => /^\s*click\b/.test(l))).toEqual([])
  })
})

describe('the ids of a diagram\'s nodes', () => {
  it('keep a step apart from an end or a window named like it', () => {
    const process = compileForTest(`id: clash
version: 1
title: Clash
roles: [customer]
windows:
  - { id: x, title: Window X, steps: [end-completed], after: P1D, onExpiry: { end: expired } }
steps:
  - id: confirm
    title: Confirm
    actor: customer
    actions:
      pay: { title: Pay, goto: end-completed }
      done: { title: Done, end: completed }
  - id: end-completed
    title: Pay an extra fee
    actor: customer
    actions:
      paid: { title: Paid, goto: window-x }
  - id: window-x
    title: Another step
    actor: customer
    actions:
      ok: { title: OK, end: completed }
`)
    const lines = toMermaid(process).split('\n')
    const defined = lines.map((line) => /^\s+(?:subgraph )?([a-z]_[A-Za-z0-9_]+)[[(]/.exec(line)?.[1] ?? /^\s+subgraph ([a-z]_[A-Za-z0-9_]+)/.exec(line)?.[1]).filter((id) => id !== undefined)
    expect(new Set(defined).size).toBe(defined.length)
    expect(defined).toEqual(expect.arrayContaining(['n_end_completed', 'e_completed', 'w_x', 'n_window_x']))
  })
})
