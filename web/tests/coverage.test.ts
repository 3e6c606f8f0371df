import { describe, expect, it } from 'vitest';
import { byMostGaps, completeRate, coverageRate, gapList, gapText, groupItems, type CoverageItem } from '../src/kit/coverage';

const item = (over: Partial<CoverageItem>): CoverageItem => ({
  kind: 'process_parameter',
  process_code: null,
  prodcell_id: null,
  param: null,
  label: '',
  status: 'connected',
  points: 1,
  fresh: 1,
  ...over,
});

describe('coverage figures', () => {
  it('lists only the non-zero gaps, in the order of 附件5', () => {
    const gaps = { loading_overflow: 1, process_parameter: 4, sis: 0, warehouse_humidity: 2 };
    expect(gapList(gaps).map((g) => g.key)).toEqual(['process_parameter', 'warehouse_humidity', 'loading_overflow']);
    expect(gapText(gaps)).toBe('工艺关键参数 4、仓库湿度 2、装卸区溢油 1');
    expect(gapText({ sis: 0 })).toBe('无');
  });

  it('computes rates and leaves empty ones as a dash', () => {
    expect(coverageRate(6, 14)).toBe('42.9%');
    expect(coverageRate(0, 0)).toBe('—');
    expect(completeRate({ enterprises: 2, complete: 1 })).toBe('50.0%');
    expect(completeRate({ enterprises: 0, complete: 0 })).toBe('—');
  });

  it('puts the enterprises with the most gaps first', () => {
    const rows = [
      { company_code: '14010500003', required: 5, connected: 4 },
      { company_code: '14010500002', required: 14, connected: 6 },
      { company_code: '14010500001', required: 3, connected: 2 },
    ];
    expect(byMostGaps(rows).map((r) => r.company_code)).toEqual(['14010500002', '14010500001', '14010500003']);
    expect(rows[0].company_code).toBe('14010500003'); // not sorted in place
  });

  it('groups an enterprise page by process and unit, plant gas and cells, counting gaps', () => {
    const items = [
      item({ process_code: 'E1504', prodcell_id: 'U1', param: 'reactor_temperature' }),
      item({ process_code: 'E1504', prodcell_id: 'U1', param: 'ph', status: 'missing', points: 0, fresh: 0 }),
      item({ kind: 'sis', process_code: 'E1504', prodcell_id: 'U1', status: 'stale', fresh: 0 }),
      item({ process_code: 'E15010', param: 'gas_oxygen', status: 'missing' }),
      item({ kind: 'plant_gas' }),
      item({ kind: 'warehouse_humidity', prodcell_id: 'W1', status: 'missing' }),
      item({ kind: 'warehouse_temperature', prodcell_id: 'W1' }),
      item({ kind: 'loading_leak', prodcell_id: 'L1', status: 'missing' }),
    ];
    const groups = groupItems(items, new Map([['E1504', '硝化工艺']]));
    expect(groups.map((g) => [g.title, g.items.length, g.gaps])).toEqual([
      ['硝化工艺（U1）', 3, 2],
      ['E15010（全厂）', 1, 1],
      ['全厂可燃有毒气体', 1, 0],
      ['仓库 W1', 2, 1],
      ['装卸区 L1', 1, 1],
    ]);
  });
});
