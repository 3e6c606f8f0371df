'use strict';
// The duty officer's page on the REST API (no build step): live alarms and warning events over
// the SSE stream, the warning events and their disposal, the video-AI review queue with
// snapshot and clip, the cameras with live view and playback over HLS (hls.js), deployment
// progress and the enterprise list. Every list is scoped by the
// server; this page only shows what the API returns for the logged-in user.
const TASKS = {
  visual_communication: '可视化通信部署',
  video_ai_terminal: '视频智能分析终端部署',
  oblique_photography: '三维倾斜摄影建模',
  video_gateway: '视频网闸安装部署',
  extended_access: '扩展接入范围',
};
const ALARM_TYPES = {
  HH: '高高报', H: '高报', L: '低报', LL: '低低报', SWITCH: '开关量报警', OUT_OF_RANGE: '超量程',
  OFFLINE: '离线', FROZEN: '数据不变', DEVICE_FAULT: '设备故障',
};
const LEVELS = { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' };
const STATUSES = { pending: '待推送', pushed: '已推送', fed_back: '已反馈', checked: '已核查', closed: '已关闭', dismissed: '已撤销' };
const ACTIONS = {
  feedback: '企业反馈', reject: '退回', check: '核查通过', close: '关闭', supervise: '督办',
  confirm: '确认', dismiss: '撤销', push: '推送', raise_level: '提升等级', escalate: '升级',
};
const CAUSES = {
  process_fluctuation: '工艺波动', instrument_fault: '仪表故障', false_alarm: '误报', maintenance: '检维修', real_hazard: '真实险情',
};
const ANALYSERS = { leave_post: '人员脱岗', fire: '烟火（明火）', smoke: '烟雾', leak: '泄漏', camera_health: '摄像机状态', offline: '摄像机离线' };
const REVIEW = { pending: '待审核', confirmed: '已确认', rejected: '已驳回' };
const SCENES = {
  control_room: '中控室', tank_farm: '储罐区', warehouse: '仓库', loading_area: '装卸区', process_unit: '生产装置',
  gate: '出入口', fire_pump_room: '消防泵房', other: '其他',
};
const ROLES = {
  province_admin: '省级管理员', province_officer: '省级值班员', city_officer: '市级值班员', county_officer: '县级值班员',
  enterprise_user: '企业用户', operator: '运维人员',
};
const FILING_TYPES = { shutdown: '停车', overhaul: '检修', startup: '开车', trial_run: '试生产' };
const FILING_STATUS = { pending: '待审批', approved: '已生效', rejected: '已驳回' };
const FILING_TARGETS = { point: '监测指标', equipment: '设备', hazard_source: '危险源', enterprise: '全厂' };
const REGULATORS = ['province_admin', 'city_officer', 'county_officer'];
let myRole = null;
const CAMERA_STATES = { online: '在线', offline: '离线', connecting: '连接中', stopped: '已停止', unknown: '未知' };

const $ = (s) => document.querySelector(s);
let token = sessionStorage.getItem('hazmon-token');
let liveAbort = null;

async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  if (token) headers.Authorization = 'Bearer ' + token;
  if (opts.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, Object.assign({}, opts, { headers }));
  if (res.status === 401) { logout(); throw new Error('登录已失效'); }
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(body && body.detail ? body.detail : '请求失败 ' + res.status);
  return body;
}

// Evidence files need the Authorization header, so they come as blobs, not plain src URLs.
async function blobUrl(path) {
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + token } });
  if (!res.ok) throw new Error('无法获取 ' + path);
  return URL.createObjectURL(await res.blob());
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : String(c ?? ''));
  return e;
}
function row(values) { const tr = el('tr'); values.forEach((v) => tr.append(v instanceof Node ? el('td', {}, v) : el('td', {}, v))); return tr; }
// The API's times are RFC 3339 (UTC); shown in the browser's time zone as yyyy-MM-dd HH:mm:ss.
function time(ts) {
  if (!ts) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(ts)) return ts;  // a date, no time zone
  const d = new Date(String(ts).replace(' ', 'T'));
  if (Number.isNaN(d.getTime())) return String(ts).replace('T', ' ').replace(/(\.\d+)?(\+08(:00)?|Z)?$/, '');
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
function duration(s) { if (s == null) return ''; const m = Math.floor(s / 60); return m >= 60 ? Math.floor(m / 60) + ' 小时 ' + (m % 60) + ' 分' : m + ' 分 ' + (s % 60) + ' 秒'; }
function query(form) { const q = new URLSearchParams(); for (const [k, v] of new FormData(form)) if (v !== '') q.set(k, v); return q.toString(); }
function levelTag(l) { return el('span', { class: 'level ' + l }, LEVELS[l] || l); }

