// Drives Debian's Chromium (headless, through playwright-core from web/node_modules) against a
// running hazmond: logs in through the dashboard's form, checks that each tab shows the Chinese
// content the API returned, confirms the pending video event through the review card, and plays a
// recorded range and the live view of the camera in the <video> element with hls.js.
// Started by dashboard_chromium_test.cpp (ctest dashboard_chromium), which prepares the server,
// the camera and the data and passes them in the environment:
//   HAZMON_URL, HAZMON_USER, HAZMON_PASSWORD, HAZMON_CAMERA, HAZMON_CAMERA_NAME,
//   HAZMON_COMPANY_NAME, HAZMON_QUOTA (a point with an open HH alarm), HAZMON_FROM, HAZMON_TO (RFC 3339), HAZMON_WORK_DIR (screenshot on failure),
//   HAZMON_CHROMIUM (default /usr/bin/chromium), HAZMON_FILING (an enterprise's pending filing),
//   HAZMON_ADMIN_USER, HAZMON_ADMIN_PASSWORD (a regulator who approves it).
// Prints one line per check; exits 1 at the first failed one (after a screenshot).
import path from 'node:path';
import process from 'node:process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

const env = (k, def) => {
  const v = process.env[k] ?? def;
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
const url = env('HAZMON_URL');
const camera = env('HAZMON_CAMERA');
const cameraName = env('HAZMON_CAMERA_NAME');
const companyName = env('HAZMON_COMPANY_NAME');
const workDir = env('HAZMON_WORK_DIR');
const T = 20000;  // per wait; the page itself answers in well under a second

const browser = await chromium.launch({
  executablePath: env('HAZMON_CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  // Chromium refuses its sandbox as root (the test runs as root in CI containers).
  chromiumSandbox: typeof process.getuid === 'function' && process.getuid() !== 0,
});
const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));
// The server's Content-Security-Policy (docs/security.md) must not block anything the page does.
const cspViolations = [];
page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
// Failed requests are logged (some are expected: the wrong password, the range with no recording).
page.on('response', (r) => { if (r.status() >= 400) console.log(`     ${r.status()} ${r.request().method()} ${r.url().replace(url, '')}`); });

let step = '';
const ok = (what) => console.log('ok   ' + what);
async function check(what, fn) {
  step = what;
  await fn();
  ok(what);
}
const text = (sel) => page.locator(sel).innerText();
async function tab(name) {
  await page.click(`#tabs button[data-tab=${name}]`);
  await page.waitForSelector(`#tab-${name}:not([hidden])`, { timeout: T });
}
// The playback form's range as a person would type it (local time with seconds; page.fill cannot
// set datetime-local values whose seconds are zero, which Chromium normalises away).
async function setRange(from, to) {
  await page.evaluate(([f, t]) => {
    const form = document.querySelector('#playback-form');
    for (const [name, v] of [['from', f], ['to', t]]) {
      form.elements[name].value = v;
      form.elements[name].dispatchEvent(new Event('input', { bubbles: true }));
    }
  }, [from, to]);
}
// The filings table's row of filing `id` (its first cell), while it is pending.
const filingRow = (id) => page.locator('#filings tbody tr', { hasText: '待审批' })
  .filter({ has: page.locator('td:first-child', { hasText: new RegExp('^' + id + '$') }) }).first();
// The <video> element plays: enough data for the current position, time advancing, no error.
async function playing(minTime) {
  await page.waitForFunction((t) => {
    const v = document.querySelector('#player');
    return v.error === null && v.readyState >= 2 && v.currentTime >= t;
  }, minTime, { timeout: T, polling: 200 });
  const v = await page.evaluate(() => {
    const e = document.querySelector('#player');
    return { t: e.currentTime, rs: e.readyState, engine: e.dataset.engine, w: e.videoWidth, h: e.videoHeight, err: e.error && e.error.code };
  });
  if (v.engine !== 'hls.js') throw new Error('played without hls.js: ' + JSON.stringify(v));
  if (!(v.w > 0 && v.h > 0)) throw new Error('no picture size: ' + JSON.stringify(v));
  console.log('     video ' + JSON.stringify(v));
  return v;
}

