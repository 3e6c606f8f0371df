// The daily safety commitment (安全承诺, docs/duties.md) on the dashboard: the form's fields and
// labels, the sum check the server also makes, and the request body (POST /api/v1/commitments).
import type { components } from '../api/schema';

type S = components['schemas'];
export type CommitmentInput = S['CommitmentInput'];
export type UnitKey = keyof S['CommitmentUnits'];
export type WorkKey = keyof S['CommitmentSpecialWork'];
export type FlagKey = keyof S['CommitmentFlags'];

export const UNIT_STATUSES: readonly { key: Exclude<UnitKey, 'total'>; label: string }[] = [
  { key: 'running', label: '运行' },
  { key: 'stopped', label: '停车' },
  { key: 'startup', label: '开车' },
  { key: 'trial', label: '试生产' },
  { key: 'overhaul', label: '检修' },
];

/** GB 30871-2022's eight types, with their grades, in the form's order. */
export const WORK_GROUPS: readonly { type: string; items: readonly { key: WorkKey; label: string }[] }[] = [
  { type: '动火作业', items: [{ key: 'hot_special', label: '特级' }, { key: 'hot_1', label: '一级' }, { key: 'hot_2', label: '二级' }] },
  { type: '受限空间', items: [{ key: 'confined_space', label: '受限空间' }] },
  { type: '盲板抽堵', items: [{ key: 'blinding', label: '盲板抽堵' }] },
  {
    type: '高处作业',
    items: [
      { key: 'height_1', label: 'Ⅰ级' },
      { key: 'height_2', label: 'Ⅱ级' },
      { key: 'height_3', label: 'Ⅲ级' },
      { key: 'height_4', label: 'Ⅳ级' },
    ],
  },
  { type: '吊装作业', items: [{ key: 'lifting_1', label: '一级' }, { key: 'lifting_2', label: '二级' }, { key: 'lifting_3', label: '三级' }] },
  { type: '临时用电', items: [{ key: 'temporary_power', label: '临时用电' }] },
  { type: '动土作业', items: [{ key: 'excavation', label: '动土' }] },
  { type: '断路作业', items: [{ key: 'road_closure', label: '断路' }] },
];

export const FLAGS: readonly { key: FlagKey; label: string }[] = [
  { key: 'contractor', label: '有承包商作业' },
  { key: 'trial_production', label: '处于试生产' },
  { key: 'start_stop', label: '有开停车' },
  { key: 'pilot_scale_up', label: '有中扩试' },
  { key: 'major_hidden_danger', label: '存在重大隐患' },
  { key: 'baobao_in_place', label: '包保责任制已落实' },
];

export const RISK_GRADES: readonly { key: S['CommitmentInput']['risk_grade']; label: string }[] = [
  { key: 'red', label: '红色（重大风险）' },
  { key: 'orange', label: '橙色（较大风险）' },
  { key: 'yellow', label: '黄色（一般风险）' },
  { key: 'blue', label: '蓝色（低风险）' },
];

export const COMMITTER_ROLE_LABELS: Readonly<Record<S['Commitment']['committer_role'], string>> = {
  principal: '主要负责人（包保）',
  technical: '技术负责人（包保）',
  operations: '操作负责人（包保）',
  enterprise_principal: '企业主要负责人',
};

export interface CommitmentForm {
  units: Record<UnitKey, number>;
  work: Partial<Record<WorkKey, number>>;
  flags: Record<FlagKey, boolean>;
  key_process_count: number;
  risk_grade: S['CommitmentInput']['risk_grade'];
  committer: string;
  duty_leader: string;
  duty_phone: string;
  content: string;
}

export function emptyForm(): CommitmentForm {
  return {
    units: { total: 0, running: 0, stopped: 0, startup: 0, trial: 0, overhaul: 0 },
    work: {},
    flags: { contractor: false, trial_production: false, start_stop: false, pilot_scale_up: false, major_hidden_danger: false, baobao_in_place: true },
    key_process_count: 0,
    risk_grade: 'blue',
    committer: '',
    duty_leader: '',
    duty_phone: '',
    content: '',
  };
}

/** The same check as the server's: the five statuses add up to the total. Empty when they do. */
export function unitSumProblem(units: Record<UnitKey, number>): string {
  const sum = UNIT_STATUSES.reduce((s, u) => s + (Number(units[u.key]) || 0), 0);
  const total = Number(units.total) || 0;
  return sum === total ? '' : `各状态装置数之和（${sum}）与装置总数（${total}）不一致`;
}

/** The body to POST: whole numbers, zero work counts left out, text trimmed. */
export function commitmentBody(f: CommitmentForm): CommitmentInput {
  const int = (v: unknown) => Math.max(0, Math.trunc(Number(v) || 0));
  const units = Object.fromEntries(Object.entries(f.units).map(([k, v]) => [k, int(v)])) as S['CommitmentUnits'];
  const work: Record<string, number> = {};
  for (const [k, v] of Object.entries(f.work)) if (int(v) > 0) work[k] = int(v);
  const body: CommitmentInput = {
    units,
    special_work: work as S['CommitmentSpecialWork'],
    flags: { ...f.flags },
    key_process_count: int(f.key_process_count),
    risk_grade: f.risk_grade,
    committer: f.committer.trim(),
    duty_leader: f.duty_leader.trim(),
    duty_phone: f.duty_phone.trim(),
  };
  if (f.content.trim()) body.content = f.content.trim();
  return body;
}

/** The form filled from a stored commitment (editing today's filing again). */
export function formOf(c: S['Commitment']): CommitmentForm {
  return {
    units: { ...c.units },
    work: { ...c.special_work },
    flags: { ...emptyForm().flags, ...c.flags },
    key_process_count: c.key_process_count,
    risk_grade: c.risk_grade,
    committer: c.committer,
    duty_leader: c.duty_leader,
    duty_phone: c.duty_phone,
    content: c.content,
  };
}

/** Total special work of a stored commitment, for the list. */
export function workTotal(w: S['CommitmentSpecialWork'] | undefined): number {
  return Object.values(w ?? {}).reduce<number>((s, v) => s + (Number(v) || 0), 0);
}