// --- live stream (SSE over fetch, because EventSource cannot send the Authorization header)
async function startLive() {
  if (liveAbort) liveAbort.abort();
  liveAbort = new AbortController();
  const state = $('#live-state');
  try {
    const res = await fetch('/api/v1/stream', { headers: { Authorization: 'Bearer ' + token }, signal: liveAbort.signal });
    if (!res.ok) throw new Error(String(res.status));
    state.textContent = '● 实时'; state.className = 'live on';
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i); buf = buf.slice(i + 2);
        let event = 'message', data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7); else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) onLive(event, JSON.parse(data));
      }
    }
  } catch (e) {
    if (e.name === 'AbortError') return;
  }
  state.textContent = '○ 重连中'; state.className = 'live off';
  if (token) setTimeout(startLive, 3000);
}

function onLive(event, d) {
  const feed = $('#live-feed');
  let text;
  if (event === 'alarm') {
    const kind = ALARM_TYPES[d.alarm_type] || d.alarm_type;
    const what = d.transition === 'end' ? '消警' : d.suppressed ? '报备期内（已抑制）' : d.late ? '补传报警' : '报警';
    text = `${time(d.at)} ${d.company_code} ${d.quota_code} ${kind} ${what}` + (d.value != null ? `，当前值 ${d.value}` : '');
  } else if (event === 'warning') {
    text = `${time(d.last_ts)} 【${LEVELS[d.level] || d.level}预警】${d.company_name || d.company_code}：${d.content || ''}（${STATUSES[d.status] || d.status}）`;
  } else if (event === 'video') {
    text = `${time(d.started_at)} 视频事件 ${ANALYSERS[d.analyser] || d.analyser}：${d.detail || ''}（待审核）`;
  } else return;
  feed.prepend(el('li', { class: event + (d.level ? ' ' + d.level : '') }, text));
  while (feed.children.length > 50) feed.lastChild.remove();
}

// --- alarms
async function loadAlarms() {
  const data = await api('/api/v1/alarms?limit=100&' + query($('#alarm-filter')));
  const tb = $('#alarms tbody'); tb.replaceChildren();
  for (const a of data.items) {
    const state = a.end_ts ? '已消警' : a.suppressed ? '已抑制' : '报警中';
    tb.append(row([time(a.start_ts), a.company_code, a.quota_code, ALARM_TYPES[a.alarm_type] || a.alarm_type,
      a.threshold ?? '', a.peak_value ?? '', duration(a.duration_s), state]));
  }
  $('#alarm-count').textContent = '共 ' + data.total + ' 条，显示 ' + data.items.length + ' 条';
}

// --- warning events and disposal
async function loadWarnings() {
  const data = await api('/api/v1/warning-events?limit=100&' + query($('#warning-filter')));
  const tb = $('#warnings tbody'); tb.replaceChildren();
  for (const w of data.items) {
    const open = el('button', { onclick: () => showWarning(w.id) }, '处置');
    const tr = row([w.event_no || w.id, levelTag(w.level), w.company_name || w.company_code, w.hazard_name || '',
      w.content || '', STATUSES[w.status] || w.status, time(w.deadline_ts) + (w.overdue ? '（逾期）' : ''), open]);
    if (w.overdue) tr.className = 'overdue';
    tb.append(tr);
  }
}

