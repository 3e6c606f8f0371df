// The big screen (/screen) left open, as on the duty-room wall (issue 10: open for 24 hours
// without leaking memory), in Debian's headless Chromium through playwright-core. Run by
// tests/bench/screen_soak.sh, which starts hazmond with the demo's data and keeps live alarms
// coming; alone:
//   node tests/bench/screen_soak.mjs --url https://127.0.0.1:18549 --user admin --password P [--minutes 10] [--every 30] [--pace 1]
//
// Every `every` seconds, after a forced garbage collection (CDP HeapProfiler.collectGarbage), it
// records the page's JS heap, DOM nodes, event listeners, documents and frames (CDP
// Performance.getMetrics), the number of <canvas> and <video> elements and of items in the live
// lists. It prints one line per sample and a summary: the heap's growth between the first and the
// second half of the run (least-squares slope, bytes per hour) and whether the DOM stayed
// bounded. The page's own timers reload the figures every 30 s, the cameras every 2 min and the
// charts every 5 min, so a run of N minutes exercises N×2 overview reloads; with --pace P the page
// opens as /screen?pace=P and every one of its timers runs P times faster (web/src/screen.ts).
// It also counts the page's requests by kind (to check that the paced work really happened), the
// <video> elements with an hls.js MediaSource attached (blob: src), the tiles playing, and how
// often a tile's camera changed (the wall reopening on a new warning).
import path from 'node:path';
import process from 'node:process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
if (!args.url || !args.user || !args.password) {
  console.error('usage: screen_soak.mjs --url U --user X --password P [--minutes 10] [--every 30]');
  process.exit(2);
}
const minutes = Number(args.minutes ?? 10);
const every = Number(args.every ?? 30);
const pace = Number(args.pace ?? 1);
if (args.snapshots === '1') console.log('heap snapshots at the middle and the end: on');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  chromiumSandbox: typeof process.getuid === 'function' && process.getuid() !== 0,
  args: ['--autoplay-policy=no-user-gesture-required'],
});
const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1920, height: 1080 } });
const page = await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
await page.goto(args.url + '/login');
await page.fill('input[name=username]', args.user);
await page.fill('input[name=password]', args.password);
await page.click('.login-card button[type=submit]');
await page.waitForSelector('main#main', { timeout: 20000 });
const requests = {};
const kindOf = (u) => {
  const p = new URL(u).pathname;
  if (p.endsWith('.m3u8')) return 'm3u8';
  if (p.startsWith('/api/v1/video/segments/') || p.endsWith('.ts') || p.endsWith('.m4s')) return 'segment';
  if (/\/cameras\/[^/]+\/status$/.test(p)) return 'camera_status';
  if (p.startsWith('/api/v1/monitoring-points/')) return 'point_name';
  return p.startsWith('/api/v1/') ? p.slice(8) : 'static';
};
page.on('request', (r) => { const k = kindOf(r.url()); requests[k] = (requests[k] ?? 0) + 1; });
const failed = {};  // responses >= 400 by kind and status
page.on('response', (r) => { if (r.status() >= 400) { const k = `${kindOf(r.url())} ${r.status()}`; failed[k] = (failed[k] ?? 0) + 1; } });
await page.goto(args.url + '/screen' + (pace !== 1 ? `?pace=${pace}` : ''));
await page.waitForSelector('[data-testid=screen] [data-testid=province-map] canvas', { timeout: 20000 });
const shownPace = await page.getAttribute('[data-testid=screen]', 'data-pace');
console.log(`pace: ${pace} (the page says ${shownPace})`);
// Camera changes on the wall's tiles (one small observer; its counter is a number).
await page.evaluate(() => {
  window.__soakSwaps = 0;
  new MutationObserver((ms) => { window.__soakSwaps += ms.length; })
    .observe(document.querySelector('[data-testid=video-wall]'), { subtree: true, attributes: true, attributeFilter: ['data-video-id'] });
});
const cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable');

async function sample(t0) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  const dom = await page.evaluate(() => ({
    canvases: document.querySelectorAll('canvas').length,
    videos: document.querySelectorAll('video').length,
    hls: [...document.querySelectorAll('video')].filter((v) => v.src.startsWith('blob:')).length,
    playing: document.querySelectorAll('.video-tile[data-state=playing]').length,
    swaps: window.__soakSwaps,
    feed: document.querySelectorAll('[data-testid=live-feed] li').length,
    warnings: document.querySelectorAll('[data-testid=screen-warnings] li').length,
  }));
  return { s: Math.round((Date.now() - t0) / 1000), heap: m.JSHeapUsedSize, nodes: m.Nodes, listeners: m.JSEventListeners,
    documents: m.Documents, frames: m.Frames, ...dom };
}

