import { Hono } from 'hono'
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { languageDetector } from 'hono/language'
import type { Logger } from 'pino'
import type { AttachmentStorage, Engine } from '../engine/index.js'
import { EngineError, forbidden, InvalidDefinitionError, iso, may, optional, proposalRefusal, toMermaid } from '../engine/index.js'
import type { Principal } from '../engine/index.js'
import type { AppEnv } from '../server/env.js'
import { PROBLEM_TYPES } from '../server/problem.js'
import { checkBody, readBody } from '../server/body.js'
import { checkAttachmentTotal, checkPathText, REQUEST_LIMITS } from '../server/request-limits.js'
import type { EventHub } from '../server/event-hub.js'
import { streamEvents } from '../server/event-stream.js'
import { attachmentRoutes } from '../server/routes/attachments.js'
import { HEARTBEAT_MS, readEventQuery } from '../server/routes/events.js'
import type { UploadQuota } from '../server/upload-quota.js'
import type { CheckQueue } from '../server/check-queue.js'
import { queuedCheck } from '../server/check-queue.js'
import { assetRoutes } from './assets.js'
import { readForm, revisionOf } from './form-body.js'
import type { FormBody } from './form-body.js'
import { actRequest, deliveryData, listData, submittedForm } from './delivery-data.js'
import { isLocale, LOCALES, messages } from './i18n.js'
import type { Locale } from './i18n.js'
import { DeliveryPage, deliveryPath } from './pages/delivery.js'
import { DeliveriesPage } from './pages/deliveries.js'
import { MessagePage } from './pages/message.js'
import { NEW_PROCESS, NewProcessPage, processPath, ProcessEditPage, ProcessesPage, ProcessPage } from './pages/processes.js'
import type { EditorData } from './pages/processes.js'
import { NewProposalPage, ProposalEditPage, proposalPath, ProposalPage, ProposalsPage } from './pages/proposals.js'
import { newProposalData, proposalDiagram, proposalListData, proposalPageData } from './proposal-data.js'
import type { QueueCheck } from './proposal-data.js'
import { catalogData, processPageData } from './process-data.js'
import { LinkPage, SignInPage } from './pages/sign-in.js'
import { clearSessionCookie, consoleSession, setSessionCookie } from './session-cookie.js'
import { CONSOLE_HOME, returnPathProblem } from './sessions.js'
import type { ConsoleSessions } from './sessions.js'
import type { PageContext } from './view.js'

/** The studio's check as it is typed (JSON in and out). */
const CHECK_PATH = '/console/processes/check'

/** The pages' Content-Security-Policy: this server's scripts and styles only; nothing inline can run. */
export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ')

export interface ConsoleDeps {
  readonly engine: Engine
  readonly sessions: ConsoleSessions
  readonly storage: AttachmentStorage
  readonly logger: Logger
  readonly upload: { readonly limitBytes: number; readonly quota: UploadQuota }
  /** The server's queue of checks with scenarios, shared with `POST /v1/processes/validate`. */
  readonly checks: CheckQueue
  /** The server's public URL, whose origin forms may come from besides the request's own. */
  readonly publicUrl?: string | undefined
  /** The server's reader of the event feed, which `/console/events` follows (the API's live stream, behind the session). */
  readonly events: { readonly hub: EventHub; readonly heartbeatMs?: number | undefined }
}

/** Largest console form, in bytes (files are uploaded on their own, before the form is sent). */
const FORM_BYTES = 1024 * 1024

/**
 * Largest form anyone may send without a session (signing in, following a link, signing out): a
 * token and the page to return to. Small, so that connections holding bodies half sent hold
 * little: an API client without a token gets its headers read, no more.
 */
const SIGN_IN_FORM_BYTES = 8 * 1024
const SESSIONLESS = /^\/console\/(sign-in|sign-out|link\/[^/]*)$/

/**
 * The Delivery Center console under /console: pages for people, rendered on the server from what
 * the engine knows about each process, acting through the same Engine facade (and so the same
 * checks) as the API, with the session's principal.
 */
