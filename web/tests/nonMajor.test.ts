import { describe, expect, it } from 'vitest';
import { isNonMajor, levelKeyText, nonMajorView, rankBucketName, rankSelectorText, targetText, type PointRow, type UnitRow } from '../src/kit/nonMajor';

const units: UnitRow[] = [
  { prodcell_id: 'TANK1', name: '液氯罐区', cell_type: 'tank_farm', hazard_code: '14070000001001' },
  { prodcell_id: 'NH4NO3', name: '硝酸铵仓库', cell_type: 'unit', hazard_code: null },
  { prodcell_id: 'LOAD2', name: '装卸区', cell_type: 'unit' },
];
const points: PointRow[] = [
  { quota_code: 'P3', name: '罐区液位', hazard_code: '14070000001001', prodcell_id: 'TANK1' },
  { quota_code: 'P2', name: '仓库可燃气体', hazard_code: null, prodcell_id: 'NH4NO3' },
  { quota_code: 'P1', name: '仓库温度', prodcell_id: 'NH4NO3' },
  { quota_code: 'E2', name: '厂区有毒气体', hazard_code: null, prodcell_id: null },
  { quota_code: 'E1', name: '厂区可燃气体' },
  { quota_code: 'X1', name: '另一单元的点', prodcell_id: 'GONE' },
];

describe('non-major units', () => {
  it('tells non-major units by their missing hazard source', () => {
    expect(units.map(isNonMajor)).toEqual([false, true, true]);
  });

  it('lists the non-major units with their points and the enterprise-level points apart', () => {
    const v = nonMajorView(units, points);
    expect(v.units.map((u) => u.unit.prodcell_id)).toEqual(['NH4NO3', 'LOAD2']);
    expect(v.units[0].points.map((p) => p.quota_code)).toEqual(['P1', 'P2']);
    expect(v.units[1].points).toEqual([]);
    // A point of a major hazard source is neither; one on a unit not listed is not the enterprise's.
    expect(v.enterprisePoints.map((p) => p.quota_code)).toEqual(['E1', 'E2']);
  });

  it('names the statistics rank buckets, never unranked as rank 4', () => {
    expect(rankBucketName('1')).toBe('一级重大危险源');
    expect(rankBucketName('4')).toBe('四级重大危险源');
    expect(rankBucketName('unranked')).toBe('非重大危险源');
    expect(rankBucketName(null)).toBe('其他');
  });

  it('says where an event or point sits', () => {
    expect(targetText({ hazard_code: '14070000001001', hazard_name: '液氯罐区' })).toBe('液氯罐区（14070000001001）');
    expect(targetText({ hazard_code: null, prodcell_id: 'NH4NO3', prodcell_name: '硝酸铵仓库' })).toBe('非重大危险源单元：硝酸铵仓库');
    expect(targetText({ hazard_code: null, prodcell_id: null })).toBe('企业级监测点（非重大危险源）');
  });

  it("says a warning rule's rank selector and level keys, unranked included", () => {
    expect(rankSelectorText([])).toBe('一至四级（不含非重大危险源）');
    expect(rankSelectorText([1, 2])).toBe('1、2 级');
    expect(rankSelectorText(['unranked'])).toBe('非重大危险源');
    expect(rankSelectorText([4, 'unranked'])).toBe('4 级、非重大危险源');
    expect(levelKeyText('3')).toBe('3级');
    expect(levelKeyText('unranked')).toBe('非重大危险源');
  });
});
