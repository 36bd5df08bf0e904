import type { Machine } from './machine.js'
import { machineLine } from './machine.js'
import type { Report, Target } from './report.js'

/** Formats a figure for a table: thousands separators from 100 up, three significant digits below. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US')
  if (value === 0) return '0'
  return value.toPrecision(3)
}

function formatTarget(target: Target | undefined, unit: string): string {
  return target ? `${target.op === '>=' ? '≥' : '≤'} ${formatNumber(target.value)}${unit}` : ''
}

function verdict(met: boolean | undefined): string {
  return met === undefined ? '' : met ? 'met' : 'NOT MET'
}

/** Lays out rows as a plain-text table with aligned columns; the first `left` columns are left-aligned. */
export function layout(rows: readonly (readonly string[])[], left = 1): string {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length) })
  return rows.map((row) => row.map((cell, i) => (i < left ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd()).join('\n')
}

/** The printed form of a report: what was measured, on what, then the figures, ratios and checks. */
export function renderReport(report: Report, machine: Machine): string {
  const lines: string[] = []
  lines.push(`\n== ${report.name}: ${report.title}`)
  lines.push(`   ${machineLine(machine)}`)
  lines.push(`   ${Object.entries(report.settings).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? formatNumber(v) : v.toLocaleString('en-US')}`).join(', ')}`)
  lines.push('')
  lines.push(layout([
    ['measured', 'unit', 'median', 'min', 'max', 'target', ''],
    ...report.measures.map((m) => [m.label, m.unit, formatNumber(m.median), formatNumber(m.min), formatNumber(m.max), formatTarget(m.target, m.unit === '/s' ? '' : ` ${m.unit}`), verdict(m.met)]),
  ], 2))
  if (report.ratios.length > 0) {
    lines.push('')
    lines.push(layout([
      ['ratio (per run, side by side)', 'median', 'min', 'max', 'target', ''],
      ...report.ratios.map((r) => [r.label, `${formatNumber(r.median)}×`, `${formatNumber(r.min)}×`, `${formatNumber(r.max)}×`, formatTarget(r.target, '×'), verdict(r.met)]),
    ]))
  }
  for (const check of report.checks) lines.push(`${check.ok ? 'ok  ' : 'FAIL'} ${check.label}: ${check.detail}`)
  for (const note of report.notes) lines.push(`note: ${note}`)
  return lines.join('\n')
}
