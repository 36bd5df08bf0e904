/**
 * The API reference page (`GET /docs`): Swagger UI, served from this server. Its initialiser is
 * a script file of its own, not inline, so the page's Content-Security-Policy can forbid inline
 * script and style (nothing injected can run), and authorization is never persisted (a token
 * typed into the page is gone when it closes; nothing is written to the browser's storage).
 */

/** Where the page's scripts and styles are served from: this server, never a CDN. */
export const DOCS_ASSETS = '/docs/assets'

/** The initialiser's file name under {@link DOCS_ASSETS}. */
export const DOCS_INIT = 'init.js'

/** The page's Content-Security-Policy: its own files only; `data:` images for Swagger UI's icons. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** The HTML of the page. */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>delivery-center API</title>
<link rel="stylesheet" href="${DOCS_ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSETS}/swagger-ui-bundle.js"></script>
<script src="${DOCS_ASSETS}/${DOCS_INIT}"></script>
</body>
</html>
`

/**
 * The initialiser. `validatorUrl: 'none'` stops Swagger UI from sending the document to its
 * online validator; `persistAuthorization: false` keeps the bearer token out of localStorage.
 */
export const DOCS_INIT_JS = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  persistAuthorization: false,
  validatorUrl: 'none',
})
`