// --snapshots 1: a heap snapshot at the middle of the run and one at its end (CDP
// HeapProfiler.takeHeapSnapshot, after a forced GC), compared by node type and constructor name:
// what the second half added, largest first.
async function heapSummary() {
  const chunks = [];
  const onChunk = (m) => chunks.push(m.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  const snap = JSON.parse(chunks.join(''));
  const f = snap.snapshot.meta.node_fields, types = snap.snapshot.meta.node_types[0];
  const [ti, ni, si] = ['type', 'name', 'self_size'].map((k) => f.indexOf(k));
  const out = new Map();
  for (let i = 0; i < snap.nodes.length; i += f.length) {
    const type = types[snap.nodes[i + ti]];
    const name = type === 'object' || type === 'native' || type === 'closure' ? snap.strings[snap.nodes[i + ni]] : '';
    const k = `${type}:${name.slice(0, 60)}`;
    const e = out.get(k) ?? { n: 0, bytes: 0 };
    e.n++; e.bytes += snap.nodes[i + si];
    out.set(k, e);
  }
  return out;
}
function heapDiff(a, b) {
  const rows = [];
  for (const [k, v] of b) { const o = a.get(k) ?? { n: 0, bytes: 0 }; rows.push({ k, dn: v.n - o.n, db: v.bytes - o.bytes }); }
  for (const [k, o] of a) if (!b.has(k)) rows.push({ k, dn: -o.n, db: -o.bytes });
  rows.sort((x, y) => Math.abs(y.db) - Math.abs(x.db));
  const total = rows.reduce((t, r) => t + r.db, 0);
  console.log(`heap snapshot diff (second half): ${(total / 1024).toFixed(1)} KB in all; largest changes:`);
  for (const r of rows.slice(0, 15)) console.log(`  ${r.k}\t${r.dn >= 0 ? '+' : ''}${r.dn} nodes\t${r.db >= 0 ? '+' : ''}${(r.db / 1024).toFixed(1)} KB`);
}
let midSnapshot = null;

const t0 = Date.now();
const samples = [];
console.log('s\theap_MB\tnodes\tlisteners\tcanvases\tvideos\thls\tplaying\tswaps\tfeed\twarnings\toverview_reqs');
while (Date.now() - t0 < minutes * 60e3) {
  const x = await sample(t0);
  samples.push(x);
  console.log([x.s, (x.heap / 1048576).toFixed(2), x.nodes, x.listeners, x.canvases, x.videos, x.hls, x.playing, x.swaps, x.feed, x.warnings,
    requests.overview ?? 0].join('\t'));
  if (args.snapshots === '1' && !midSnapshot && Date.now() - t0 >= minutes * 30e3) midSnapshot = await heapSummary();
  await page.waitForTimeout(every * 1000);
}
samples.push(await sample(t0));
if (midSnapshot) heapDiff(midSnapshot, await heapSummary());

function slope(pts) {  // least squares, units of y per second
  const n = pts.length;
  const mx = pts.reduce((a, p) => a + p[0], 0) / n;
  const my = pts.reduce((a, p) => a + p[1], 0) / n;
  const sxy = pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const sxx = pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return sxx ? sxy / sxx : 0;
}
// The first minutes include the charts' and the map's first allocations: the second half is the steady state.
const half = samples.slice(Math.floor(samples.length / 2));
const perHour = slope(half.map((x) => [x.s, x.heap])) * 3600;
const maxNodes = Math.max(...samples.map((x) => x.nodes));
const minNodes = Math.min(...samples.slice(1).map((x) => x.nodes));
console.log(`samples: ${samples.length} over ${samples.at(-1).s} s; heap first ${(samples[0].heap / 1048576).toFixed(2)} MB, ` +
  `last ${(samples.at(-1).heap / 1048576).toFixed(2)} MB, max ${(Math.max(...samples.map((x) => x.heap)) / 1048576).toFixed(2)} MB; ` +
  `second-half slope ${(perHour / 1048576).toFixed(2)} MB/h; DOM nodes ${minNodes}..${maxNodes}; ` +
  `listeners ${Math.min(...samples.map((x) => x.listeners))}..${Math.max(...samples.map((x) => x.listeners))}; ` +
  `canvases ${Math.max(...samples.map((x) => x.canvases))} max, videos ${Math.max(...samples.map((x) => x.videos))} max, ` +
  `hls attached ${Math.min(...samples.map((x) => x.hls))}..${Math.max(...samples.map((x) => x.hls))}, ` +
  `playing ${Math.min(...samples.slice(1).map((x) => x.playing))}..${Math.max(...samples.map((x) => x.playing))}, tile camera changes ${samples.at(-1).swaps}`);
const half0 = samples[Math.floor(samples.length / 2)];
console.log(`heap second half: ${(half0.heap / 1048576).toFixed(2)} MB at ${half0.s} s -> ${(samples.at(-1).heap / 1048576).toFixed(2)} MB; ` +
  `per day of page work (pace ${pace}): ${(perHour / pace / 1048576 * 24).toFixed(2)} MB`);
console.log('requests: ' + Object.entries(requests).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', '));
console.log('responses >= 400: ' + (Object.entries(failed).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'));
console.log(`console errors / page errors: ${errors.length}${errors.length ? ': ' + errors.slice(0, 5).join(' | ') : ''}`);
await browser.close();
