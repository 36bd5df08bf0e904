// The console's only script: it makes the server-rendered pages nicer to use, and every page works
// without it but for uploads and the diagram. Loaded as a module from this server (the pages'
// Content-Security-Policy allows no inline script).
import { enhanceUploads } from './uploads.js'
import { enhanceDiagram } from './diagram.js'

const body = document.body
const locale = body.dataset['locale'] ?? 'en'
/** The server's clock minus the browser's: a sandbox clock may be days ahead. */
const skew = Date.parse(body.dataset['now'] ?? '') - Date.now() || 0

/** Instants in the viewer's own time zone; the process's reading stays as the tooltip. */
function localTimes(): void {
  const format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })
  for (const time of document.querySelectorAll<HTMLTimeElement>('time[datetime]')) {
    const at = Date.parse(time.dateTime)
    if (Number.isNaN(at)) continue
    time.title = time.textContent ?? ''
    time.textContent = format.format(at)
  }
}

/** A countdown after each deadline, from the server's now. */
function countdowns(): void {
  const elements = [...document.querySelectorAll<HTMLTimeElement>('time[data-countdown]')].map((time) => {
    const span = document.createElement('span')
    span.className = 'countdown'
    time.after(' ', span)
    return { due: Date.parse(time.dateTime), span }
  })
  if (elements.length === 0) return
  const words = new Intl.RelativeTimeFormat(locale, { numeric: 'always', style: 'long' })
  // A remark in the page's language: `(in 14 days)`, `（14天后）`.
  const aside = body.dataset['aside'] ?? '({text})'
  const tick = (): void => {
    const now = Date.now() + skew
    for (const { due, span } of elements) {
      const left = due - now
      const minutes = Math.round(left / 60_000)
      const inWords = Math.abs(minutes) >= 1440 ? words.format(Math.round(minutes / 1440), 'day') : Math.abs(minutes) >= 60 ? words.format(Math.round(minutes / 60), 'hour') : words.format(minutes, 'minute')
      span.textContent = aside.replace('{text}', inWords)
    }
  }
  tick()
  setInterval(tick, 30_000)
}

/** Forms whose action ends the delivery (or terminates it) ask first. */
function confirmations(): void {
  for (const form of document.querySelectorAll<HTMLFormElement>('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset['confirm'] ?? '')) event.preventDefault()
    })
  }
}

/** The viewer's time zone, so local date-times typed in a form are read in it. */
function viewerZone(): void {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
  for (const input of document.querySelectorAll<HTMLInputElement>('input[data-viewer-zone]')) input.value = zone
}

/** The one-time sign-in link's page: the button is pressed for the person. */
function autosubmit(): void {
  document.querySelector<HTMLFormElement>('form[data-autosubmit]')?.requestSubmit()
}

/** Arrays of objects: add and remove rows, renumbering the fields' names and ids. */
function rows(): void {
  for (const group of document.querySelectorAll<HTMLFieldSetElement>('fieldset[data-rows]')) {
    const name = group.dataset['rows'] ?? ''
    const renumber = (): void => {
      group.querySelectorAll<HTMLFieldSetElement>(':scope > fieldset.row').forEach((row, index) => {
        for (const element of row.querySelectorAll<HTMLInputElement>('[name]')) element.name = element.name.replace(new RegExp(`^${escapeRegExp(name)}/\\d+`), `${name}/${index}`)
        for (const element of row.querySelectorAll<HTMLElement>('[id]')) element.id = element.id.replace(/-\d+-/, `-${index}-`)
        for (const label of row.querySelectorAll<HTMLLabelElement>('label[for]')) label.htmlFor = label.htmlFor.replace(/-\d+-/, `-${index}-`)
      })
    }
    group.addEventListener('click', (event) => {
      const target = event.target as HTMLElement
      const all = group.querySelectorAll<HTMLFieldSetElement>(':scope > fieldset.row')
      if (target.matches('[data-add-row]')) {
        const last = all[all.length - 1]
        if (!last) return
        const copy = last.cloneNode(true) as HTMLFieldSetElement
        for (const input of copy.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')) {
          if (input instanceof HTMLInputElement && input.type === 'checkbox') input.checked = false
          else input.value = ''
        }
        last.after(copy)
        renumber()
      } else if (target.matches('[data-remove-row]') && all.length > 1) {
        target.closest('fieldset.row')?.remove()
        renumber()
      }
    })
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * The page shows the delivery's latest state: reloaded when it changes, unless a form is being
 * filled in (then a notice says so). Changes arrive on the console's event stream
 * (`data-events`); while it cannot be had (closed by the server, or EventSource missing), the
 * page asks for the delivery's revision every 3 s instead.
 */
function liveUpdates(): void {
  const root = document.querySelector<HTMLElement>('[data-live]')
  if (!root) return
  const seen = Number(root.dataset['revision'])
  let editing = false
  let changed = false
  root.addEventListener('input', () => { editing = true })
  const show = (revision: number): void => {
    if (revision <= seen || changed) return
    if (editing) root.querySelector<HTMLElement>('.changed')?.removeAttribute('hidden')
    else {
      changed = true
      window.location.reload()
    }
  }
  const ask = (): void => void revisionNow(root.dataset['live'] ?? '').then((revision) => { if (revision !== undefined) show(revision) })
  let polling: number | undefined
  const poll = (): void => {
    polling ??= window.setInterval(ask, 3_000)
  }
  const url = root.dataset['events']
  if (!url || typeof EventSource === 'undefined') return poll()
  const source = new EventSource(url)
  let failures = 0
  // A change committed between rendering the page and the stream's (re)opening is on no message: asked once per opening.
  source.addEventListener('open', ask)
  // Every message is an event of this delivery (the stream is filtered by it, and its messages
  // are unnamed, so all arrive here): its summary has the delivery's revision.
  source.addEventListener('message', (message: MessageEvent<string>) => {
    failures = 0
    const event = JSON.parse(message.data) as { data?: { delivery?: { revision?: number } } }
    show(event.data?.delivery?.revision ?? seen + 1)
  })
  source.addEventListener('error', () => {
    // The browser reconnects by itself (resuming after the last event); after a few failures in a row, or once it gives up, poll.
    failures += 1
    if (source.readyState === EventSource.CLOSED || failures >= 3) {
      source.close()
      poll()
      // A change missed while the stream was down shows on the first poll.
    }
  })
}

/** The delivery's revision as the server has it now, or undefined when it cannot be asked (offline for a moment). */
async function revisionNow(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
    if (!response.ok) return undefined
    return (await response.json() as { revision: number }).revision
  } catch {
    return undefined
  }
}

localTimes()
countdowns()
confirmations()
viewerZone()
rows()
enhanceUploads()
enhanceDiagram()
liveUpdates()
autosubmit()
