// Special work permits (特殊作业票, GB 30871-2022; docs/duties.md) on the dashboard: the types and
// their grades, the form's checks the server also makes, the request bodies, the actions a state
// allows, overdue, the map's badge and the comparison with the day's safety commitment.
import type { components } from '../api/schema';
import { formatTime, fromBeijingInput } from '../format';

type S = components['schemas'];
export type WorkPermit = S['WorkPermit'];
export type WorkType = S['WorkPermitInput']['work_type'];
export type PermitState = S['WorkPermit']['state'];
export type PermitAction = S['WorkPermitTransition']['action'];

/** GB 30871-2022's eight types; grades where the standard grades them. */
export const WORK_TYPES: readonly { key: WorkType; label: string; grades: readonly { key: string; label: string }[] }[] = [
  { key: 'hot_work', label: '动火作业', grades: [{ key: 'special', label: '特级' }, { key: '1', label: '一级' }, { key: '2', label: '二级' }] },
  { key: 'confined_space', label: '受限空间作业', grades: [] },
  { key: 'blinding', label: '盲板抽堵作业', grades: [] },
  { key: 'height', label: '高处作业', grades: [{ key: '1', label: 'Ⅰ级' }, { key: '2', label: 'Ⅱ级' }, { key: '3', label: 'Ⅲ级' }, { key: '4', label: 'Ⅳ级' }] },
  { key: 'lifting', label: '吊装作业', grades: [{ key: '1', label: '一级' }, { key: '2', label: '二级' }, { key: '3', label: '三级' }] },
  { key: 'temporary_power', label: '临时用电作业', grades: [] },
  { key: 'excavation', label: '动土作业', grades: [] },
  { key: 'road_closure', label: '断路作业', grades: [] },
];

export const STATE_LABELS: Readonly<Record<PermitState, string>> = { planned: '计划', in_progress: '作业中', done: '已完成', cancelled: '已取消' };
export const ACTION_LABELS: Readonly<Record<PermitAction, string>> = { start: '开始作业', finish: '完成作业', cancel: '取消作业' };
export const CHANGE_LABELS: Readonly<Record<string, string>> = { filed: '登记', updated: '变更', started: '开始', done: '完成', cancelled: '取消' };

/** 动火作业（一级）, 受限空间作业. */
export function typeLabel(type: string, grade?: string | null): string {
  const t = WORK_TYPES.find((x) => x.key === type);
  if (!t) return type;
  const g = grade ? t.grades.find((x) => x.key === grade) : undefined;
  return g ? `${t.label}（${g.label}）` : t.label;
}

/** The grades a type takes (empty: none). */
export function gradesOf(type: string): readonly { key: string; label: string }[] {
  return WORK_TYPES.find((x) => x.key === type)?.grades ?? [];
}

/** planned → start, cancel; in_progress → finish, cancel; done, cancelled → none. */
export function actionsFor(state: PermitState): PermitAction[] {
  if (state === 'planned') return ['start', 'cancel'];
  if (state === 'in_progress') return ['finish', 'cancel'];
  return [];
}

/** In progress with its end passed (the server says so too: `overdue`). */
export function isOverdue(p: Pick<WorkPermit, 'state' | 'end_at'>, now: number): boolean {
  return p.state === 'in_progress' && Date.parse(p.end_at) < now;
}

export interface PermitForm {
  permit_no: string;
  work_type: WorkType;
  grade: string;
  location: string;
  hazard_code: string;
  begin: string; // datetime-local, Beijing wall time
  end: string;
  contractor: boolean;
  work_unit: string;
  responsible: string;
  responsible_mobile: string;
  content: string;
}

export function emptyPermitForm(): PermitForm {
  return {
    permit_no: '',
    work_type: 'hot_work',
    grade: '2',
    location: '',
    hazard_code: '',
    begin: '',
    end: '',
    contractor: false,
    work_unit: '',
    responsible: '',
    responsible_mobile: '',
    content: '',
  };
}

/** The same checks as the server's, in Chinese; empty when the form may be sent. */
export function permitProblems(f: PermitForm): string[] {
  const out: string[] = [];
  if (!f.permit_no.trim()) out.push('请填写作业票编号');
  const grades = gradesOf(f.work_type);
  if (grades.length && !grades.some((g) => g.key === f.grade)) out.push(`请选择${typeLabel(f.work_type)}的级别`);
  if (!f.location.trim()) out.push('请填写作业地点');
  const b = fromBeijingInput(f.begin);
  const e = fromBeijingInput(f.end);
  if (!b || !e) out.push('请填写作业开始和结束时间');
  else if (Date.parse(e) <= Date.parse(b)) out.push('结束时间须晚于开始时间');
  else if (Date.parse(e) - Date.parse(b) > 30 * 86400_000) out.push('作业时间跨度不得超过30天');
  if (!f.responsible.trim()) out.push('请填写作业负责人');
  if (!/^1[3-9]\d{9}$/.test(f.responsible_mobile.trim())) out.push('作业负责人手机号应为11位手机号码');
  if (f.contractor && !f.work_unit.trim()) out.push('承包商作业须填写作业单位');
  return out;
}

