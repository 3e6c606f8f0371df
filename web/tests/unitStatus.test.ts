import { describe, expect, it } from 'vitest';
import {
  emptyUnitStatusForm,
  filingText,
  statusDifferences,
  suppresses,
  unitStatusBody,
  unitStatusProblems,
} from '../src/kit/unitStatus';

const now = Date.parse('2026-12-07T04:00:00Z'); // 12:00 Beijing

describe('unit status form', () => {
  it('needs a unit and a reason for a stop or an overhaul only', () => {
    const f = emptyUnitStatusForm();
    expect(unitStatusProblems(f, now)).toEqual(['请选择生产装置']);
    f.equip_code = '14082600001001S0001';
    expect(unitStatusProblems(f, now)).toEqual([]);
    f.status = 'overhaul';
    expect(unitStatusProblems(f, now)).toEqual(['检修须填写原因']);
    f.reason = '年度大检修';
    expect(unitStatusProblems(f, now)).toEqual([]);
    expect(suppresses('stopped')).toBe(true);
    expect(suppresses('startup')).toBe(false);
  });

  it('refuses a begin in the future or a planned end before the begin', () => {
    const f = { ...emptyUnitStatusForm(), equip_code: 'U', begin: '2026-12-07T13:00' };
    expect(unitStatusProblems(f, now)).toContain('开始时间不能晚于当前时间');
    f.begin = '2026-12-07T11:00';
    f.planned_end = '2026-12-07T10:00';
    expect(unitStatusProblems(f, now)).toContain('计划结束时间须晚于开始时间');
  });

  it('sends Beijing wall times as instants and leaves empty fields out', () => {
    const f = { ...emptyUnitStatusForm(), equip_code: ' U1 ', status: 'stopped' as const, begin: '2026-12-07T11:00', reason: ' 停车 ' };
    const body = unitStatusBody(f);
    expect(body.equip_code).toBe('U1');
    expect(body.reason).toBe('停车');
    expect(Date.parse(body.begin_at!)).toBe(Date.parse('2026-12-07T03:00:00Z'));
    expect(body.planned_end).toBeUndefined();
    expect(unitStatusBody({ ...f, begin: '' }).begin_at).toBeUndefined();
  });
});

describe('what a status does to alarms', () => {
  it('says pending, in force, or ended', () => {
    expect(filingText({ filing: null }, now)).toBe('');
    const f = { id: 1, type: 'shutdown' as const, starts_at: '2026-12-07T00:00:00Z', ends_at: '2026-12-10T00:00:00Z' };
    expect(filingText({ filing: { ...f, status: 'pending' } }, now)).toBe('报备待审批，暂不屏蔽报警');
    expect(filingText({ filing: { ...f, status: 'approved' } }, now)).toContain('气体检测报警不屏蔽');
    expect(filingText({ filing: { ...f, status: 'approved', ends_at: '2026-12-07T01:00:00Z' } }, now)).toBe('报备已结束');
  });

  it('lists only the lines where the commitment and the statuses differ', () => {
    const d = statusDifferences({
      committed: true,
      units: 3,
      lines: [
        { key: 'total', name: '装置总数', committed: 3, statuses: 3, difference: 0 },
        { key: 'running', name: '运行', committed: 3, statuses: 2, difference: -1 },
        { key: 'overhaul', name: '检修', committed: 0, statuses: 1, difference: 1 },
      ],
    });
    expect(d).toEqual([
      { name: '运行', text: '承诺 3，实际 2（少 1）' },
      { name: '检修', text: '承诺 0，实际 1（多 1）' },
    ]);
  });
});
