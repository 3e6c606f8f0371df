'use strict';
// A small page on the REST API until the dashboard (web/, Vite) lands: login, the five
// deployment tasks' progress and the enterprise list, all scoped by the server.
const TASKS = {
  visual_communication: '可视化通信部署',
  video_ai_terminal: '视频智能分析终端部署',
  oblique_photography: '三维倾斜摄影建模',
  video_gateway: '视频网闸安装部署',
  extended_access: '扩展接入范围',
};
const $ = (s) => document.querySelector(s);
let token = sessionStorage.getItem('hazmon-token');

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

function cell(tr, text) { const td = document.createElement('td'); td.textContent = text; tr.appendChild(td); }

async function loadProgress() {
  const p = await api('/api/v1/deployment/progress');
  $('#deadline').textContent = p.deadline;
  const t = $('#progress-by-task tbody'); t.replaceChildren();
  for (const r of p.by_task) {
    const tr = document.createElement('tr');
    [TASKS[r.task] || r.task, r.total, r.done, r.in_progress, r.not_started, r.overdue,
     (r.done_ratio * 100).toFixed(1) + '%'].forEach((v) => cell(tr, v));
    t.appendChild(tr);
  }
  const c = $('#progress-by-city tbody'); c.replaceChildren();
  for (const r of p.by_city) {
    const tr = document.createElement('tr');
    [r.city_name, TASKS[r.task] || r.task, r.total, r.done, r.overdue].forEach((v) => cell(tr, v));
    c.appendChild(tr);
  }
}

async function loadEnterprises(q = '') {
  const data = await api('/api/v1/enterprises?limit=100' + (q ? '&q=' + encodeURIComponent(q) : ''));
  const tb = $('#enterprises tbody'); tb.replaceChildren();
  for (const e of data.items) {
    const tr = document.createElement('tr');
    [e.company_code, e.name, e.region_code, e.roster_batch || '', e.max_hazard_rank || '—'].forEach((v) => cell(tr, v));
    tb.appendChild(tr);
  }
  $('#enterprise-count').textContent = '共 ' + data.total + ' 家企业，显示前 ' + data.items.length + ' 家';
}

async function showApp() {
  const me = await api('/api/v1/auth/me');
  $('#who').textContent = me.name + '（' + me.role + '）';
  $('#login-view').hidden = true; $('#app-view').hidden = false; $('#logout').hidden = false;
  await Promise.all([loadProgress(), loadEnterprises()]);
}

function logout() {
  if (token) fetch('/api/v1/auth/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
  token = null; sessionStorage.removeItem('hazmon-token');
  $('#login-view').hidden = false; $('#app-view').hidden = true; $('#logout').hidden = true; $('#who').textContent = '';
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
$('#search').addEventListener('submit', (ev) => { ev.preventDefault(); loadEnterprises(new FormData(ev.target).get('q')); });
$('#logout').addEventListener('click', logout);
if (token) showApp().catch(() => logout());