async function showWarning(id) {
  const w = await api('/api/v1/warning-events/' + id);
  const box = $('#warning-detail'); box.hidden = false; box.replaceChildren();
  box.append(el('h3', {}, `预警事件 ${w.event_no || w.id} `, levelTag(w.level)),
    el('p', {}, `${w.company_name || w.company_code} ${w.hazard_name || ''}：${w.content || ''}`),
    el('p', { class: 'hint' }, `状态：${STATUSES[w.status] || w.status}；时限：${time(w.deadline_ts)}${w.overdue ? '（已逾期）' : ''}`));
  const records = el('ol');
  for (const r of w.records || w.disposal_records || []) {
    records.append(el('li', {}, `${time(r.at || r.created_at)} ${r.actor || ''}（${r.role || ''}）${ACTIONS[r.action] || r.action} ${r.text || ''}`));
  }
  box.append(el('h4', {}, '处置记录'), records);
  const actions = w.allowed_actions || [];
  if (!actions.length) return;
  const form = el('form', { class: 'filters' });
  const select = el('select', { name: 'action' }, ...actions.map((a) => el('option', { value: a }, ACTIONS[a] || a)));
  const cause = el('select', { name: 'cause' }, el('option', { value: '' }, '（反馈原因）'),
    ...Object.entries(CAUSES).map(([k, v]) => el('option', { value: k }, v)));
  const measures = el('input', { name: 'measures', placeholder: '处置措施' });
  const text = el('input', { name: 'text', placeholder: '说明' });
  const msg = el('span', { class: 'error' });
  form.append(select, cause, measures, text, el('button', { type: 'submit' }, '提交'), msg);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { action: select.value };
    if (cause.value) body.cause = cause.value;
    if (measures.value) body.measures = measures.value;
    if (text.value) body.text = text.value;
    try { await api('/api/v1/warning-events/' + id + '/transitions', { method: 'POST', body: JSON.stringify(body) }); await showWarning(id); await loadWarnings(); } catch (e) { msg.textContent = e.message; }
  });
  box.append(form);
}

// --- video-AI review queue
async function loadVideo() {
  const cards = $('#video-events'); cards.replaceChildren();
  let data;
  try { data = await api('/api/v1/video/events?limit=50&' + query($('#video-filter'))); } catch (e) { cards.append(el('p', { class: 'error' }, e.message)); return; }
  for (const v of data.items) cards.append(videoCard(v));
  if (!data.items.length) cards.append(el('p', { class: 'hint' }, '没有符合条件的事件。'));
  loadVideoStats().catch(() => {});
}

function videoCard(v) {
  const img = el('img', { alt: '抓拍' });
  const card = el('div', { class: 'card' }, img,
    el('p', {}, el('b', {}, ANALYSERS[v.analyser] || v.analyser), ' ', v.camera_name || v.video_id),
    el('p', { class: 'hint' }, `${v.company_name || v.company_code} · ${time(v.started_at)} · 置信度 ${(v.confidence * 100).toFixed(0)}%`),
    el('p', {}, v.detail || ''),
    el('p', { class: 'hint' }, REVIEW[v.review_state] || v.review_state));
  if (v.snapshot_path || v.has_snapshot) blobUrl('/api/v1/video/events/' + v.id + '/snapshot').then((u) => { img.src = u; }).catch(() => {});
  if (v.clip_path || v.has_clip) {
    card.append(el('button', { onclick: async (ev) => {
      ev.target.replaceWith(el('video', { controls: '', autoplay: '', src: await blobUrl('/api/v1/video/events/' + v.id + '/clip') }));
    } }, '播放录像片段'));
  }
  if (v.review_state === 'pending') {
    const reason = el('input', { placeholder: '驳回理由' });
    const msg = el('span', { class: 'error' });
    const review = async (decision) => {
      try {
        await api('/api/v1/video/events/' + v.id + '/review', { method: 'POST', body: JSON.stringify(decision === 'confirm' ? { decision } : { decision, reason: reason.value }) });
        await loadVideo();
      } catch (e) { msg.textContent = e.message; }
    };
    card.append(el('div', {}, el('button', { onclick: () => review('confirm') }, '确认并生成预警'), reason,
      el('button', { onclick: () => review('reject') }, '驳回（误报）'), msg));
  }
  return card;
}

async function loadVideoStats() {
  const s = await api('/api/v1/video/statistics?group_by=enterprise');
  const tb = $('#video-stats tbody'); tb.replaceChildren();
  (s.items || s.ranking || []).forEach((r, i) => {
    const total = r.total ?? r.events ?? 0;
    const rate = r.false_alarm_rate != null ? (r.false_alarm_rate * 100).toFixed(1) + '%' : '';
    tb.append(row([i + 1, r.name || r.key || r.company_code || '', total, r.confirmed ?? '', r.rejected ?? '', rate]));
  });
}

// --- cameras: status, live view and playback (视频监控、视频调阅)
// The playlists and their segments need the Authorization header. hls.js sends it (xhrSetup) and
// is used wherever Media Source Extensions exist; a browser's native HLS player cannot send it
// (Chromium 156 reports native HLS support too, so native first would fail there with 401).
let hls = null;
let cameraStatus = {};

function stopPlayer() {
  if (hls) { hls.destroy(); hls = null; }
  const v = $('#player');
  v.pause(); v.removeAttribute('src'); v.load();
  delete v.dataset.engine;
}

