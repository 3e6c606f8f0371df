// Formatting for people: Beijing time (UTC+8) without an offset, Chinese labels for the API's
// enums. The label tables are typed with the generated enum unions, so a value added to
// schemas/openapi.yaml fails the type check here until it has a label; the option lists come
// from the generated value arrays, so a filter never offers a value the API does not have.
import {
  disposalRecordActionValues,
  warningLevelValues,
  warningStatusValues,
  videoAnalyserValues,
  videoReviewStateValues,
  cameraStatusStateValues,
  roleValues,
  warningEventSourceValues,
  warningEventCategoryValues,
} from './api/schema';
import type { components } from './api/schema';

type S = components['schemas'];
type Labels<K extends string> = Readonly<Record<K, string>>;

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const TS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Milliseconds since the epoch of an API time: RFC 3339 or PostgreSQL's `2026-01-02 03:04:05.678+00`.
 * A time without an offset is UTC (the API's convention); a bare date is midnight UTC+8. */
export function parseTime(ts: string | number | Date | null | undefined): number | null {
  if (ts == null || ts === '') return null;
  if (typeof ts === 'number') return Number.isFinite(ts) ? ts : null;
  if (ts instanceof Date) return Number.isNaN(ts.getTime()) ? null : ts.getTime();
  const m = TS_RE.exec(ts.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const ms = frac ? Number((frac + '00').slice(0, 3)) : 0;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms);
  if (h === undefined) return t - BEIJING_OFFSET_MS;
  if (off && off.toUpperCase() !== 'Z') {
    const sign = off[0] === '-' ? -1 : 1;
    const digits = off.slice(1).replace(':', '');
    const offMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0);
    t -= sign * offMin * 60000;
  }
  return t;
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:mm:ss` in Beijing time, no offset; '' for no time, the input itself when unreadable. */
export function formatTime(ts: string | number | Date | null | undefined): string {
  const t = parseTime(ts);
  if (t == null) return ts == null ? '' : String(ts);
  const d = new Date(t + BEIJING_OFFSET_MS);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

/** `MM-DD HH:mm` in Beijing time, for chart axes and compact lists. */
export function formatShort(ts: string | number | Date | null | undefined): string {
  const full = formatTime(ts);
  return full.length === 19 ? full.slice(5, 16) : full;
}

/** `YYYY-MM-DD` of a time in Beijing. */
export function beijingDate(ts: string | number | Date): string {
  return formatTime(ts).slice(0, 10);
}

/** The value of an <input type="datetime-local"> (Beijing wall time) as RFC 3339 UTC. */
export function fromBeijingInput(local: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return null;
  const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0)) - BEIJING_OFFSET_MS;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A time as the value of an <input type="datetime-local"> in Beijing wall time. */
export function toBeijingInput(ts: string | number | Date): string {
  return formatTime(ts).replace(' ', 'T').slice(0, 16);
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d} 天 ${h} 小时`;
  if (h) return `${h} 小时 ${m} 分`;
  return `${m} 分 ${s % 60} 秒`;
}

export function formatNumber(v: number | null | undefined, digits = 2): string {
  if (v == null || !Number.isFinite(v)) return '—';
  return Number.isInteger(v) ? String(v) : v.toFixed(digits).replace(/\.?0+$/, '');
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio == null || !Number.isFinite(ratio)) return '—';
  return (ratio * 100).toFixed(digits) + '%';
}

// ---- enum labels

