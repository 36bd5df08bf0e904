import type { Child } from 'hono/jsx'
import { may } from '../../engine/index.js'
import { Time } from '../format.js'
import { labelOf } from '../i18n.js'
import { Layout } from '../layout.js'
import type { CatalogData, Comparison, ProcessPageData } from '../process-data.js'
import type { PageContext } from '../view.js'

/** Where a process version's page is, optionally compared with another version. */
export function processPath(id: string, version?: number, compare?: number): string {
  const query = new URLSearchParams({ ...(version === undefined ? {} : { version: String(version) }), ...(compare === undefined ? {} : { compare: String(compare) }) }).toString()
  return `/console/processes/${encodeURIComponent(id)}${query ? `?${query}` : ''}`
}

/** The process catalog: every process with its versions, owner, current version and running deliveries. */
export function ProcessesPage({ page, data }: { page: PageContext; data: CatalogData }) {
  const { t } = page
  return (
    <Layout page={page} title={t.studio.title}>
      <h1>{t.studio.title}</h1>
      <p class="muted">{t.studio.intro}</p>
      {page.principal && may(page.principal, 'register-processes') && <p><a class="button" href="/console/processes/new">{t.studio.create}</a></p>}
      <div class="table-scroll">
        <table class="deliveries processes">
          <thead>
            <tr><th scope="col">{t.studio.process}</th><th scope="col">{t.studio.versions}</th><th scope="col">{t.studio.owner}</th><th scope="col">{t.studio.current}</th><th scope="col">{t.studio.running}</th></tr>
          </thead>
          <tbody>
            {data.processes.map((p) => (
              <tr>
                <td><a href={processPath(p.id)}>{p.title}</a><br /><code>{p.id}</code></td>
                <td>{p.versions.map((v, i) => <>{i > 0 && ' · '}<a href={processPath(p.id, v)}>{`v${v}`}</a></>)}</td>
                <td>{p.owner === null ? t.studio.public : `${p.owner} (${labelOf(t.roles, p.ownerRole ?? '')})`}</td>
                <td>{`v${p.latestVersion}`}</td>
                <td>{p.active.size === 0 ? t.studio.none : [...p.active].sort(([a], [b]) => a - b).map(([v, n]) => t.studio.runningOn(v, n)).join(' · ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  )
}

/** One version of a process: its steps, diagram and source, and its differences from another version. */
export function ProcessPage({ page, data }: { page: PageContext; data: ProcessPageData }) {
  const { t } = page
  const { detail, summary, comparison } = data
  return (
    <Layout page={page} title={`${detail.title} · ${t.studio.version(detail.version)}`}>
      <p><a href="/console/processes">{t.studio.title}</a></p>
      <h1>{detail.title}</h1>
      {page.principal && may(page.principal, 'register-processes') && <p><a href={`/console/processes/${encodeURIComponent(detail.id)}/edit?version=${detail.version}`}>{t.studio.edit}</a></p>}
      <dl class="value">
        <dt>{t.studio.process}</dt><dd><code>{detail.id}</code></dd>
        <dt>{t.studio.owner}</dt><dd>{summary.owner === null ? t.studio.public : `${summary.owner} (${labelOf(t.roles, summary.ownerRole ?? '')})`}</dd>
        <dt>{t.studio.registeredAt}</dt><dd><Time at={detail.registeredAt} zone="UTC" locale={page.locale} /></dd>
        <dt>{t.studio.running}</dt><dd>{data.active.get(detail.version) ?? 0}</dd>
      </dl>
      <nav aria-label={t.studio.versions} class="versions">
        <span>{`${t.studio.versions}: `}</span>
        {summary.versions.map((v, i) => <>{i > 0 && ' · '}{v === detail.version
          ? <strong aria-current="page">{`v${v}`}</strong>
          : <a href={processPath(detail.id, v)}>{`v${v}`}</a>}</>)}
        {summary.versions.length > 1 && <>
          <br /><span>{`${t.studio.compareWith}: `}</span>
          {summary.versions.filter((v) => v !== detail.version).map((v, i) => <>{i > 0 && ' · '}<a href={processPath(detail.id, detail.version, v)}>{`v${v}`}</a></>)}
        </>}
      </nav>
      {comparison && <ComparisonSection page={page} comparison={comparison} />}
      <section aria-labelledby="steps-title">
        <h2 id="steps-title">{t.studio.steps}</h2>
        <div class="table-scroll">
          <table class="deliveries">
            <thead><tr><th scope="col">{t.studio.step}</th><th scope="col">{t.studio.actors}</th><th scope="col">{t.studio.actions}</th></tr></thead>
            <tbody>
              {detail.steps.map((step) => (
                <tr><td>{step.title}<br /><code>{step.id}</code></td><td>{step.actors.map((a) => labelOf(t.roles, a)).join(', ')}</td><td>{step.actions.join(', ')}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <details class="diagram" data-diagram={`/console/processes/${encodeURIComponent(detail.id)}/diagram?version=${detail.version}`} data-current="">
        <summary>{t.studio.diagram}</summary>
        <div class="diagram-body" aria-live="polite"><p>{t.studio.diagramLoading}</p></div>
      </details>
      <section aria-labelledby="source-title">
        <h2 id="source-title">{t.studio.source}</h2>
        <SourceText text={detail.source} />
      </section>
    </Layout>
  )
}

/**
 * The steps and text changed from one version to another, under `title` (by default: from
 * version to version); without `text`, only the steps (a derived text against its base's is
 * no help: it holds only what differs).
 */
export function ComparisonSection({ page, comparison, title, text = true }: { page: PageContext; comparison: Comparison; title?: string; text?: boolean }) {
  const { t } = page
  return (
    <section aria-labelledby="compare-title" class="comparison">
      <h2 id="compare-title">{title ?? t.studio.compare(comparison.from, comparison.to)}</h2>
      <h3>{t.studio.stepChanges}</h3>
      {comparison.steps.length === 0 ? <p>{t.studio.noStepChanges}</p> : (
        <ul class="step-changes">
          {comparison.steps.map((s) => (
            <li class={`change-${s.change}`}>
              <strong>{t.studio.change[s.change]}</strong>{' '}{s.title} <code>{s.id}</code>
              {s.what.length > 0 && ` ${t.aside(s.what.map((w) => labelOf(t.studio.changedWhat, w)).join(', '))}`}
            </li>
          ))}
        </ul>
      )}
      {text && <><h3>{t.studio.textChanges}</h3><LineDiff lines={comparison.lines} /></>}
    </section>
  )
}

/** A definition's text with its line numbers (focusable: it scrolls sideways on a narrow screen). */
export function SourceText({ text }: { text: string }) {
  return <pre class="source" tabindex={0}><code>{text.replace(/\n$/, '').split('\n').map((line) => <span class="line">{line}</span>)}</code></pre>
}

/** A text's lines, each the same, added or removed (focusable, as SourceText). */
export function LineDiff({ lines }: { lines: Comparison['lines'] }) {
  return (
    <pre class="source diff" tabindex={0}><code>{lines.map((line) => (
      <span class={`line ${line.kind}`}>
        {line.kind === 'added' ? <ins>{line.text}</ins> : line.kind === 'removed' ? <del>{line.text}</del> : line.text}
      </span>
    ))}</code></pre>
  )
}

/** What an editor shows: the text being edited, scenarios, and the problems of the last attempt at sending it. */
export interface EditorData {
  readonly source: string
  readonly scenarios: string
  readonly problems: ReadonlyArray<{ readonly code: string; readonly message: string; readonly hint?: string | undefined; readonly location: { readonly line: number; readonly column: number } }>
}

/** What the editing page shows: the process, and the editor. */
export interface ProcessEditData extends EditorData {
  readonly id: string
  readonly title: string
}

/** The page editing a process into a new version. */
export function ProcessEditPage({ page, data }: { page: PageContext; data: ProcessEditData }) {
  const { t } = page
  return (
    <Layout page={page} title={t.studio.editTitle(data.title)} script="studio">
      <p><a href={processPath(data.id)}>{data.title}</a></p>
      <h1>{t.studio.editTitle(data.title)}</h1>
      <p class="muted">{t.studio.editIntro}</p>
      {data.problems.length > 0 && <p class="alert" role="alert">{t.studio.notPublished}</p>}
      <StudioForm page={page} action={`/console/processes/${encodeURIComponent(data.id)}/publish`} data={data} submit={t.studio.publish} />
    </Layout>
  )
}

/** The page writing a new process, published as its first version. */
export function NewProcessPage({ page, data }: { page: PageContext; data: EditorData }) {
  const { t } = page
  return (
    <Layout page={page} title={t.studio.createTitle} script="studio">
      <p><a href="/console/processes">{t.studio.title}</a></p>
      <h1>{t.studio.createTitle}</h1>
      <p class="muted">{t.studio.createIntro}</p>
      {data.problems.length > 0 && <p class="alert" role="alert">{t.studio.notPublished}</p>}
      <StudioForm page={page} action="/console/processes/new" data={data} submit={t.studio.publish} />
    </Layout>
  )
}

/** What a new process starts from: one step, valid as it is. */
export const NEW_PROCESS = `# yaml-language-server: $schema=../schemas/process.schema.json
id: new-process
version: 1
title: New process
roles: [customer, isv]
steps:
  - id: deliver
    title: Deliver
    actor: isv
    actions:
      finish: { title: Finish, goto: confirm }
  - id: confirm
    title: Confirm
    actor: customer
    timeout: { after: P14D, action: confirm }
    actions:
      confirm: { title: Confirm, end: completed }
`

/**
 * The editor: the definition (a text area, which the studio's script turns into a checked
 * editor), its problems, a diagram preview, scenarios to run, and the button sending it to
 * `action` (with `children` before it: more fields of the form).
 */
export function StudioForm({ page, action, data, submit, children }: { page: PageContext; action: string; data: EditorData; submit: string; children?: Child }) {
  const { t } = page
  return (
    <form method="post" action={action} class="studio">
      <input type="hidden" name="_csrf" value={page.csrf ?? ''} />
      <div class="studio-panes">
        <div class="studio-text">
          <label for="source">{t.studio.definition}</label>
          <div class="editor" hidden data-words={`${t.studio.valid}|${t.studio.invalid}`}></div>
          <textarea id="source" name="source" rows={30} spellcheck={false}>{data.source}</textarea>
          <h2 id="problems-title">{t.studio.problems}</h2>
          <p class="check-status" role="status"></p>
          <ul class="problems" aria-labelledby="problems-title" aria-live="polite">
            {data.problems.map((p) => <li data-line={String(p.location.line)}>{`${p.location.line}:${p.location.column} ${p.code} ${p.message}${p.hint ? ` ${p.hint}` : ''}`}</li>)}
          </ul>
        </div>
        <div class="studio-preview">
          <h2>{t.studio.preview}</h2>
          <div class="preview" aria-live="polite" data-label={t.studio.preview}></div>
        </div>
      </div>
      <label for="scenarios">{t.studio.scenarios}</label>
      <p class="help">{t.studio.scenariosHelp}</p>
      <textarea id="scenarios" name="scenarios" rows={12} spellcheck={false}>{data.scenarios}</textarea>
      <p><button type="button" class="secondary run-scenarios">{t.studio.runScenarios}</button></p>
      <ul class="scenario-results" aria-live="polite"></ul>
      {children}
      <p><button type="submit">{submit}</button></p>
    </form>
  )
}
