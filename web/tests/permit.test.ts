import { describe, expect, it } from 'vitest';
import { actionsFor, changeBody, changeHistory, commitmentDifferences, emptyChangeForm, emptyPermitForm, gradesOf, isOverdue, permitBody, permitProblems, specialWorkBadge, typeLabel, WORK_TYPES } from '../src/kit/permit';

function filled() {
  const f = emptyPermitForm();
  f.permit_no = ' DH-001 ';
  f.work_type = 'hot_work';
  f.grade = '1';
  f.location = ' 罐区 ';
  f.begin = '2026-12-07T08:00';
  f.end = '2026-12-07T18:00';
  f.responsible = '张三';
  f.responsible_mobile = '13912345678';
  return f;
}

describe('special work permit form', () => {
  it('knows GB 30871-2022 types and their grades only', () => {
    expect(WORK_TYPES).toHaveLength(8);
    expect(gradesOf('hot_work').map((g) => g.key)).toEqual(['special', '1', '2']);
    expect(gradesOf('height').map((g) => g.key)).toEqual(['1', '2', '3', '4']);
    expect(gradesOf('lifting')).toHaveLength(3);
    expect(gradesOf('confined_space')).toHaveLength(0);
    expect(typeLabel('height', '3')).toBe('高处作业（Ⅲ级）');
    expect(typeLabel('confined_space', null)).toBe('受限空间作业');
  });

  it('checks the form as the server does', () => {
    expect(permitProblems(filled())).toEqual([]);
    const f = filled();
    f.grade = '3';
    f.end = '2026-12-07T07:00';
    f.responsible_mobile = '110';
    f.contractor = true;
    const p = permitProblems(f);
    expect(p).toContain('请选择动火作业的级别');
    expect(p).toContain('结束时间须晚于开始时间');
    expect(p).toContain('作业负责人手机号应为11位手机号码');
    expect(p).toContain('承包商作业须填写作业单位');
    const long = filled();
    long.end = '2027-01-30T08:00';
    expect(permitProblems(long)).toEqual(['作业时间跨度不得超过30天']);
  });

  it('sends Beijing wall time as UTC, trims, and sends a grade only for graded types', () => {
    const b = permitBody(filled());
    expect(b.begin_at).toBe('2026-12-07T00:00:00Z');
    expect(b.end_at).toBe('2026-12-07T10:00:00Z');
    expect(b.permit_no).toBe('DH-001');
    expect(b.location).toBe('罐区');
    expect(b.grade).toBe('1');
    expect(b.work_unit).toBeUndefined();
    const f = filled();
    f.work_type = 'confined_space';
    expect(permitBody(f).grade).toBeUndefined();
  });

  it('offers the legal steps of each state and marks overdue work', () => {
    expect(actionsFor('planned')).toEqual(['start', 'cancel']);
    expect(actionsFor('in_progress')).toEqual(['finish', 'cancel']);
    expect(actionsFor('done')).toEqual([]);
    expect(actionsFor('cancelled')).toEqual([]);
    const now = Date.parse('2026-12-07T12:00:00Z');
    expect(isOverdue({ state: 'in_progress', end_at: '2026-12-07T11:00:00Z' }, now)).toBe(true);
    expect(isOverdue({ state: 'in_progress', end_at: '2026-12-07T13:00:00Z' }, now)).toBe(false);
    expect(isOverdue({ state: 'planned', end_at: '2026-12-07T11:00:00Z' }, now)).toBe(false);
  });

  it('sends a change only with its reason and something to change', () => {
    const c = (more: Partial<ReturnType<typeof emptyChangeForm>>) => ({ ...emptyChangeForm(), ...more });
    expect(changeBody(c({ end: '2026-12-07T20:00', reason: ' ' })).problem).toBe('变更须填写原因');
    expect(changeBody(c({ reason: '延期' })).problem).toBe('请填写要变更的时间、地点或负责人');
    expect(changeBody(c({ end: '2026-12-07T20:00', reason: ' 延期 ' })).body).toEqual({ reason: '延期', end_at: '2026-12-07T12:00:00Z' });
    expect(changeBody(c({ location: ' 二车间 ', reason: '更正' })).body).toEqual({ reason: '更正', location: '二车间' });
    expect(changeBody(c({ begin: '2026-12-07T10:00', end: '2026-12-07T16:00', reason: '推迟' })).body).toEqual({
      reason: '推迟', begin_at: '2026-12-07T02:00:00Z', end_at: '2026-12-07T08:00:00Z',
    });
    expect(changeBody(c({ begin: '2026-12-07T10:00', end: '2026-12-07T09:00', reason: '推迟' })).problem).toBe('结束时间须晚于开始时间');
    expect(changeBody(c({ begin: 'tomorrow', reason: '推迟' })).problem).toBe('开始时间格式不正确');
    expect(changeBody(c({ responsible: ' 李四 ', responsible_mobile: '13800001111', reason: '换人' })).body).toEqual({
      reason: '换人', responsible: '李四', responsible_mobile: '13800001111',
    });
    expect(changeBody(c({ responsible_mobile: '12345', reason: '换人' })).problem).toBe('作业负责人手机号应为11位手机号码');
  });

  it('says what each change did, from the row before it to the row after it', () => {
    const permit = {
      id: 1, company_code: '1', company_name: '甲', permit_no: 'DH-1', work_type: 'hot_work', grade: 'special',
      location: '二车间', hazard_code: null, equip_code: null, begin_at: '2026-12-07T02:00:00.000Z', end_at: '2026-12-07T10:00:00.000Z',
      contractor: false, work_unit: '', responsible: '李四', responsible_mobile: '13800001111', content: '', state: 'planned',
    };
    const before1 = { ...permit, grade: '1', location: '一车间', begin_at: '2026-12-07T00:00:00.000Z', responsible: '张三', responsible_mobile: '13912345678', revision: 1 };
    const before2 = { ...permit, grade: '1', responsible: '张三', responsible_mobile: '13912345678', revision: 2 };
    const d = {
      ...permit,
      changes: [
        { at: '2026-12-06T01:00:00.000Z', actor: 'u', action: 'filed', from_state: null, to_state: 'planned', reason: null, before: null },
        { at: '2026-12-06T02:00:00.000Z', actor: 'u', action: 'updated', from_state: 'planned', to_state: 'planned', reason: '推迟并改地点', before: before1 },
        { at: '2026-12-06T03:00:00.000Z', actor: 'u', action: 'updated', from_state: 'planned', to_state: 'planned', reason: '换人升级', before: before2 },
      ],
    } as unknown as Parameters<typeof changeHistory>[0];
    const h = changeHistory(d);
    expect(h.map((x) => x.action)).toEqual(['登记', '变更', '变更']);
    expect(h[0].diffs).toEqual([]);
    expect(h[1].reason).toBe('推迟并改地点');
    expect(h[1].diffs).toEqual(['开始：2026-12-07 08:00:00 → 2026-12-07 10:00:00', '地点：一车间 → 二车间']);
    expect(h[2].diffs).toEqual(['类型：动火作业（一级） → 动火作业（特级）', '作业负责人：张三 → 李四', '手机：13912345678 → 13800001111']);
  });

  it('badges the map and lists where the commitment differs from the permits', () => {
    expect(specialWorkBadge({ hot_work: 2, confined_space: 1 })).toBe('动火2 · 受限空间1');
    expect(specialWorkBadge({ hot_work: 0, confined_space: 0 })).toBe('');
    expect(specialWorkBadge({})).toBe('');
    const d = commitmentDifferences({
      company_code: '1',
      day: '2026-12-07',
      committed: true,
      matches: false,
      lines: [
        { key: 'hot_1', name: '一级动火', committed: 1, permits: 3, difference: 2 },
        { key: 'confined_space', name: '受限空间', committed: 2, permits: 2, difference: 0 },
        { key: 'excavation', name: '动土', committed: 1, permits: 0, difference: -1 },
      ],
    });
    expect(d.map((x) => x.name)).toEqual(['一级动火', '动土']);
    expect(d[0].text).toBe('作业票比承诺多 2');
    expect(d[1].text).toBe('承诺比作业票多 1');
  });
});