function playerMessage(text, isError = false) {
  const m = $('#player-msg');
  m.textContent = text; m.className = isError ? 'error' : 'hint';
}

// yyyy-MM-ddTHH:mm:ss in the browser's time zone (the value of an <input type=datetime-local>).
function localInput(d) { return time(d.toISOString()).replace(' ', 'T'); }
function rfc3339(local) { return new Date(local).toISOString().replace(/\.\d{3}Z$/, 'Z'); }

async function loadCameras() {
  const data = await api('/api/v1/cameras?limit=500');
  const statuses = await Promise.all(data.items.map((c) =>
    api('/api/v1/cameras/' + encodeURIComponent(c.video_id) + '/status').catch(() => null)));
  cameraStatus = {};
  const tb = $('#cameras tbody'); tb.replaceChildren();
  const select = $('#playback-form select[name=video_id]');
  const chosen = select.value;
  select.replaceChildren();
  data.items.forEach((c, i) => {
    const st = statuses[i] || {};
    cameraStatus[c.video_id] = Object.assign({}, c, st);
    const state = st.state || 'unknown';
    const rec = st.recording || {};
    const recText = !c.record ? '未开启' : rec.segments ? `${rec.segments} 段，最新 ${time(rec.last_segment_at)}` : '已开启，暂无录像';
    const live = el('button', { onclick: () => playLive(c.video_id) }, '实时查看');
    const back = el('button', { onclick: () => choosePlayback(c.video_id) }, '回放');
    tb.append(row([c.video_id, c.name || '', st.company_name || c.company_code, SCENES[c.scene_type] || c.scene_type || '',
      el('span', { class: 'state-' + state }, CAMERA_STATES[state] || state), time(st.last_frame_at) || '—', recText,
      el('span', {}, live, ' ', back)]));
    select.append(el('option', { value: c.video_id }, `${c.name || c.video_id}（${c.video_id}）`));
  });
  if (chosen && cameraStatus[chosen]) select.value = chosen;
  $('#camera-count').textContent = data.items.length ? '共 ' + data.total + ' 路摄像机' : '权限范围内没有摄像机。';
  const form = $('#playback-form');
  if (!form.elements.from.value) {
    const now = new Date();
    form.elements.from.value = localInput(new Date(now.getTime() - 3600e3));
    form.elements.to.value = localInput(now);
  }
}

// Playback form for one camera: the last 30 minutes of its recording up to now.
function choosePlayback(videoId) {
  const form = $('#playback-form');
  form.elements.video_id.value = videoId;
  const last = cameraStatus[videoId]?.recording?.last_segment_at;
  const end = new Date();
  const start = new Date((last ? Date.parse(last) : end.getTime()) - 1800e3);
  form.elements.from.value = localInput(start);
  form.elements.to.value = localInput(end);
  form.requestSubmit();
}

function cameraLabel(videoId) {
  const c = cameraStatus[videoId];
  return c ? `${c.name || videoId}（${c.company_name || c.company_code || ''}）` : videoId;
}

async function playPlayback(ev) {
  ev.preventDefault();
  const f = ev.target.elements;
  const videoId = f.video_id.value;
  if (!videoId) { showPlayerBox('录像回放'); playerMessage('请先选择摄像机。', true); return; }
  if (!f.from.value || !f.to.value) { showPlayerBox('录像回放'); playerMessage('请填写开始时间和结束时间。', true); return; }
  const from = new Date(f.from.value), to = new Date(f.to.value);
  showPlayerBox(`录像回放：${cameraLabel(videoId)} ${time(f.from.value)} 至 ${time(f.to.value)}`);
  if (!(to > from)) { playerMessage('结束时间必须晚于开始时间。', true); return; }
  if (to - from > 24 * 3600e3) { playerMessage('一次回放的时间范围最长 24 小时，请缩小范围。', true); return; }
  const url = '/api/v1/cameras/' + encodeURIComponent(videoId) + '/playback.m3u8?from=' + encodeURIComponent(rfc3339(f.from.value)) +
    '&to=' + encodeURIComponent(rfc3339(f.to.value));
  await play(url, false, (status, detail) => (status === 404 && /recording/.test(detail)
    ? '该时间段内没有录像（摄像机未开启录像、当时离线，或录像已超过保存期限被删除）。'
    : status === 404 ? '摄像机不存在或不在您的权限范围内。' : '无法回放：' + (detail || status)));
}

