// The process diagram, drawn by Mermaid (served by this server) only when it is opened: Mermaid is
// large, and most visits never open it. The current step is highlighted.

interface Mermaid {
  initialize(config: Record<string, unknown>): void
  render(id: string, text: string): Promise<{ svg: string }>
}

const MERMAID = '/console/assets/mermaid/mermaid.esm.min.mjs'

export function enhanceDiagram(): void {
  const details = document.querySelector<HTMLDetailsElement>('details[data-diagram]')
  if (!details) return
  let drawn = false
  details.addEventListener('toggle', () => {
    if (!details.open || drawn) return
    drawn = true
    void draw(details)
  })
}

async function draw(details: HTMLDetailsElement): Promise<void> {
  const target = details.querySelector<HTMLElement>('.diagram-body')
  if (!target) return
  try {
    const text = await fetch(details.dataset['diagram'] ?? '', { credentials: 'same-origin' }).then((response) => response.text())
    await drawDiagram(target, text, details.dataset['current'] ?? '', details.querySelector('summary')?.textContent ?? '')
  } catch (error) {
    target.textContent = String(error)
  }
}

/** Sheets of Mermaid's styles already adopted, by their text: a diagram redrawn adds none. */
const adopted = new Set<string>()
let drawing = 0

/** Draws the Mermaid `text` into `target`, the step `current` highlighted, labelled `label` for assistive technologies. */
export async function drawDiagram(target: HTMLElement, text: string, current: string, label = ''): Promise<void> {
  const { default: mermaid } = await (import(/* @vite-ignore */ MERMAID) as Promise<{ default: Mermaid }>)
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', flowchart: { htmlLabels: false }, theme: 'neutral' })
  const { svg } = await mermaid.render(`process-diagram-svg-${++drawing}`, text)
  // Parsed as HTML (Mermaid's labels hold `<br>`) in a template, where nothing runs; once moved
  // into the page, what keeps it harmless is Mermaid's strict mode (labels are sanitised) and the
  // page's policy (no inline script).
  const template = document.createElement('template')
  template.innerHTML = svg
  const parsed = template.content.querySelector('svg')
  if (!parsed) throw new Error('Mermaid drew no diagram.')
  // The page's policy forbids inline styles: Mermaid's are applied as a constructed style sheet instead.
  const css = [...parsed.querySelectorAll('style')].map((style) => { style.remove(); return style.textContent ?? '' }).join('\n')
  if (!adopted.has(css)) {
    adopted.add(css)
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(css)
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]
  }
  if (current) {
    const node = `n_${current.replace(/[^A-Za-z0-9]/g, '_')}` // a step's id in the diagram (engine/definition/mermaid.ts)
    for (const element of parsed.querySelectorAll<SVGGElement>('g.node')) {
      if (element.id.includes(`-${node}-`)) element.classList.add('current-step')
    }
  }
  parsed.setAttribute('role', 'img')
  parsed.setAttribute('aria-label', label)
  target.replaceChildren(parsed)
  // Drawn at its own size (Mermaid's inline max-width is refused by the policy), never wider than the page.
  const width = Number(parsed.getAttribute('viewBox')?.split(/[\s,]+/)[2])
  if (width > 0) parsed.style.maxWidth = `min(100%, ${Math.ceil(width)}px)`
}
