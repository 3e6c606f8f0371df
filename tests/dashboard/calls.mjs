// 可视化调度 in Debian's headless Chromium with fake camera and microphone: two people in two
// browser contexts (a province officer and a city officer), one call through hazmond and a real
// Janus (docs/calls.md). The province calls the city from the 可视化调度 page; the city's
// dashboard rings (the banner on every page, pushed by the live stream: its ringing poll is
// blocked meanwhile), it answers; each side sees the other's video (the
// remote <video> has a size and its time advances); the province hangs up and the record says
// who joined and why it ended. Started by calls_chromium_test.cpp with HAZMON_URL, HAZMON_CALLER,
// HAZMON_CALLEE, HAZMON_PASSWORD, HAZMON_CITY (the callee's region code), HAZMON_WORK_DIR,
// HAZMON_CHROMIUM. Prints one line per check; exits 1 at the first failed one (after screenshots).
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CHINESE_BROWSER, apiGet, loginAs } from './pages.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');
const env = (k, def) => {
  const v = process.env[k] ?? def;
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
const url = env('HAZMON_URL');
const workDir = env('HAZMON_WORK_DIR');
fs.mkdirSync(workDir, { recursive: true });
const T = 20000;
const RINGING_POLL = /\/api\/v1\/calls\?.*state=ringing/;

const browser = await chromium.launch({
  executablePath: env('HAZMON_CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  chromiumSandbox: typeof process.getuid === 'function' && process.getuid() !== 0,
  args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required', ...CHINESE_BROWSER.args],
  env: CHINESE_BROWSER.env,
});
const log = fs.createWriteStream(path.join(workDir, 'browser.log'));
const problems = [];
async function person(name) {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1366, height: 768 },
    permissions: ['camera', 'microphone'],
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`[${name}] uncaught ${e}`));
  page.on('console', (m) => log.write(`[${name}] ${m.type()} ${m.text()}\n`));
  page.on('response', (r) => {
    if (r.status() >= 400) log.write(`[${name}] ${r.status()} ${r.request().method()} ${r.url().replace(url, '')}\n`);
  });
  return page;
}

let step = '';
async function check(what, fn) {
  step = what;
  const t0 = Date.now();
  await fn();
  if (problems.length) throw new Error(problems.join('\n'));
  console.log(`ok ${what} (${Date.now() - t0} ms)`);
}

// The first remote <video>'s size and time, then again after `ms`: playing when it has a size and
// its time moved.
async function remotePlays(page, ms = 1500) {
  await page.waitForFunction(() => {
    const v = document.querySelector('[data-testid=remote-video]');
    return v && v.videoWidth > 0 && v.currentTime > 0;
  }, null, { timeout: T });
  const a = await page.evaluate(() => {
    const v = document.querySelector('[data-testid=remote-video]');
    return { w: v.videoWidth, h: v.videoHeight, t: v.currentTime };
  });
  await page.waitForTimeout(ms);
  const b = await page.evaluate(() => document.querySelector('[data-testid=remote-video]').currentTime);
  if (!(b > a.t)) throw new Error(`the remote video does not advance (${a.t} → ${b})`);
  return { ...a, advanced: b - a.t };
}

const caller = await person('caller');
const callee = await person('callee');
let callId = 0;
try {
  await check('both log in', async () => {
    await loginAs(caller, url, env('HAZMON_CALLER'), env('HAZMON_PASSWORD'));
    await loginAs(callee, url, env('HAZMON_CALLEE'), env('HAZMON_PASSWORD'));
  });
  await check('the province calls the city from 可视化调度', async () => {
    // From here until it rings, the city's dashboard cannot poll for ringing calls: the banner
    // can only come from the live stream's push.
    await callee.route(RINGING_POLL, (r) => r.abort());
    await caller.click('nav >> text=可视化调度');
    await caller.waitForSelector('[data-testid=call-form]', { timeout: T });
    await caller.selectOption('[data-testid=call-kind]', 'region');
    await caller.selectOption('[data-testid=call-region]', env('HAZMON_CITY'));
    await caller.click('[data-testid=call-place]');
    await caller.waitForSelector('[data-testid=call-view] >> text=等待对方加入', { timeout: T });
  });
  await check('the city\'s dashboard rings (pushed, not polled) and it answers', async () => {
    const banner = await callee.waitForSelector('[data-testid=incoming-call]', { timeout: T });
    await callee.unroute(RINGING_POLL);
    callId = Number(await banner.getAttribute('data-call'));
    if (!(await banner.textContent()).includes('山西省')) throw new Error('the banner does not name the caller');
    await callee.click('[data-testid=incoming-answer]');
    await callee.waitForSelector('[data-testid=call-view]', { state: 'visible', timeout: T });
  });
  await check('each side sees and hears the other', async () => {
    const a = await remotePlays(callee);
    const b = await remotePlays(caller);
    const audio = await caller.evaluate(() => document.querySelector('[data-testid=remote-video]').srcObject.getAudioTracks().length);
    if (audio < 1) throw new Error('no remote audio track');
    console.log(`  callee sees ${a.w}x${a.h} (+${a.advanced.toFixed(2)} s), caller sees ${b.w}x${b.h} (+${b.advanced.toFixed(2)} s), audio tracks ${audio}`);
    await caller.screenshot({ path: path.join(workDir, 'caller.png') });
    await callee.screenshot({ path: path.join(workDir, 'callee.png') });
  });
  await check('the province hangs up; the record says who joined and why it ended', async () => {
    await caller.click('[data-testid=call-hangup]');
    let rec = null;
    for (let i = 0; i < 50; ++i) {
      rec = (await apiGet(callee, `/api/v1/calls/${callId}`)).body;
      if (rec?.state === 'ended') break;
      await callee.waitForTimeout(200);
    }
    if (rec?.state !== 'ended' || rec.end_reason !== 'hung_up') throw new Error('not ended: ' + JSON.stringify(rec));
    const names = new Set(rec.participants.map((p) => p.user_name));
    if (!names.has(env('HAZMON_CALLER')) || !names.has(env('HAZMON_CALLEE'))) throw new Error('participants: ' + JSON.stringify(rec.participants));
    await callee.waitForSelector('[data-testid=remote-video]', { state: 'detached', timeout: T });
  });
} catch (e) {
  console.log(`FAILED ${step}: ${e.message}`);
  await caller.screenshot({ path: path.join(workDir, 'failed-caller.png') }).catch(() => {});
  await callee.screenshot({ path: path.join(workDir, 'failed-callee.png') }).catch(() => {});
  await browser.close();
  process.exit(1);
}
await browser.close();
console.log('calls walk passed');
