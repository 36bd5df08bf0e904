import type { Principal } from '../engine/index.js'
import type { Locale, Messages } from './i18n.js'

/** What every page is rendered with: the viewer, their language and the form token. */
export interface PageContext {
  readonly locale: Locale
  readonly t: Messages
  /** Undefined on the sign-in pages. */
  readonly principal: Principal | undefined
  /** The session's CSRF token, put in every form that changes something. */
  readonly csrf: string | undefined
  /** The path and query of the page (for the language switch). */
  readonly path: string
  /** The engine's clock now (a sandbox clock may be far from the browser's): countdowns count from it. */
  readonly now: string
}