export function consoleRoutes(deps: ConsoleDeps): Hono<AppEnv> {
  const { engine, sessions } = deps
  const app = new Hono<AppEnv>()
  app.use(async (c, next) => {
    await next()
    c.header('Content-Security-Policy', CONSOLE_CSP)
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store')
  })
  // No id holds U+0000, and PostgreSQL's text cannot: refused before any page looks one up.
  app.use((c, next) => {
    checkPathText(c.req.path)
    return next()
  })
  app.use(languageDetector({
    supportedLanguages: [...LOCALES], fallbackLanguage: 'en', order: ['querystring', 'cookie', 'header'],
    lookupQueryString: 'lang', lookupCookie: 'dc_lang', caches: ['cookie'],
    cookieOptions: { path: '/console', sameSite: 'Strict', httpOnly: true, maxAge: 365 * 24 * 3600 },
    convertDetectedLanguage: (language) => language.split('-')[0]?.toLowerCase() ?? language,
  }))
  app.route('/assets', assetRoutes())
  // Files are streamed to the storage under its own limit; every other body is a small form.
  const formLimit = (maxSize: number) => bodyLimit({ maxSize, onError: () => { throw new EngineError('request.too-large', `This console form may be at most ${maxSize} bytes.`) } })
  const [signInLimit, signedInLimit] = [formLimit(SIGN_IN_FORM_BYTES), formLimit(FORM_BYTES)]
  app.use((c, next) => c.req.path.startsWith('/console/attachments') ? next() : SESSIONLESS.test(c.req.path) ? signInLimit(c, next) : signedInLimit(c, next))

  const page = (c: Context<AppEnv>): PageContext => {
    const language = c.get('language' as never) as string | undefined
    const locale: Locale = isLocale(language) ? language : 'en'
    const url = new URL(c.req.url)
    return {
      locale, t: messages(locale), principal: c.var.principal as PageContext['principal'], csrf: c.var.csrf,
      path: `${url.pathname}${url.search}`, now: iso(engine.clock.now()),
    }
  }
  const notFound = (c: Context<AppEnv>) => {
    const p = page(c)
    const what = /^\/console\/(deliveries|processes|proposals)\//.exec(c.req.path)?.[1]
    const kind = what === 'deliveries' ? 'delivery' : what === 'processes' ? 'process' : what === 'proposals' ? 'proposal' : 'page'
    return c.html(<MessagePage page={p} title={p.t.notFound.title} text={p.t.notFound.text(kind)} />, 404)
  }

  // Signing in: forms sent without a session, checked to come from this console's own pages.
  const signedInOrNot = consoleSession(sessions, { required: false, publicUrl: deps.publicUrl })
  app.use('/sign-in', signedInOrNot)
  app.use('/link/*', signedInOrNot)
  app.use('/sign-out', signedInOrNot)
  /** Opens `session` in this browser, ending the one it had (a person signing in as someone else). */
  const signIn = async (c: Context<AppEnv>, session: { secret: string; expiresAt: string }): Promise<void> => {
    const previous = c.var.consoleSession
    if (previous) await sessions.end(previous.secret)
    setSessionCookie(c, session.secret, session.expiresAt)
  }
  app.get('/sign-in', (c) => c.html(<SignInPage page={page(c)} next={safeNext(c.req.query('next'))} refused={false} signedOut={c.req.query('signed-out') !== undefined} />))
  app.post('/sign-in', async (c) => {
    const form = await readForm(c)
    const next = safeNext(typeof form['next'] === 'string' ? form['next'] : undefined)
    const session = typeof form['token'] === 'string' ? await sessions.openWithToken(form['token'].trim()) : undefined
    if (!session) return c.html(<SignInPage page={page(c)} next={next} refused signedOut={false} />, 401)
    await signIn(c, session)
    return c.redirect(next, 303)
  })
  app.get('/link/:secret', (c) => c.html(<LinkPage page={page(c)} secret={c.req.param('secret')} refused={false} />))
  app.post('/link/:secret', async (c) => {
    const secret = c.req.param('secret')
    // Signed in as someone else already: the person chooses (see LinkPage). Decided here, not
    // when the page opens: a link followed from another site opens the page without the session
    // cookie (SameSite=Strict), and the page's own form then sends it.
    const current = c.var.consoleSession ? c.var.principal : undefined
    if (current && (await readForm(c))['switch'] !== 'yes') {
      const other = await sessions.linkPrincipal(secret)
      if (other && (other.role !== current.role || other.subject !== current.subject)) {
        return c.html(<LinkPage page={page(c)} secret={secret} refused={false} switching={{ from: current, to: other }} />)
      }
    }
    const session = await sessions.redeem(secret)
    if (!session) return c.html(<LinkPage page={page(c)} secret="" refused />, 410)
    await signIn(c, session)
    return c.redirect(safeNext(session.returnPath), 303)
  })

  // Signing out works whatever the session's state (an expired one included): checked by origin.
  app.post('/sign-out', async (c) => {
    const session = c.var.consoleSession
    if (session) await sessions.end(session.secret)
    clearSessionCookie(c)
    return c.redirect('/console/sign-in?signed-out', 303)
  })

  // Everything else needs a session; every form that changes something carries its CSRF token.
  app.use(consoleSession(sessions, { required: true, publicUrl: deps.publicUrl }))
  app.route('/attachments', attachmentRoutes(engine, deps.storage, { limitBytes: deps.upload.limitBytes, quota: deps.upload.quota, logger: deps.logger }))

  app.get('/', async (c) => c.html(<DeliveriesPage page={page(c)} inbox data={await listData(engine, c.var.principal, c.req.query(), { inbox: true })} />))
  app.get('/deliveries', async (c) => c.html(<DeliveriesPage page={page(c)} inbox={false} data={await listData(engine, c.var.principal, c.req.query(), { inbox: false })} />))
  app.get('/deliveries/:id', async (c) => c.html(<DeliveryPage page={page(c)} data={await deliveryData(engine, c.req.param('id'), c.var.principal)} />))
  app.get('/deliveries/:id/revision', async (c) => {
    const view = await engine.instances.get(c.req.param('id'), c.var.principal)
    return c.json({ revision: view.revision })
  })
  // The live stream of the API behind the session, for the open pages: `?instance=ID` for a delivery's page.
  app.get('/events', async (c) => {
    const { filter, after } = await readEventQuery(c, engine.events)
    const secret = c.var.consoleSession?.secret ?? ''
    return streamEvents(c, { engine, hub: deps.events.hub }, c.var.principal, filter, after, {
      heartbeatMs: deps.events.heartbeatMs ?? HEARTBEAT_MS, named: false,
      stillAllowed: async () => await sessions.find(secret) !== undefined,
    })
  })
  app.get('/deliveries/:id/diagram', async (c) => {
    const view = await engine.instances.get(c.req.param('id'), c.var.principal)
    return c.text(toMermaid(await engine.processes.get(view.process.id, view.process.version)))
  })
  app.post('/deliveries/:id/act', async (c) => {
    const id = c.req.param('id')
    const submitted = submittedForm(await readForm(c, { all: true }))
    const { request, process } = await actRequest(engine, id, c.var.principal, submitted)
    try {
      // The API's limits hold here too (ids per slot and in all, lengths).
      checkAttachmentTotal(checkBody('ActRequest', request).attachments)
      await engine.instances.act(id, request, c.var.principal)
      return c.redirect(deliveryPath(id), 303)
    } catch (error) {
      if (!(error instanceof EngineError) || error.code === 'instance.not-found') throw error
      const p = page(c)
      const refusal = { action: request.action, code: error.code, message: error.message, problems: error.fields, submitted }
      // The refused form's files shown by name: no more than an act may carry (a form may hold thousands of ids).
      const data = await deliveryData(engine, id, c.var.principal, process, Object.values(request.attachments ?? {}).flat().slice(0, REQUEST_LIMITS.attachmentIdsPerAct))
      // Nothing to correct in the form: the delivery moved on (someone acted, or its deadline passed).
      const notice = error.code === 'conflict.stale' || error.code === 'step.not-current' ? p.t.delivery.conflict
        : error.code === 'deadline.passed' ? p.t.delivery.deadlinePassed : undefined
      return c.html(<DeliveryPage page={p} data={{ ...data, ...(notice ? { notice } : { refusal }) }} />, PROBLEM_TYPES[error.code].status)
    }
  })
  app.post('/deliveries/:id/terminate', async (c) => {
    const id = c.req.param('id')
    const form = await readForm(c)
    const reason = typeof form['reason'] === 'string' ? form['reason'].trim() : ''
    await engine.instances.terminate(id, { reason, ...optional('expectedRevision', revisionOf(form['_revision'])) }, c.var.principal)
    return c.redirect(deliveryPath(id), 303)
  })
  app.post('/deliveries/:id/retry', async (c) => {
    const id = c.req.param('id')
    await engine.instances.retry(id, optional('expectedRevision', revisionOf((await readForm(c))['_revision'])), c.var.principal)
    return c.redirect(deliveryPath(id), 303)
  })

  // The process studio, for administrators: the catalog, each version's steps, diagram and source, and the changes between versions.
  app.get('/processes', async (c) => c.html(<ProcessesPage page={page(c)} data={await catalogData(engine, c.var.principal)} />))
  app.get('/processes/new', (c) => {
    permitRegistering(c.var.principal)
    return c.html(<NewProcessPage page={page(c)} data={{ source: NEW_PROCESS, scenarios: '', problems: [] }} />)
  })
  app.post('/processes/new', async (c) => {
    permitRegistering(c.var.principal)
    const form = await readForm(c)
    const source = sourceOf(form)
    try {
      // A new process: an id already registered is edited as a new version on its own page instead.
      const id = (await engine.processes.check({ definition: source }, c.var.principal)).process?.id
      if (id !== undefined && (await engine.processes.list(c.var.principal)).some((p) => p.id === id)) {
        throw new EngineError('process.version-conflict', `There is a process "${id}" already: edit it as a new version, or choose another id.`)
      }
      const { process } = await engine.processes.register(source, 'definition.yaml')
      return c.redirect(processPath(process.id, process.version), 303)
    } catch (error) {
      if (!(error instanceof EngineError)) throw error
      return c.html(<NewProcessPage page={page(c)} data={{ source, scenarios: textOf(form['scenarios']), problems: editorProblems(error) }} />, PROBLEM_TYPES[error.code].status)
    }
  })
  app.get('/processes/:id', async (c) => {
    const data = await processPageData(engine, c.req.param('id'), c.var.principal, versionOf(c.req.query('version')), versionOf(c.req.query('compare')))
    return c.html(<ProcessPage page={page(c)} data={data} />)
  })
  app.get('/processes/:id/edit', async (c) => {
    const { detail } = await processPageData(engine, c.req.param('id'), c.var.principal, versionOf(c.req.query('version')), undefined)
    permitRegistering(c.var.principal)
    return c.html(<ProcessEditPage page={page(c)} data={{ id: detail.id, title: detail.title, source: detail.source, scenarios: '', problems: [] }} />)
  })
  // The editor's check as it is typed: POST /v1/processes/validate behind the session (JSON, with the CSRF header).
  app.post(CHECK_PATH.slice('/console'.length), async (c) => {
    // Read and checked as the API reads `POST /v1/processes/validate` (media type, JSON, the shape), and refused as it refuses: in JSON.
    c.set('body', await c.req.text())
    const request = readBody(c, 'ProcessCheckRequest')
    return c.json(await queuedCheck(c, deps.checks, () => engine.processes.check(request, c.var.principal)))
  })
  app.post('/processes/:id/publish', async (c) => {
    const id = c.req.param('id')
    permitRegistering(c.var.principal)
    const { summary, detail } = await processPageData(engine, id, c.var.principal, undefined, undefined)
    const form = await readForm(c)
    const source = sourceOf(form)
    const scenarios = textOf(form['scenarios'])
    const owner = summary.owner === null || summary.ownerRole === null ? undefined : { role: summary.ownerRole, subject: summary.owner }
    try {
      const { process } = await engine.processes.register(source, `${id}.yaml`, { expectId: id, ...optional('owner', owner) })
      return c.redirect(processPath(id, process.version), 303)
    } catch (error) {
      if (!(error instanceof EngineError)) throw error
      return c.html(<ProcessEditPage page={page(c)} data={{ id, title: detail.title, source, scenarios, problems: editorProblems(error) }} />, PROBLEM_TYPES[error.code].status)
    }
  })
  app.get('/processes/:id/diagram', async (c) => {
    const { detail } = await processPageData(engine, c.req.param('id'), c.var.principal, versionOf(c.req.query('version')), undefined)
    return c.text(detail.diagram)
  })

  // Proposals of customised procedures: ISVs propose and amend, administrators approve or return (docs/proposals.md).
  app.get('/proposals', async (c) => c.html(<ProposalsPage page={page(c)} data={await proposalListData(engine, c.var.principal, c.req.query('status'), c.req.query('cursor'))} />))
  app.get('/proposals/new', async (c) => c.html(<NewProposalPage page={page(c)} data={await newProposalData(engine, c.var.principal, c.req.query('base'))} />))
  app.post('/proposals', async (c) => {
    const source = sourceOf(await readForm(c))
    try {
      const proposal = await queuedCheck(c, deps.checks, () => engine.proposals.submit(source, c.var.principal))
      return c.redirect(proposalPath(proposal.id), 303)
    } catch (error) {
      if (!(error instanceof EngineError) || error.code === 'auth.forbidden') throw error
      const data = await newProposalData(engine, c.var.principal, undefined)
      return c.html(<NewProposalPage page={page(c)} data={{ ...data, source }} problems={editorProblems(error)} />, PROBLEM_TYPES[error.code].status)
    }
  })
  const queue = (c: Context<AppEnv>): QueueCheck => (check) => queuedCheck(c, deps.checks, check)
  app.get('/proposals/:id', async (c) => c.html(<ProposalPage page={page(c)} data={await proposalPageData(engine, c.req.param('id'), c.var.principal, queue(c))} />))
  app.get('/proposals/:id/diagram', async (c) => c.text(await proposalDiagram(engine, c.req.param('id'), c.var.principal, queue(c))))
  app.get('/proposals/:id/edit', async (c) => {
    const proposal = await engine.proposals.get(c.req.param('id'), c.var.principal)
    const refusal = proposalRefusal(proposal, 'amend', c.var.principal)
    if (refusal) throw new EngineError(refusal.code, refusal.message)
    return c.html(<ProposalEditPage page={page(c)} proposal={proposal} data={{ source: proposal.source, scenarios: '', problems: [] }} note="" />)
  })
  app.post('/proposals/:id/amend', async (c) => {
    const id = c.req.param('id')
    const form = await readForm(c)
    const source = sourceOf(form)
    const change = { comment: textOf(form['comment']), ...optional('expectedRevision', revisionOf(form['_revision'])) }
    try {
      await queuedCheck(c, deps.checks, () => engine.proposals.amend(id, source, change, c.var.principal))
      return c.redirect(proposalPath(id), 303)
    } catch (error) {
      if (!(error instanceof EngineError) || !isTextProblem(error)) throw error
      const proposal = await engine.proposals.get(id, c.var.principal)
      const data = { source, scenarios: textOf(form['scenarios']), problems: editorProblems(error) }
      return c.html(<ProposalEditPage page={page(c)} proposal={proposal} data={data} note={change.comment} />, PROBLEM_TYPES[error.code].status)
    }
  })
  app.post('/proposals/:id/review', async (c) => {
    const id = c.req.param('id')
    const form = await readForm(c)
    const change = { comment: textOf(form['comment']), ...optional('expectedRevision', revisionOf(form['_revision'])) }
    const decision = form['decision']
    if (decision !== 'approve' && decision !== 'return') {
      throw new EngineError('request.invalid', 'Send decision=approve or decision=return.', { fields: [{ pointer: '/decision', rule: 'enum', message: 'must be approve or return' }] })
    }
    try {
      await (decision === 'approve' ? engine.proposals.approve(id, change, c.var.principal) : engine.proposals.return(id, change, c.var.principal))
      return c.redirect(proposalPath(id), 303)
    } catch (error) {
      if (!(error instanceof EngineError) || error.code === 'proposal.not-found' || error.code === 'auth.forbidden') throw error
      const p = page(c)
      const refusal = p.locale === 'en' ? error.message : p.t.form.refused(error.code)
      return c.html(<ProposalPage page={p} data={await proposalPageData(engine, id, c.var.principal, queue(c))} refusal={refusal} />, PROBLEM_TYPES[error.code].status)
    }
  })
  app.post('/proposals/:id/withdraw', async (c) => {
    const id = c.req.param('id')
    await engine.proposals.withdraw(id, optional('expectedRevision', revisionOf((await readForm(c))['_revision'])), c.var.principal)
    return c.redirect(proposalPath(id), 303)
  })

  app.all('*', notFound)
  app.onError((error, c) => {
    // Files and the studio's check answer in JSON, as the API does: its handler answers them.
    if (!(error instanceof EngineError) || c.req.path.startsWith('/console/attachments') || c.req.path === CHECK_PATH) throw error
    // A delivery the viewer may not see is "not found", exactly like one that does not exist.
    if (error.code === 'instance.not-found' || error.code === 'process.not-found' || error.code === 'attachment.not-found' || error.code === 'proposal.not-found') return notFound(c)
    const p = page(c)
    const title = error.code === 'console.csrf' ? p.t.error.csrf : error.code === 'auth.forbidden' ? p.t.error.forbidden
      : p.locale === 'en' ? error.message : p.t.form.refused(error.code)
    return c.html(<MessagePage page={p} title={p.t.error.title} text={title} />, PROBLEM_TYPES[error.code].status)
  })
  return app
}