/** The body to POST: text trimmed, the grade only for graded types, empty optional fields left out. */
export function permitBody(f: PermitForm): S['WorkPermitInput'] {
  const body: S['WorkPermitInput'] = {
    permit_no: f.permit_no.trim(),
    work_type: f.work_type,
    location: f.location.trim(),
    begin_at: fromBeijingInput(f.begin) ?? '',
    end_at: fromBeijingInput(f.end) ?? '',
    contractor: f.contractor,
    responsible: f.responsible.trim(),
    responsible_mobile: f.responsible_mobile.trim(),
  };
  if (gradesOf(f.work_type).length) body.grade = f.grade;
  if (f.hazard_code.trim()) body.hazard_code = f.hazard_code.trim();
  if (f.contractor && f.work_unit.trim()) body.work_unit = f.work_unit.trim();
  if (f.content.trim()) body.content = f.content.trim();
  return body;
}

/** A change (变更) of the window, the place or the responsible person; empty fields stay as they are. */
export interface PermitChangeForm {
  begin: string; // datetime-local, Beijing wall time
  end: string;
  location: string;
  responsible: string;
  responsible_mobile: string;
  reason: string;
}

export function emptyChangeForm(): PermitChangeForm {
  return { begin: '', end: '', location: '', responsible: '', responsible_mobile: '', reason: '' };
}

/** The PATCH body of a change with its reason (变更原因, required like the server); null with the
 * problem when it cannot be sent. */
export function changeBody(c: PermitChangeForm): { body: S['WorkPermitEdit'] | null; problem: string } {
  if (!c.reason.trim()) return { body: null, problem: '变更须填写原因' };
  const body: S['WorkPermitEdit'] = { reason: c.reason.trim() };
  for (const [key, value, label] of [['begin_at', c.begin, '开始'], ['end_at', c.end, '结束']] as const) {
    if (!value) continue;
    const t = fromBeijingInput(value);
    if (!t) return { body: null, problem: `${label}时间格式不正确` };
    body[key] = t;
  }
  if (body.begin_at && body.end_at && Date.parse(body.end_at) <= Date.parse(body.begin_at)) return { body: null, problem: '结束时间须晚于开始时间' };
  if (c.location.trim()) body.location = c.location.trim();
  if (c.responsible.trim()) body.responsible = c.responsible.trim();
  if (c.responsible_mobile.trim()) {
    if (!/^1[3-9]\d{9}$/.test(c.responsible_mobile.trim())) return { body: null, problem: '作业负责人手机号应为11位手机号码' };
    body.responsible_mobile = c.responsible_mobile.trim();
  }
  if (Object.keys(body).length === 1) return { body: null, problem: '请填写要变更的时间、地点或负责人' };
  return { body, problem: '' };
}

/** What each change did (变更记录), oldest first: the fields that differ between the row before it
 * (`before`) and the row after it (the next change's `before`, or the permit as it is now). */
export function changeHistory(d: S['WorkPermitDetail']): { at: string; actor: string; action: string; reason: string; diffs: string[] }[] {
  type Row = Record<string, unknown>;
  const rows = d.changes.map((c) => (c.before ?? null) as Row | null);
  const now = d as unknown as Row;
  const show = (key: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return '（空）';
    if (key === 'begin_at' || key === 'end_at') return formatTime(String(v));
    if (key === 'contractor') return v ? '是' : '否';
    return String(v);
  };
  const fields: [string, string][] = [
    ['begin_at', '开始'], ['end_at', '结束'], ['location', '地点'], ['hazard_code', '危险源'], ['equip_code', '设备'],
    ['responsible', '作业负责人'], ['responsible_mobile', '手机'], ['contractor', '承包商'], ['work_unit', '作业单位'], ['content', '内容'],
  ];
  return d.changes.map((c, i) => {
    const before = rows[i];
    const after = rows.slice(i + 1).find((r) => r !== null) ?? now;
    const diffs: string[] = [];
    if (before && c.action === 'updated') {
      const kind = (r: Row) => typeLabel(String(r.work_type), (r.grade as string | null) ?? null);
      if (kind(before) !== kind(after)) diffs.push(`类型：${kind(before)} → ${kind(after)}`);
      for (const [key, label] of fields)
        if (show(key, before[key]) !== show(key, after[key])) diffs.push(`${label}：${show(key, before[key])} → ${show(key, after[key])}`);
    }
    return { at: c.at, actor: c.actor, action: CHANGE_LABELS[c.action] ?? c.action, reason: c.reason ?? '', diffs };
  });
}

/** The map's badge for an enterprise: 动火2 · 受限空间1, or '' when none is in progress. */
export function specialWorkBadge(m: { hot_work?: number; confined_space?: number }): string {
  const parts: string[] = [];
  if (m.hot_work) parts.push(`动火${m.hot_work}`);
  if (m.confined_space) parts.push(`受限空间${m.confined_space}`);
  return parts.join(' · ');
}

/** The lines where the day's commitment and the day's permits differ (shown, never blocking). */
export function commitmentDifferences(c: S['WorkPermitCommitmentCheck']): { name: string; committed: number; permits: number; text: string }[] {
  return c.lines
    .filter((l) => l.difference !== 0)
    .map((l) => ({
      name: l.name,
      committed: l.committed,
      permits: l.permits,
      text: l.difference > 0 ? `作业票比承诺多 ${l.difference}` : `承诺比作业票多 ${-l.difference}`,
    }));
}
