// The studio's editor: the definition in CodeMirror (YAML), checked as it is typed by the server
// (POST /console/processes/check, the same check as POST /v1/processes/validate: nothing is
// registered), each problem shown at its line and column and listed under the editor; keys
// completed and explained from schemas/process.schema.json; the diagram redrawn from the text;
// the scenarios run on demand. The form underneath still works without this script.
import { autocompletion } from '@codemirror/autocomplete'
import type { CompletionContext, CompletionResult } from '@codemirror/autocomplete'
import { yaml } from '@codemirror/lang-yaml'
import { linter, lintGutter } from '@codemirror/lint'
import type { Diagnostic } from '@codemirror/lint'
import { EditorView, hoverTooltip } from '@codemirror/view'
import { basicSetup } from 'codemirror'
import processSchema from '../../schemas/process.schema.json' with { type: 'json' }
import { drawDiagram } from './diagram.js'
import { describeKey, keysAt } from './schema-help.js'
import type { Schema } from './schema-help.js'

interface Located { code: string; message: string; hint?: string; location: { line: number; column: number } }
interface Check {
  valid: boolean
  problems: Located[]
  diagram?: string
  scenarios?: { problems: Located[]; results: Array<{ name: string; passed: boolean; problems: Located[] }> }
}

const schema = processSchema as Schema

export function enhanceStudio(): void {
  const form = document.querySelector<HTMLFormElement>('form.studio')
  const source = form?.querySelector<HTMLTextAreaElement>('textarea[name=source]')
  const mount = document.querySelector<HTMLElement>('.editor')
  if (!form || !source || !mount) return
  const csrf = form.querySelector<HTMLInputElement>('input[name=_csrf]')?.value ?? ''
  const problems = document.querySelector<HTMLElement>('.problems')
  const status = document.querySelector<HTMLElement>('.check-status')
  const diagram = document.querySelector<HTMLElement>('.preview')
  const scenarios = form.querySelector<HTMLTextAreaElement>('textarea[name=scenarios]')
  const results = document.querySelector<HTMLElement>('.scenario-results')
  const words = (mount.dataset['words'] ?? '').split('|')

  const check = async (text: string, withScenarios: boolean): Promise<Check> => {
    const response = await fetch('/console/processes/check', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ definition: text, ...(withScenarios && scenarios ? { scenarios: scenarios.value } : {}) }),
    })
    if (!response.ok) throw new Error(`check answered ${response.status}`)
    return await response.json() as Check
  }

  let lastDiagram = ''
  const show = (result: Check): void => {
    if (problems) {
      problems.replaceChildren(...result.problems.map((p) => {
        const item = document.createElement('li')
        item.dataset['line'] = String(p.location.line)
        item.textContent = `${p.location.line}:${p.location.column} ${p.code} ${p.message}${p.hint ? ` ${p.hint}` : ''}`
        return item
      }))
    }
    if (status) status.textContent = result.valid ? (words[0] ?? '') : (words[1] ?? '')
    if (diagram && result.diagram !== undefined && result.diagram !== lastDiagram) {
      lastDiagram = result.diagram
      drawDiagram(diagram, result.diagram, '', diagram.dataset['label'] ?? '').catch((error: unknown) => { diagram.textContent = String(error) })
    }
  }

  // In a shadow root: CodeMirror's styles are then adopted style sheets, which the page's policy
  // allows, rather than <style> elements, which it refuses (no inline style).
  const shadow = mount.attachShadow({ mode: 'open' })
  const view = new EditorView({
    doc: source.value,
    parent: shadow,
    root: shadow,
    extensions: [
      basicSetup,
      yaml(),
      lintGutter(),
      // Checked 300 ms after the last keystroke: problems at their line and column.
      linter(async (editor): Promise<Diagnostic[]> => {
        const text = editor.state.doc.toString()
        source.value = text
        let result: Check
        try {
          result = await check(text, false)
        } catch {
          return []
        }
        show(result)
        const doc = editor.state.doc
        return result.problems.map((p) => {
          const line = doc.line(Math.min(Math.max(p.location.line, 1), doc.lines))
          const from = Math.min(line.from + Math.max(p.location.column - 1, 0), line.to)
          const to = Math.max(from, Math.min(line.to, from + (/^[^\s,:}\]]+/.exec(doc.sliceString(from, line.to))?.[0].length ?? 0)))
          return { from, to, severity: 'error', message: `${p.code}: ${p.message}${p.hint ? `\n${p.hint}` : ''}` }
        })
      }, { delay: 300 }),
      autocompletion({ override: [(context: CompletionContext): CompletionResult | null => {
        const word = context.matchBefore(/[\w$.-]*/)
        const line = context.state.doc.lineAt(context.pos)
        const column = (word?.from ?? context.pos) - line.from
        if (/^\s*(- +)?$/.test(line.text.slice(0, column)) === false) return null
        const keys = keysAt(schema, context.state.doc.toString(), line.number - 1, column)
        if (keys.length === 0 || (!context.explicit && (word?.text ?? '') === '')) return null
        return { from: word?.from ?? context.pos, options: keys.map((k) => ({ label: k.key, apply: `${k.key}: `, type: 'property', ...(k.description ? { info: k.description } : {}) })) }
      }] }),
      hoverTooltip((editor, pos) => {
        const line = editor.state.doc.lineAt(pos)
        const help = describeKey(schema, editor.state.doc.toString(), line.number - 1)
        if (!help) return null
        const start = line.from + line.text.indexOf(help.key)
        if (pos < start || pos > start + help.key.length) return null
        return {
          pos: start, end: start + help.key.length,
          create: () => {
            const dom = document.createElement('div')
            dom.className = 'key-help'
            dom.textContent = help.description
            return { dom }
          },
        }
      }),
      // Named by the page's label, and focusable in the tab order as the scrolling region's content.
      EditorView.contentAttributes.of({ 'aria-label': document.querySelector('label[for=source]')?.textContent ?? '', tabindex: '0' }),
      EditorView.updateListener.of((update) => { if (update.docChanged) source.value = update.state.doc.toString() }),
      EditorView.theme({ '&': { fontSize: '0.85rem', maxHeight: '70vh' }, '.cm-scroller': { fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, monospace' }, '.key-help': { maxWidth: '28rem', padding: '0.4rem 0.6rem' } }),
    ],
  })
  // The editor replaces the plain text area; the form still sends the text area.
  source.hidden = true
  mount.hidden = false

  document.querySelector<HTMLButtonElement>('button.run-scenarios')?.addEventListener('click', () => {
    void check(view.state.doc.toString(), true).then((result) => {
      show(result)
      if (!results) return
      const lines = [
        ...(result.scenarios?.problems ?? []).map((p) => `✗ ${p.location.line}:${p.location.column} ${p.code} ${p.message}`),
        ...(result.scenarios?.results ?? []).flatMap((r) => [`${r.passed ? '✓' : '✗'} ${r.name}`, ...r.problems.map((p) => `  ${p.location.line}:${p.location.column} ${p.code} ${p.message}`)]),
      ]
      results.replaceChildren(...lines.map((text) => {
        const item = document.createElement('li')
        item.textContent = text
        item.className = text.startsWith('✓') ? 'passed' : 'failed'
        return item
      }))
    })
  })
}
