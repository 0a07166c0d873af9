/** The dashboard's entry point, bundled by scripts/build-dashboard.ts into dist/dashboard/web/app.js. */
import { render } from 'preact'
import { html } from 'htm/preact'
import { App } from './app.ts'

const root = document.getElementById('app')
if (root !== null) {
  root.textContent = ''
  render(html`<${App} />`, root)
}
