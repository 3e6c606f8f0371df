import { describe, expect, it } from 'vitest';
import { actionsFor, changeBody, commitmentDifferences, emptyPermitForm, gradesOf, isOverdue, permitBody, permitProblems, specialWorkBadge, typeLabel, WORK_TYPES } from '../src/kit/permit';

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
    expect(changeBody('2026-12-07T20:00', '', ' ').problem).toBe('变更须填写原因');
    expect(changeBody('', '', '延期').problem).toBe('请填写新的结束时间或作业地点');
    expect(changeBody('2026-12-07T20:00', '', ' 延期 ').body).toEqual({ reason: '延期', end_at: '2026-12-07T12:00:00Z' });
    expect(changeBody('', ' 二车间 ', '更正').body).toEqual({ reason: '更正', location: '二车间' });
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
