// The five systems' records on the dashboard (docs/five-systems.md): patrols and spot checks
// (分级巡查抽查) with their findings, duty check-ins (值班签到), routine use (企业端日常使用) and the
// five-systems statistics. Types from the OpenAPI document; labels, the finding form's checks
// (the server makes them too), the actions a finding allows and the statistics' table rows.
import type { operations } from '../api/schema';
import { fromBeijingInput } from '../format';

type Json<O extends keyof operations, C extends number> = operations[O]['responses'] extends Record<C, { content: { 'application/json': infer T } }> ? T : never;
export type Patrol = Json<'getPatrol', 200>;
export type PatrolList = Json<'listPatrols', 200>;
export type PatrolFinding = Json<'addPatrolFinding', 201>;
export type FindingList = Json<'listPatrolFindings', 200>;
export type RoutineUseList = Json<'getRoutineUse', 200>;
export type RoutineUseDay = RoutineUseList['items'][number];
export type DutyCheckin = Json<'checkIn', 201>;
export type FiveSystems = Json<'getStatisticsFiveSystems', 200>;
export type FiveSystemsRow = FiveSystems['rows'][number];

export const KIND_LABELS: Readonly<Record<string, string>> = { online: '线上巡查', onsite: '现场抽查' };
export const SEVERITY_LABELS: Readonly<Record<string, string>> = { general: '一般', serious: '较大', major: '重大' };
export const FINDING_STATE_LABELS: Readonly<Record<string, string>> = { open: '待整改', answered: '待确认', closed: '已销号' };
export const LEVEL_LABELS: Readonly<Record<string, string>> = { county: '县级', city: '市级', province: '省级' };
export const SUBJECTS: readonly { key: string; label: string }[] = [
  { key: 'realtime', label: '实时数据' },
  { key: 'video', label: '视频' },
  { key: 'alarms', label: '报警' },
  { key: 'warnings', label: '预警处置' },
  { key: 'commitment', label: '安全承诺' },
  { key: 'permits', label: '特殊作业' },
  { key: 'documents', label: '台账资料' },
  { key: 'site', label: '现场' },
];

export function subjectLabels(keys: readonly string[]): string {
  return keys.map((k) => SUBJECTS.find((s) => s.key === k)?.label ?? k).join('、');
}

export interface FindingForm {
  description: string;
  severity: string;
  follow_up: string;
  deadline: string; // datetime-local, Beijing wall time
}

export function emptyFindingForm(): FindingForm {
  return { description: '', severity: 'general', follow_up: '', deadline: '' };
}

/** What is wrong with the form, in Chinese (empty: nothing); `started` is when the patrol began. */
export function findingProblems(f: FindingForm, started: number): string[] {
  const out: string[] = [];
  if (!f.description.trim()) out.push('请填写发现的问题');
  if (!(f.severity in SEVERITY_LABELS)) out.push('请选择问题等级');
  if (!f.follow_up.trim()) out.push('请填写整改要求');
  const at = fromBeijingInput(f.deadline);
  if (!at) out.push('请填写整改期限');
  else if (Date.parse(at) <= started) out.push('整改期限须晚于巡查开始时间');
  else if (Date.parse(at) > started + 366 * 86400_000) out.push('整改期限不得超过巡查开始后366天');
  return out;
}

/** The request body of a finding (POST /api/v1/patrols/{id}/findings), trimmed. */
export function findingBody(f: FindingForm): { description: string; severity: string; follow_up: string; deadline: string } {
  return { description: f.description.trim(), severity: f.severity, follow_up: f.follow_up.trim(), deadline: fromBeijingInput(f.deadline) ?? '' };
}

/** What the caller may do with a finding: the enterprise answers an open one, an officer confirms an answered one. */
export function findingActions(f: Pick<PatrolFinding, 'state'>, role: string): ('reply' | 'accept' | 'reject')[] {
  if (role === 'enterprise_user') return f.state === 'open' ? ['reply'] : [];
  const officer = ['province_admin', 'province_officer', 'city_officer', 'county_officer'].includes(role);
  return officer && f.state === 'answered' ? ['accept', 'reject'] : [];
}

/** Open (no reply) with its deadline passed; the server says so too (`overdue`). */
export function isOverdue(f: Pick<PatrolFinding, 'state' | 'deadline'>, now: number): boolean {
  return f.state === 'open' && Date.parse(f.deadline) < now;
}

/** May this role patrol? County, city and province officers and the province admin. */
export function canPatrol(role: string | undefined): boolean {
  return role === 'province_admin' || role === 'province_officer' || role === 'city_officer' || role === 'county_officer';
}

export function percent(r: number | null | undefined): string {
  return r == null ? '—' : `${(r * 100).toFixed(1)}%`;
}

/** One table row of the five-systems statistics: the figures as the page shows them. */
/** A region's figures as the answer holds them (the document leaves the parts' members open). */
export interface FiveSystemsFigures {
  patrols?: unknown;
  findings?: unknown;
  disposal?: unknown;
  data_quality?: unknown;
  circulars?: unknown;
  routine_use?: unknown;
}

export function fiveSystemsCells(r: FiveSystemsFigures): string[] {
  const n = (o: unknown, k: string) => String((o as Record<string, unknown> | null | undefined)?.[k] ?? '—');
  const rate = (o: unknown, k: string) => percent((o as Record<string, number | null> | null | undefined)?.[k] ?? null);
  return [
    n(r.patrols, 'total'),
    n(r.findings, 'total'),
    n(r.findings, 'open'),
    n(r.findings, 'overdue'),
    n(r.findings, 'closed'),
    rate(r.disposal, 'timeliness_rate'),
    rate(r.data_quality, 'online_rate'),
    r.circulars ? n(r.circulars, 'published') : '—',
    r.circulars ? n(r.circulars, 'unacknowledged') : '—',
    n(r.routine_use, 'logins'),
    `${n(r.routine_use, 'commitments')}/${n(r.routine_use, 'commitments_expected')}`,
    n(r.routine_use, 'checkins'),
  ];
}
export const FIVE_SYSTEMS_HEADERS = ['巡查次数', '发现问题', '待整改', '超期未整改', '已销号', '预警反馈及时率', '数据在线率', '通报', '未签收', '企业登录', '承诺（实报/应报）', '值班签到'];
