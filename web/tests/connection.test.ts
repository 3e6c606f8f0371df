import { describe, expect, it } from 'vitest';
import { connectedShare, dutyBody, mayEditDuty, pointsText, resolveBody } from '../src/kit/connection';

const row = { suggestion: { company_code: '14020090001', name: '同煤广发化学工业有限公司', similarity: 0.7 }, city_code: '140200' };
const form = { companyCode: '', name: '', regionCode: '' };

describe('connection figures', () => {
  it('shows the connected share and the points', () => {
    expect(connectedShare(3, 5)).toBe('3 / 5（60.0%）');
    expect(connectedShare(0, 0)).toBe('—');
    expect(pointsText(8, 10)).toBe('8 / 10');
    expect(pointsText(0, 0)).toBe('—');
  });
});

describe('city duties', () => {
  it('lets the province admin and the city itself edit', () => {
    expect(mayEditDuty('province_admin', undefined, '140200')).toBe(true);
    expect(mayEditDuty('city_officer', '140200', '140200')).toBe(true);
    expect(mayEditDuty('city_officer', '140400', '140200')).toBe(false);
    expect(mayEditDuty('county_officer', '140212', '140200')).toBe(false);
    expect(mayEditDuty('province_officer', undefined, '140200')).toBe(false);
  });
  it('asks for evidence when done', () => {
    expect(dutyBody('done', '  ').error).toBeTruthy();
    expect(dutyBody('done', ' 已报送 ').body).toEqual({ status: 'done', evidence_note: '已报送' });
    expect(dutyBody('in_progress', '').body).toEqual({ status: 'in_progress', evidence_note: '' });
    expect(dutyBody('in_progress', '字'.repeat(700)).error).toBeTruthy();
  });
});

describe('roster row resolution', () => {
  it('confirms only a row with a suggestion', () => {
    expect(resolveBody('confirm', row, form).body).toEqual({ action: 'confirm' });
    expect(resolveBody('confirm', { suggestion: null, city_code: '140700' }, form).error).toBeTruthy();
  });
  it('picks an eleven-digit code', () => {
    expect(resolveBody('pick', row, { ...form, companyCode: '1402' }).error).toBeTruthy();
    expect(resolveBody('pick', row, { ...form, companyCode: ' 14020090001 ' }).body).toEqual({ action: 'pick', company_code: '14020090001' });
  });
  it('creates in the row city only', () => {
    expect(resolveBody('create', row, { ...form, name: '同煤广发化工有限责任公司', regionCode: '140400' }).error).toContain('140200');
    expect(resolveBody('create', row, { ...form, name: '同煤广发化工有限责任公司', regionCode: '140000' }).error).toBeTruthy();
    expect(resolveBody('create', row, { ...form, name: '短', regionCode: '140200' }).error).toBeTruthy();
    expect(resolveBody('create', row, { ...form, name: '同煤广发化工有限责任公司', regionCode: '140212' }).body).toEqual({
      action: 'create',
      name: '同煤广发化工有限责任公司',
      region_code: '140212',
    });
    expect(resolveBody('create', { suggestion: null, city_code: null }, { ...form, name: '中石化某某公司', regionCode: '140100' }).body?.region_code).toBe('140100');
  });
});