export const LEVEL_LABELS: Labels<S['WarningLevel']> = { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' };
/** Colours of the four warning levels (GB/T 29639 style), grey for offline, green for normal. */
export const LEVEL_COLORS: Labels<S['WarningLevel']> = { red: '#e02020', orange: '#ff7a00', yellow: '#f5c400', blue: '#1e6fff' };
export const OFFLINE_COLOR = '#8a8f98';
export const NORMAL_COLOR = '#22b573';

export const STATUS_LABELS: Labels<S['WarningStatus']> = {
  pending_review: '待审核',
  pending: '待推送',
  pushed: '已推送',
  fed_back: '已反馈',
  checked: '已核查',
  closed: '已关闭',
};

export const ACTION_LABELS: Labels<S['DisposalRecord']['action']> = {
  create: '生成',
  confirm: '确认',
  dismiss: '撤销',
  push: '推送',
  feedback: '企业反馈',
  reject: '退回',
  check: '核查通过',
  close: '关闭',
  supervise: '督办',
  raise_level: '提升等级',
  escalate: '升级',
};

export const ACTOR_ROLE_LABELS: Labels<S['DisposalRecord']['actor_role']> = {
  system: '系统',
  enterprise: '企业',
  county: '县级',
  city: '市级',
  province: '省级',
};

export const CAUSE_LABELS: Labels<NonNullable<S['FeedbackCause']>> = {
  process_fluctuation: '工艺波动',
  instrument_fault: '仪表故障',
  false_alarm: '误报',
  maintenance: '检维修',
  real_hazard: '真实险情',
};

export const SOURCE_LABELS: Labels<S['WarningEvent']['source']> = { sensor: '监测数据', video_ai: '视频智能分析', commitment: '安全承诺', sis: '安全仪表系统' };
export const CATEGORY_LABELS: Labels<S['WarningEvent']['category']> = {
  threshold: '超阈值',
  duration: '持续超限',
  combination: '多指标组合',
  data_quality: '数据质量',
  video_ai: '视频智能分析',
  commitment: '安全承诺',
  sis: '安全仪表（联锁动作/旁路超期）',
};

export const ALARM_TYPE_LABELS: Readonly<Record<string, string>> = {
  HH: '高高报',
  H: '高报',
  L: '低报',
  LL: '低低报',
  SWITCH: '开关量报警',
  OUT_OF_RANGE: '超量程',
  OFFLINE: '离线',
  FROZEN: '数据不变',
  DEVICE_FAULT: '设备故障',
};
/** Threshold alarm types, worst first; the rest are data faults. */
export const THRESHOLD_ALARM_TYPES = ['HH', 'LL', 'H', 'L', 'SWITCH'] as const;
export const DATA_FAULT_TYPES = ['OUT_OF_RANGE', 'OFFLINE', 'FROZEN', 'DEVICE_FAULT'] as const;

export const ANALYSER_LABELS: Labels<S['VideoAnalyser']> = {
  leave_post: '人员脱岗',
  fire: '烟火（明火）',
  smoke: '烟雾',
  leak: '泄漏',
  camera_health: '摄像机状态',
  offline: '摄像机离线',
};
export const REVIEW_LABELS: Labels<S['VideoReviewState']> = { pending: '待审核', confirmed: '已确认', rejected: '已驳回', not_required: '无需审核' };
export const CAMERA_STATE_LABELS: Labels<NonNullable<S['CameraStatus']['state']>> = {
  connecting: '连接中',
  online: '在线',
  offline: '离线',
  stopped: '已停止',
  unknown: '未知',
};
export const ROLE_LABELS: Labels<S['Role']> = {
  province_admin: '省级管理员',
  province_officer: '省级值班员',
  city_officer: '市级值班员',
  county_officer: '县级值班员',
  enterprise_user: '企业用户',
  operator: '运维人员',
  gateway: '数据采集网关',
  city_platform: '市级平台',
};

export interface Option<V extends string = string> {
  value: V;
  label: string;
}
function options<V extends string>(values: ReadonlyArray<V>, labels: Readonly<Record<V, string>>): Option<V>[] {
  return values.map((value) => ({ value, label: labels[value] }));
}

/** The status filter: exactly the statuses of the OpenAPI enum, in its order. */
export const STATUS_OPTIONS = options(warningStatusValues, STATUS_LABELS);
export const LEVEL_OPTIONS = options(warningLevelValues, LEVEL_LABELS);
export const SOURCE_OPTIONS = options(warningEventSourceValues, SOURCE_LABELS);
export const CATEGORY_OPTIONS = options(warningEventCategoryValues, CATEGORY_LABELS);
export const ANALYSER_OPTIONS = options(videoAnalyserValues, ANALYSER_LABELS);
export const REVIEW_OPTIONS = options(videoReviewStateValues, REVIEW_LABELS);
export const CAMERA_STATE_OPTIONS = options(cameraStatusStateValues, CAMERA_STATE_LABELS);
export const ROLE_OPTIONS = options(roleValues, ROLE_LABELS);
export const ACTION_OPTIONS = options(disposalRecordActionValues, ACTION_LABELS);
export const ALARM_TYPE_OPTIONS: Option[] = Object.entries(ALARM_TYPE_LABELS).map(([value, label]) => ({ value, label }));

export function label(table: Readonly<Record<string, string>>, value: string | null | undefined): string {
  if (value == null || value === '') return '';
  return table[value] ?? value;
}

/** "name（code）", or the code alone when the name is unknown. */
export function nameWithCode(name: string | null | undefined, code: string | null | undefined): string {
  if (!code) return name ?? '';
  return name && name !== code ? `${name}（${code}）` : code;
}

// ---- levels

const LEVEL_RANK: Readonly<Record<string, number>> = { red: 4, orange: 3, yellow: 2, blue: 1 };

export function levelRank(level: string | null | undefined): number {
  return level ? LEVEL_RANK[level] ?? 0 : 0;
}

/** The worse of the levels given (red > orange > yellow > blue), or null when none. */
export function worstLevel(levels: Iterable<string | null | undefined>): S['WarningLevel'] | null {
  let best: S['WarningLevel'] | null = null;
  for (const l of levels) {
    if (levelRank(l) > levelRank(best)) best = l as S['WarningLevel'];
  }
  return best;
}

export function levelColor(level: string | null | undefined, online = true): string {
  if (level && level in LEVEL_COLORS) return LEVEL_COLORS[level as S['WarningLevel']];
  return online ? NORMAL_COLOR : OFFLINE_COLOR;
}

/** Who did a disposal step: the record's actor_name and actor_role (the system as 系统). */
export function actorText(r: Pick<S['DisposalRecord'], 'actor_name' | 'actor_role'>): string {
  const who = r.actor_name === 'system' || r.actor_role === 'system' ? '系统' : r.actor_name;
  return `${who}（${label(ACTOR_ROLE_LABELS, r.actor_role)}）`;
}
