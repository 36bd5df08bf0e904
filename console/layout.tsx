import type { Child } from 'hono/jsx'
import { may } from '../engine/index.js'
import { LOCALE_TAGS, LOCALES, labelOf } from './i18n.js'
import type { PageContext } from './view.js'
import { ASSETS } from './assets.js'

const LANGUAGE_NAMES = { en: 'English', zh: '简体中文' } as const

/** The page around every console page: header, navigation, language switch and sign-out. */
export function Layout({ page, title, children, script }: { page: PageContext; title: string; children: Child; script?: 'studio' | undefined }) {
  const { t, principal } = page
  const privileged = principal !== undefined && may(principal, 'see-all')
  return (
    <html lang={LOCALE_TAGS[page.locale]}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t.product}`}</title>
        {/* No icon: without this line browsers ask for /favicon.ico, a 404 in every page's console. */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={`${ASSETS}/console.css`} />
        <script type="module" src={`${ASSETS}/console.js`}></script>
        {script && <script type="module" src={`${ASSETS}/${script}.js`}></script>}
      </head>
      <body data-now={page.now} data-locale={LOCALE_TAGS[page.locale]} data-aside={t.aside('{text}')}>
        <a class="skip" href="#main">{t.skipToContent}</a>
        <header class="top">
          <a class="brand" href="/console">{t.product}</a>
          {principal && (
            <nav aria-label={t.product}>
              <a href="/console">{t.nav.inbox}</a>
              <a href="/console/deliveries">{privileged ? t.nav.admin : t.nav.deliveries}</a>
              {privileged && <a href="/console/deliveries?status=failed">{t.nav.failed}</a>}
              {privileged && <a href="/console/processes">{t.nav.processes}</a>}
              {(privileged || may(principal, 'propose-processes')) && <a href="/console/proposals">{t.nav.proposals}</a>}
            </nav>
          )}
          <div class="tools">
            <nav aria-label={t.nav.language} class="languages">
              {LOCALES.map((locale) => locale === page.locale
                ? <span aria-current="true" lang={LOCALE_TAGS[locale]}>{LANGUAGE_NAMES[locale]}</span>
                : <a href={withLanguage(page.path, locale)} lang={LOCALE_TAGS[locale]} hreflang={LOCALE_TAGS[locale]}>{LANGUAGE_NAMES[locale]}</a>)}
            </nav>
            {principal && (
              <form method="post" action="/console/sign-out" class="sign-out">
                <span class="who">{t.nav.signedInAs(labelOf(t.roles, principal.role), principal.subject)}</span>
                <input type="hidden" name="_csrf" value={page.csrf ?? ''} />
                <button type="submit">{t.nav.signOut}</button>
              </form>
            )}
          </div>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  )
}

/** The same page in another language: its path with `lang` set in the query. */
function withLanguage(path: string, locale: string): string {
  const url = new URL(path, 'http://console')
  url.searchParams.set('lang', locale)
  return `${url.pathname}${url.search}`
}