async function playLive(videoId) {
  videoId = videoId || $('#playback-form').elements.video_id.value;
  if (!videoId) { showPlayerBox('实时查看'); playerMessage('请先选择摄像机。', true); return; }
  $('#playback-form').elements.video_id.value = videoId;
  showPlayerBox(`实时查看：${cameraLabel(videoId)}`);
  const c = cameraStatus[videoId] || {};
  if (c.state === 'offline') {
    playerMessage(`摄像机离线（最后画面 ${time(c.last_frame_at) || '无'}），暂无实时画面。` + (c.last_error ? `原因：${c.last_error}` : ''), true);
    return;
  }
  if (c.record === false) { playerMessage('该摄像机未开启录像，无法实时查看（实时查看基于录像分段，请在摄像机台账中开启录像）。', true); return; }
  await play('/api/v1/cameras/' + encodeURIComponent(videoId) + '/live.m3u8', true, (status) => (status === 404
    ? '暂无最近的录像分段（摄像机刚接入或离线），请稍后重试。' : '无法实时查看：' + status));
}

function showPlayerBox(title) {
  stopPlayer();
  $('#player-box').hidden = false;
  $('#player-title').textContent = title;
  playerMessage('正在加载…');
}

// Fetches the playlist first for a clear message when there is nothing to play, then plays it.
async function play(url, live, explain) {
  const res = await fetch(url, { headers: { Authorization: 'Bearer ' + token } });
  if (res.status === 401) { logout(); return; }
  if (!res.ok) {
    let detail = '';
    try { detail = (await res.json()).detail || ''; } catch (e) { /* not JSON */ }
    playerMessage(explain(res.status, detail), true);
    return;
  }
  const video = $('#player');
  const Hls = window.Hls;
  if (!Hls || !Hls.isSupported()) {
    playerMessage(Hls ? '此浏览器不支持 Media Source Extensions，无法携带登录凭据播放录像，请使用新版 Chrome、Edge、Firefox 或 Safari。'
      : '播放组件 hls.js 未加载（服务器上缺少 web/static/vendor/hls.min.js，请运行 scripts/setup.sh）。', true);
    return;
  }
  let recovered = false;
  hls = new Hls({ xhrSetup: (xhr) => xhr.setRequestHeader('Authorization', 'Bearer ' + token), enableWorker: true });
  hls.on(Hls.Events.ERROR, (_, d) => {
    if (!d.fatal) return;
    if (d.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) { recovered = true; hls.recoverMediaError(); return; }
    const code = d.response && d.response.code;
    playerMessage(d.type === Hls.ErrorTypes.NETWORK_ERROR
      ? (code === 404 ? '录像分段已不存在（可能已按保存期限删除）。' : code === 401 ? '登录已失效，请重新登录。' : '网络错误，无法获取视频（' + (code || d.details) + '）。')
      : '视频无法解码播放（' + d.details + '）。', true);
    stopPlayer();
  });
  video.dataset.engine = 'hls.js';
  video.onplaying = () => playerMessage(live ? '正在播放实时画面（延迟约为几个录像分段的时长）。' : '正在播放录像。');
  video.onwaiting = () => playerMessage('缓冲中…');
  video.onended = () => playerMessage('录像播放完毕。');
  hls.loadSource(url);
  hls.attachMedia(video);
  hls.on(Hls.Events.MANIFEST_PARSED, () => { video.play().catch(() => playerMessage('请点击播放按钮开始播放。')); });
}

// --- filings (报备): pending ones need a county, city or province approval before they suppress
async function loadFilings() {
  const status = new FormData($('#filing-filter')).get('status');
  const data = await api('/api/v1/filings' + (status ? '?status=' + encodeURIComponent(status) : ''));
  const tb = $('#filings tbody'); tb.replaceChildren();
  const decide = async (f, verb) => {
    const note = verb === 'reject' ? prompt('驳回理由') : '';
    if (verb === 'reject' && !note) return;
    try {
      await api('/api/v1/filings/' + f.id + '/' + verb, { method: 'POST', body: JSON.stringify(note ? { note } : {}) });
      $('#filing-message').textContent = '报备 ' + f.id + (verb === 'approve' ? ' 已批准' : ' 已驳回');
    } catch (e) { $('#filing-message').textContent = e.message; }
    loadFilings().catch((e) => console.warn(e));
  };
  for (const f of data.items) {
    const actions = el('span');
    if (f.status === 'pending' && REGULATORS.includes(myRole)) {
      actions.append(el('button', { class: 'approve', onclick: () => decide(f, 'approve') }, '批准'), ' ',
        el('button', { class: 'reject', onclick: () => decide(f, 'reject') }, '驳回'));
    }
    tb.append(row([f.id, f.company_code, (FILING_TARGETS[f.target_kind] || f.target_kind) + ' ' + (f.target_kind === 'enterprise' ? '' : f.target_code),
      FILING_TYPES[f.filing_type] || f.filing_type, time(f.starts_at), time(f.ends_at), f.reason || '',
      (FILING_STATUS[f.status] || f.status) + (f.decision_note ? '（' + f.decision_note + '）' : ''), actions]));
  }
  if (!data.items.length) tb.append(row(['无', '', '', '', '', '', '', '', '']));
}

