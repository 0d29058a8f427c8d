// Opens Kohero's public pages in headless Chromium (Debian's, driven by
// playwright-core) and reports, as JSON: each page's status, language,
// heading, meta tags, the status of every link to the same site, images
// without text, and every console error or page error.
//   node check.mjs BASE PATH...
import { createRequire } from 'node:module';
const require = createRequire(process.env.KOHERO_BROWSER_MODULES + '/');
const { chromium } = require('playwright-core');

const [, , base, ...paths] = process.argv;
const browser = await chromium.launch({
  executablePath: process.env.KOHERO_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-gpu', '--disable-dev-shm-usage'],
});
// A test's tile server answers over HTTPS with a certificate of its own.
const page = await browser.newPage({ locale: 'fr-FR', ignoreHTTPSErrors: true });
const errors = [];
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
page.on('pageerror', (e) => errors.push(String(e)));
const pages = [];
for (const path of paths) {
  // 'load' waits for the map's tiles too.
  const response = await page.goto(base + path, { waitUntil: 'load' });
  const info = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    title: document.title,
    h1: document.querySelector('h1')?.textContent ?? null,
    meta: Object.fromEntries([...document.querySelectorAll('meta[property],meta[name]')]
      .map((m) => [m.getAttribute('property') || m.getAttribute('name'), m.getAttribute('content')])),
    links: [...new Set([...document.querySelectorAll('a[href]')].map((a) => a.href))],
    imagesWithoutAlt: [...document.images].filter((i) => !i.hasAttribute('alt')).length,
    scripts: document.scripts.length,
    mapTiles: [...document.querySelectorAll('.map img')]
      .map((i) => ({ src: i.src, loaded: i.complete && i.naturalWidth > 0 })),
    mapPins: [...document.querySelectorAll('.map a.pin')].map((a) => a.href),
    bytes: document.documentElement.outerHTML.length,
  }));
  const linkStatus = {};
  for (const href of info.links.filter((h) => h.startsWith(base))) {
    const r = await page.request.get(href);
    linkStatus[href] = r.status();
  }
  pages.push({ path, status: response.status(), ...info, linkStatus });
}
console.log(JSON.stringify({ pages, errors }));
await browser.close();
