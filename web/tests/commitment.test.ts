import { describe, expect, it } from 'vitest';
import { commitmentBody, emptyForm, formOf, unitSumProblem, WORK_GROUPS, workTotal } from '../src/kit/commitment';

describe('safety commitment form', () => {
  it('checks that the unit statuses add up to the total', () => {
    const f = emptyForm();
    f.units = { total: 5, running: 3, stopped: 1, startup: 0, trial: 0, overhaul: 1 };
    expect(unitSumProblem(f.units)).toBe('');
    f.units.running = 4;
    expect(unitSumProblem(f.units)).toContain('（6）');
    expect(unitSumProblem(f.units)).toContain('（5）');
  });

  it('sends whole numbers, leaves zero work counts out and trims text', () => {
    const f = emptyForm();
    f.units = { total: 2, running: 2, stopped: 0, startup: 0, trial: 0, overhaul: 0 };
    f.work = { hot_1: 2, height_3: 0, confined_space: 1.7 };
    f.committer = ' 张三 ';
    f.duty_leader = '李四';
    f.duty_phone = '13912345678';
    const b = commitmentBody(f);
    expect(b.special_work).toEqual({ hot_1: 2, confined_space: 1 });
    expect(b.committer).toBe('张三');
    expect(b.flags?.baobao_in_place).toBe(true);
    expect('content' in b).toBe(false);
  });

  it('covers the GB 30871-2022 types with their grades', () => {
    expect(WORK_GROUPS).toHaveLength(8);
    const keys = WORK_GROUPS.flatMap((g) => g.items.map((i) => i.key));
    expect(keys).toHaveLength(15);
    expect(new Set(keys).size).toBe(15);
  });

  it('fills the form again from a stored commitment', () => {
    const f = formOf({
      id: 1, company_code: '14010500001', company_name: 'x', day: '2026-12-07',
      units: { total: 1, running: 1, stopped: 0, startup: 0, trial: 0, overhaul: 0 },
      special_work: { hot_2: 3 }, flags: { contractor: true },
      key_process_count: 2, risk_grade: 'orange', committer: '张三', committer_role: 'technical',
      duty_leader: '李四', duty_phone: '13912345678', content: '', committed_at: '2026-12-07T01:00:00Z',
      late: false, revision: 1, source: 'dashboard', filed_by: 'u',
    });
    expect(f.flags.contractor).toBe(true);
    expect(f.flags.baobao_in_place).toBe(true);
    expect(f.work.hot_2).toBe(3);
    expect(workTotal({ hot_2: 3, blinding: 1 })).toBe(4);
  });
});