// --- deployment progress and enterprises
async function loadProgress() {
  const p = await api('/api/v1/deployment/progress');
  $('#deadline').textContent = p.deadline;
  const t = $('#progress-by-task tbody'); t.replaceChildren();
  for (const r of p.by_task) {
    t.append(row([TASKS[r.task] || r.task, r.total, r.done, r.in_progress, r.not_started, r.overdue, (r.done_ratio * 100).toFixed(1) + '%']));
  }
  const c = $('#progress-by-city tbody'); c.replaceChildren();
  for (const r of p.by_city) c.append(row([r.city_name, TASKS[r.task] || r.task, r.total, r.done, r.overdue]));
}

async function loadEnterprises(q = '') {
  const data = await api('/api/v1/enterprises?limit=100' + (q ? '&q=' + encodeURIComponent(q) : ''));
  const tb = $('#enterprises tbody'); tb.replaceChildren();
  for (const e of data.items) tb.append(row([e.company_code, e.name, e.region_code, e.roster_batch || '', e.max_hazard_rank || '—']));
  $('#enterprise-count').textContent = '共 ' + data.total + ' 家企业，显示前 ' + data.items.length + ' 家';
}

const LOADERS = { alarms: loadAlarms, warnings: loadWarnings, filings: loadFilings, cameras: loadCameras, video: loadVideo, progress: loadProgress, enterprises: () => loadEnterprises() };
function showTab(name) {
  document.querySelectorAll('#tabs button').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
  document.querySelectorAll('.tab').forEach((s) => { s.hidden = s.id !== 'tab-' + name; });
  if (name !== 'cameras') stopPlayer();
  LOADERS[name]().catch((e) => console.warn(e));
}

async function showApp() {
  const me = await api('/api/v1/auth/me');
  myRole = me.role;
  $('#who').textContent = me.name + '（' + (ROLES[me.role] || me.role) + '）';
  $('#login-view').hidden = true; $('#tabs').hidden = false; $('#logout').hidden = false;
  showTab('alarms');
  startLive();
}

function logout() {
  if (token) fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
  token = null; sessionStorage.removeItem('hazmon-token');
  if (liveAbort) liveAbort.abort();
  stopPlayer();
  $('#login-view').hidden = false; $('#tabs').hidden = true; $('#logout').hidden = true; $('#who').textContent = '';
  document.querySelectorAll('.tab').forEach((s) => { s.hidden = true; });
  $('#live-state').textContent = '';
}

$('#login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  $('#login-error').textContent = '';
  try {
    const r = await api('/api/v1/auth/login', { method: 'POST', body: JSON.stringify({ username: f.get('username'), password: f.get('password') }) });
    token = r.token; sessionStorage.setItem('hazmon-token', token);
    await showApp();
  } catch (e) { $('#login-error').textContent = '登录失败：' + e.message; }
});
document.querySelectorAll('#tabs button').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
$('#alarm-filter').addEventListener('submit', (ev) => { ev.preventDefault(); loadAlarms(); });
$('#warning-filter').addEventListener('submit', (ev) => { ev.preventDefault(); loadWarnings(); });
$('#video-filter').addEventListener('submit', (ev) => { ev.preventDefault(); loadVideo(); });
$('#filing-filter').addEventListener('submit', (ev) => { ev.preventDefault(); loadFilings().catch((e) => console.warn(e)); });
$('#playback-form').addEventListener('submit', (ev) => { playPlayback(ev).catch((e) => playerMessage(e.message, true)); });
$('#live-button').addEventListener('click', () => { playLive().catch((e) => playerMessage(e.message, true)); });
$('#search').addEventListener('submit', (ev) => { ev.preventDefault(); loadEnterprises(new FormData(ev.target).get('q')); });
$('#logout').addEventListener('click', logout);
if (token) showApp().catch(() => logout());
