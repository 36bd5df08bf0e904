import { Layout } from '../layout.js'
import type { PageContext } from '../view.js'

/** A page that only says something: "not found" (also for what the viewer may not see), or an error. */
export function MessagePage({ page, title, text }: { page: PageContext; title: string; text: string }) {
  return (
    <Layout page={page} title={title}>
      <div class="narrow">
        <h1>{title}</h1>
        <p>{text}</p>
        <p><a href="/console">{page.t.notFound.back}</a></p>
      </div>
    </Layout>
  )
}
