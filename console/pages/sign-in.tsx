import type { Principal } from '../../engine/index.js'
import { labelOf } from '../i18n.js'
import { Layout } from '../layout.js'
import type { PageContext } from '../view.js'

/** The sign-in page for operators: paste an API token. */
export function SignInPage({ page, next, refused, signedOut }: { page: PageContext; next: string; refused: boolean; signedOut: boolean }) {
  const { t } = page
  return (
    <Layout page={page} title={t.signIn.title}>
      <div class="narrow">
        <h1>{t.signIn.title}</h1>
        {signedOut && <p class="notice" role="status">{t.signIn.signedOut}</p>}
        <p>{t.signIn.intro}</p>
        {refused && <p class="alert" role="alert" id="token-error">{t.signIn.refused}</p>}
        <form method="post" action="/console/sign-in">
          <input type="hidden" name="next" value={next} />
          <div class="field">
            <label for="token">{t.signIn.token}</label>
            <p class="help" id="token-help">{t.signIn.tokenHelp}</p>
            <input type="password" id="token" name="token" required autocomplete="off" spellcheck={false}
              aria-describedby={refused ? 'token-help token-error' : 'token-help'} aria-invalid={refused ? 'true' : undefined} />
          </div>
          <button type="submit">{t.signIn.submit}</button>
        </form>
      </div>
    </Layout>
  )
}

/**
 * The page a one-time sign-in link opens: a button that uses the link (the console's script
 * presses it at once). Opening the link changes nothing, so a mail scanner that follows it does
 * not use it up, and the session cookie is set by a same-site request. Pressed in a browser
 * signed in as someone else, it answers with this page again, `switching`: the person chooses,
 * for a link someone sends them must not sign them in as another without their knowing, ending
 * their own session, so that what they then type or upload goes to the other's deliveries.
 */
export function LinkPage({ page, secret, refused, switching }: { page: PageContext; secret: string; refused: boolean; switching?: { from: Principal; to: Principal } }) {
  const { t } = page
  const person = (who: Principal): string => `${labelOf(t.roles, who.role)} ${who.subject}`
  return (
    <Layout page={page} title={t.signIn.linkTitle}>
      <div class="narrow">
        <h1>{t.signIn.linkTitle}</h1>
        {refused
          ? <p class="alert" role="alert">{t.signIn.linkRefused}</p>
          : switching
            ? (
              <form method="post" action={`/console/link/${encodeURIComponent(secret)}`}>
                <input type="hidden" name="switch" value="yes" />
                <p class="notice" role="status">{t.signIn.linkSwitch(person(switching.from), person(switching.to))}</p>
                <button type="submit">{t.signIn.linkSwitchContinue(person(switching.to))}</button>
                <p><a href="/console">{t.signIn.linkStay(person(switching.from))}</a></p>
              </form>
            )
            : (
              <form method="post" action={`/console/link/${encodeURIComponent(secret)}`} data-autosubmit>
                <p>{t.signIn.linkIntro}</p>
                <button type="submit">{t.signIn.linkContinue}</button>
              </form>
            )}
      </div>
    </Layout>
  )
}
