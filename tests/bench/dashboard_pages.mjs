// Page load times of the dashboard (issue 10: each page interactive in under 2 s on the demo),
// measured in Debian's headless Chromium through playwright-core (web/node_modules) against a
// running hazmond. Run by tests/bench/dashboard_bench.sh, which starts the server and loads the
// data; alone:
//   node tests/bench/dashboard_pages.mjs --url https://127.0.0.1:18548 --user admin --password P [--n 5]
//
// "Interactive" here: from the start of a full navigation (page.goto: HTML, scripts, the session
// check, the page's own API requests) until the page's root element is there AND no API request
// (other than the live stream, video playlists and segments) has been in flight for QUIET_MS; the
// quiet window itself is not counted. The first visit of each page warms the browser's cache
// (scripts are cached for an hour, as hazmond's Cache-Control says) and is reported apart as
// "cold"; the figure is the median and the worst of the N warm visits after it, at 1920×1080 and
// at 1366×768.
import path from 'node:path';
import process from 'node:process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const url = args.url;
const n = Number(args.n ?? 5);
const QUIET_MS = 250;
const LIMIT_MS = 20000;
if (!url || !args.user || !args.password) {
  console.error('usage: dashboard_pages.mjs --url U --user X --password P [--n 5] [--pages /,/alarms,…]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.HAZMON_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  chromiumSandbox: typeof process.getuid === 'function' && process.getuid() !== 0,
});

// A token for the pages: log in once through the API and hand the session to the app the way its
// login page does (it keeps the token in sessionStorage; see web/src/session.ts).
const api = await (await browser.newContext({ ignoreHTTPSErrors: true })).request;
const login = await api.post(url + '/api/v1/auth/login', { data: { username: args.user, password: args.password } });
if (login.status() !== 200) throw new Error('login: ' + login.status() + ' ' + (await login.text()));
const token = (await login.json()).token;

// Pages and one example of each detail page, from the data.
async function first(pathQuery, field) {
  const r = await api.get(url + pathQuery, { headers: { Authorization: 'Bearer ' + token } });
  if (r.status() !== 200) return null;
  const items = (await r.json()).items ?? [];
  return items.length ? String(items[0][field]) : null;
}
const enterprise = await first('/api/v1/enterprises?limit=1', 'company_code');
const warning = await first('/api/v1/warning-events?limit=1', 'id');
const camera = await first('/api/v1/cameras?limit=1', 'video_id');
let pages = ['/', '/screen', '/alarms', '/warnings', '/review', '/cameras', '/enterprises', '/statistics', '/data-quality',
  '/deployment', '/reports', '/admin'];
if (enterprise) pages.push('/enterprises/' + enterprise);
if (warning) pages.push('/warnings/' + warning);
if (camera) pages.push('/cameras/' + camera);
if (args.pages) pages = args.pages.split(',');

const ignored = /\/api\/v1\/stream|\.m3u8|\/video\/segments\/|\/clip|\/snapshot/;
const rows = [];
for (const viewport of [{ width: 1920, height: 1080 }, { width: 1366, height: 768 }]) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport });
  await context.addInitScript((t) => {
    try {
      window.sessionStorage.setItem('hazmon-token', t);
    } catch { /* the login page is measured with no session then */ }
  }, token);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  let inflight = 0;
  let lastChange = 0;
  let slowest = { ms: 0, what: '' };  // the slowest API request of the current visit
  const started = new Map();
  const counted = (r) => r.url().startsWith(url + '/api/') && !ignored.test(r.url());
  page.on('request', (r) => { if (counted(r)) { inflight++; lastChange = performance.now(); started.set(r, lastChange); } });
  const done = (r) => {
    if (!counted(r)) return;
    inflight = Math.max(0, inflight - 1);
    lastChange = performance.now();
    const ms = lastChange - (started.get(r) ?? lastChange);
    started.delete(r);
    if (ms > slowest.ms) slowest = { ms, what: r.url().slice(url.length) };
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);

  async function visit(route) {
    inflight = 0;
    slowest = { ms: 0, what: '' };
    const t0 = performance.now();
    lastChange = t0;
    await page.goto(url + route, { timeout: LIMIT_MS, waitUntil: 'commit' });
    await page.waitForSelector('main#main, [data-testid=screen], .login-card', { timeout: LIMIT_MS });
    // Wait until nothing the page asked for is pending, and nothing new started, for QUIET_MS.
    for (;;) {
      const now = performance.now();
      if (now - t0 > LIMIT_MS) throw new Error(`${route}: still loading after ${LIMIT_MS} ms`);
      if (inflight === 0 && now - lastChange >= QUIET_MS) return lastChange - t0;
      await page.waitForTimeout(20);
    }
  }
  for (const route of pages) {
    const cold = await visit(route);
    const warm = [];
    for (let i = 0; i < n; i++) warm.push(await visit(route));
    warm.sort((a, b) => a - b);
    const landed = new URL(page.url()).pathname;
    rows.push({ viewport: `${viewport.width}×${viewport.height}`, route, landed, cold, median: warm[Math.floor(warm.length / 2)],
      worst: warm[warm.length - 1], slowest: { ...slowest } });
  }
  if (errors.length) console.log(`console errors at ${viewport.width}×${viewport.height}:\n  ` + errors.slice(0, 10).join('\n  '));
  await context.close();
}
await browser.close();

const ms = (v) => String(Math.round(v)).padStart(6);
console.log(`${'viewport'.padEnd(10)} ${'page'.padEnd(34)} ${'cold'.padStart(6)} ${'median'.padStart(6)} ${'worst'.padStart(6)}  (ms, ${n} warm visits)`);
let over = 0;
for (const r of rows) {
  const note = r.landed !== r.route.split('?')[0] ? `  → ${r.landed}` : '';
  if (r.worst > 2000) over++;
  const slow = r.worst > 1000 ? `  slowest request of the last visit: ${Math.round(r.slowest.ms)} ms ${r.slowest.what}` : '';
  console.log(`${r.viewport.padEnd(10)} ${r.route.padEnd(34)} ${ms(r.cold)} ${ms(r.median)} ${ms(r.worst)}${note}${slow}`);
}
console.log(over ? `${over} page(s) over 2 s at their worst warm visit` : 'every page interactive in under 2 s (worst warm visit)');