/** A definition sent by an editor's form, with the browser's line ends made plain. */
function sourceOf(form: FormBody): string {
  return textOf(form['source']).replace(/\r\n/g, '\n')
}

function textOf(value: FormBody[string] | undefined): string {
  return typeof value === 'string' ? value : ''
}

/** Whether a refusal is about the text sent (shown in the editor with it) rather than what may be done. */
function isTextProblem(error: EngineError): boolean {
  return error instanceof InvalidDefinitionError || error.code.startsWith('definition.') || error.code === 'input.invalid' || error.code.startsWith('process.')
}

/** A refusal of an editor's text as the editor lists problems: each at its line and column (the first line when it has no place). */
function editorProblems(error: EngineError): EditorData['problems'] {
  if (error instanceof InvalidDefinitionError) return error.problems.map((p) => ({ code: p.code, message: p.message, hint: p.hint, location: p.location }))
  return [{ code: error.code, message: error.message, location: { line: 1, column: 1 } }]
}

/** Publishing is for those who register processes. */
function permitRegistering(by: Principal | undefined): void {
  if (by && may(by, 'register-processes')) return
  const { code, message } = by ? forbidden(by, 'register-processes') : { code: 'auth.forbidden' as const, message: 'Sign in first.' }
  throw new EngineError(code, message)
}

/** A version in a query string: a whole number from 1, else none (the page then shows the latest). */
function versionOf(text: string | undefined): number | undefined {
  return text !== undefined && /^[1-9][0-9]{0,8}$/.test(text) ? Number(text) : undefined
}

/** Where to go after signing in: a path in the console, never another site. */
function safeNext(next: string | undefined): string {
  return next !== undefined && returnPathProblem(next) === undefined ? next : CONSOLE_HOME
}