try {
  await check('dashboard page loads with hls.js', async () => {
    await page.goto(url + '/', { timeout: T });
    await page.waitForSelector('#login-form', { timeout: T });
    const hasHls = await page.evaluate(() => typeof window.Hls === 'function' && window.Hls.isSupported());
    if (!hasHls) throw new Error('window.Hls missing or unsupported (is /vendor/hls.min.js served?)');
  });

  await check('login through the form', async () => {
    await page.fill('#login-form input[name=username]', 'nobody');
    await page.fill('#login-form input[name=password]', 'wrong-password');
    await page.click('#login-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#login-error').textContent.startsWith('登录失败'), null, { timeout: T });
    await page.fill('#login-form input[name=username]', env('HAZMON_USER'));
    await page.fill('#login-form input[name=password]', env('HAZMON_PASSWORD'));
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#tabs:not([hidden])', { timeout: T });
    await page.waitForFunction(() => document.querySelector('#live-state').textContent.includes('实时'), null, { timeout: T });
    const who = await text('#who');
    if (!who.includes(env('HAZMON_USER')) || !who.includes('省级值班员')) throw new Error('#who shows ' + who);
  });

  await check('视频审核: the pending fire event with its snapshot, confirmed through the card', async () => {
    await tab('video');
    // The fire event's card: under load the smoke analyser may also flag the burning house.
    const card = page.locator('#video-events .card', { hasText: cameraName }).filter({ hasText: '烟火（明火）' }).first();
    await card.waitFor({ timeout: T });
    const t = await card.innerText();
    if (!t.includes('烟火（明火）') || !t.includes(companyName) || !t.includes('待审核')) throw new Error('card text: ' + t);
    await page.waitForFunction((name) => [...document.querySelectorAll('#video-events .card')].some((c) =>
      c.textContent.includes(name) && c.textContent.includes('烟火（明火）') && c.querySelector('img').naturalWidth > 0), cameraName, { timeout: T });
    await card.getByRole('button', { name: '确认并生成预警' }).click();
    // The list reloads with pending events only: the confirmed one leaves it.
    await page.waitForFunction((name) => ![...document.querySelectorAll('#video-events .card')].some((c) =>
      c.textContent.includes(name) && c.textContent.includes('烟火（明火）')), cameraName, { timeout: T });
    await page.selectOption('#video-filter select[name=state]', 'confirmed');
    await page.click('#video-filter button[type=submit]');
    await page.locator('#video-events .card', { hasText: '已确认' }).first().waitFor({ timeout: T });
  });

  await check('实时报警: the open HH alarm in the table, the red warning on the live feed (SSE)', async () => {
    await tab('alarms');
    const item = page.locator('#live-feed li.warning', { hasText: companyName }).first();
    await item.waitFor({ timeout: T });
    const t = await item.innerText();
    if (!t.includes('红色预警')) throw new Error('feed item: ' + t);
    const a = page.locator('#alarms tbody tr', { hasText: env('HAZMON_QUOTA') }).first();
    await a.waitFor({ timeout: T });
    const at = await a.innerText();
    if (!at.includes('高高报') || !at.includes('报警中') || !at.includes('19')) throw new Error('alarm row: ' + at);
    const count = await text('#alarm-count');
    if (!/^共 1 条/.test(count)) throw new Error('count: ' + count);
  });

  await check('预警事件: the warning event row', async () => {
    await tab('warnings');
    const r = page.locator('#warnings tbody tr', { hasText: cameraName }).first();
    await r.waitFor({ timeout: T });
    const t = await r.innerText();
    if (!t.includes('红色') || !t.includes(companyName) || !t.includes('已推送')) throw new Error('row: ' + t);
  });

  await check('企业名录: search finds the enterprise', async () => {
    await tab('enterprises');
    await page.fill('#search input[name=q]', companyName.slice(0, 5));
    await page.click('#search button[type=submit]');
    await page.locator('#enterprises tbody tr', { hasText: companyName }).first().waitFor({ timeout: T });
    const count = await text('#enterprise-count');
    if (!/^共 \d+ 家企业/.test(count)) throw new Error('count: ' + count);
  });

  await check('视频监控: the camera online with its recording', async () => {
    await tab('cameras');
    const r = page.locator('#cameras tbody tr', { hasText: camera }).first();
    await r.waitFor({ timeout: T });
    const t = await r.innerText();
    if (!t.includes(cameraName) || !t.includes('在线') || !t.includes('储罐区') || !/\d+ 段/.test(t)) throw new Error('row: ' + t);
  });

  await check('视频监控: a range without recording says so', async () => {
    await page.selectOption('#playback-form select[name=video_id]', camera);
    await setRange('2021-01-01T08:00:00', '2021-01-01T09:00:00');
    await page.click('#playback-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#player-msg').textContent.includes('该时间段内没有录像'), null, { timeout: T });
  });

  await check('视频监控: playback of the recorded range plays in <video>', async () => {
    const [from, to] = await page.evaluate(([f, t]) => [localInput(new Date(f)), localInput(new Date(t))],
      [env('HAZMON_FROM'), env('HAZMON_TO')]);
    await setRange(from, to);
    const playlist = page.waitForResponse((r) => r.url().includes('/playback.m3u8') && r.request().headers()['authorization'] !== undefined, { timeout: T });
    const segment = page.waitForResponse((r) => r.url().includes('/api/v1/video/segments/'), { timeout: T });
    await page.click('#playback-form button[type=submit]');
    const [pl, seg] = await Promise.all([playlist, segment]);
    if (pl.status() !== 200 || seg.status() !== 200) throw new Error(`playlist ${pl.status()}, segment ${seg.status()}`);
    const first = await playing(1.0);
    await playing(first.t + 0.5);  // still advancing
    const msg = await text('#player-msg');
    if (msg.includes('失败') || msg.includes('无法')) throw new Error('message: ' + msg);
  });

  await check('视频监控: live view plays in <video>', async () => {
    const playlist = page.waitForResponse((r) => r.url().includes('/live.m3u8'), { timeout: T });
    await page.click('#live-button');
    if ((await playlist).status() !== 200) throw new Error('live playlist ' + (await playlist).status());
    const first = await page.evaluate(() => document.querySelector('#player').currentTime);
    const v = await playing(0.0);
    await playing(Math.max(first, v.t) + 0.5);
    const title = await text('#player-title');
    if (!title.includes('实时查看') || !title.includes(cameraName)) throw new Error('title: ' + title);
  });

  await check('报备审批: the pending filing, read-only for the province officer', async () => {
    await tab('filings');
    const r = filingRow(env('HAZMON_FILING'));
    await r.waitFor({ timeout: T });
    if (await r.locator('button.approve').count() !== 0) throw new Error('a read-only officer sees an approve button');
  });

  await check('报备审批: a regulator approves it through the button', async () => {
    await page.click('#logout');
    await page.waitForSelector('#login-form', { state: 'visible', timeout: T });
    await page.fill('#login-form input[name=username]', env('HAZMON_ADMIN_USER'));
    await page.fill('#login-form input[name=password]', env('HAZMON_ADMIN_PASSWORD'));
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#tabs:not([hidden])', { timeout: T });
    await tab('filings');
    const r = filingRow(env('HAZMON_FILING'));
    await r.waitFor({ timeout: T });
    await r.locator('button.approve').click();
    await page.waitForFunction((id) => document.querySelector('#filing-message').textContent.includes('报备 ' + id + ' 已批准'),
      env('HAZMON_FILING'), { timeout: T });
  });

  if (pageErrors.length) { step = 'no uncaught page errors'; throw new Error(pageErrors.join('\n')); }
  ok('no uncaught page errors');
  if (cspViolations.length) { step = 'nothing blocked by the Content-Security-Policy'; throw new Error(cspViolations.join('\n')); }
  ok('nothing blocked by the Content-Security-Policy');
  await browser.close();
} catch (e) {
  const shot = path.join(workDir, 'dashboard-failure.png');
  try { await page.screenshot({ path: shot, fullPage: true }); } catch (se) { console.log('screenshot failed: ' + se); }
  console.log(`FAIL ${step}: ${e && e.message ? e.message : e}`);
  if (pageErrors.length) console.log('page errors: ' + pageErrors.join('\n'));
  console.log('screenshot: ' + shot);
  await browser.close().catch(() => {});
  process.exit(1);
}
