import { describe, expect, it } from 'vitest';
import {
  chooseUnit,
  emptyUnitStatusForm,
  overhaulText,
  unitChoice,
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
    f.status = 'stopped';
    expect(unitStatusProblems(f, now)).toEqual(['停车须填写原因']);
    f.status = 'overhaul';
    expect(unitStatusProblems(f, now)).toContain('检修须填写原因');
    f.reason = '年度大检修';
    expect(unitStatusProblems(f, now)).toEqual(['检修须填写检修内容', '检修须填写检修负责人', '检修负责人电话须为11位手机号或固定电话（如0351-1234567）']);
    Object.assign(f, { content: '更换内件', responsible_person: '张三', responsible_phone: '0359-6123456' });
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

describe('non-major units and the overhaul filing', () => {
  it('names a non-major unit by its cell and only once', () => {
    const f = emptyUnitStatusForm();
    chooseUnit(f, 'c:NMU1');
    expect(f.prodcell_id).toBe('NMU1');
    expect(f.equip_code).toBe('');
    expect(unitChoice(f)).toBe('c:NMU1');
    expect(unitStatusProblems(f, now)).toEqual([]);
    const body = unitStatusBody(f);
    expect(body.prodcell_id).toBe('NMU1');
    expect(body.equip_code).toBeUndefined();
    chooseUnit(f, 'e:14082600001001S0001');
    expect(f.prodcell_id).toBe('');
    expect(unitStatusBody(f).equip_code).toBe('14082600001001S0001');
    expect(unitStatusBody(f).prodcell_id).toBeUndefined();
  });

  it('sends the overhaul fields for an overhaul only and shows them', () => {
    const f = { ...emptyUnitStatusForm(), equip_code: 'U1', reason: '检修', content: ' 更换内件 ', responsible_person: '张三', responsible_phone: '13912345678' };
    expect(unitStatusBody({ ...f, status: 'stopped' }).content).toBeUndefined();
    const body = unitStatusBody({ ...f, status: 'overhaul' });
    expect(body.content).toBe('更换内件');
    expect(body.responsible_phone).toBe('13912345678');
    expect(body.unit_head).toBeUndefined();
    expect(overhaulText({ content: '更换内件', unit_head: null, responsible_person: '张三', responsible_phone: '13912345678' })).toBe(
      '检修内容：更换内件；检修负责人：张三（13912345678）',
    );
    expect(overhaulText({ content: null, unit_head: null, responsible_person: null, responsible_phone: null })).toBe('');
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
