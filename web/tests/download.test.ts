import { describe, expect, it } from 'vitest';
import { dispositionFilename, exportFilename } from '../src/kit/download';

describe('download file names', () => {
  it('prefers the UTF-8 name of filename*', () => {
    const h = `attachment; filename="statistics-warnings.xlsx"; filename*=UTF-8''${encodeURIComponent('统计-预警事件.xlsx')}`;
    expect(dispositionFilename(h)).toBe('统计-预警事件.xlsx');
  });
  it('falls back on the quoted ASCII name', () => {
    expect(dispositionFilename('attachment; filename="data-quality_2026-12-01_2026-12-06.csv"')).toBe('data-quality_2026-12-01_2026-12-06.csv');
    expect(dispositionFilename('attachment; filename=report-42.pdf')).toBe('report-42.pdf');
  });
  it('removes path separators and leading dots (no ../ escapes)', () => {
    expect(dispositionFilename('attachment; filename="../../etc/passwd"')).toBe('_.._etc_passwd');
    expect(dispositionFilename(`attachment; filename*=UTF-8''..%2F..%2Fx.csv`)).toBe('_.._x.csv');
  });
  it('is empty without a header or a name', () => {
    expect(dispositionFilename(null)).toBe('');
    expect(dispositionFilename('inline')).toBe('');
  });
  it('builds a Chinese name from the page, table, grouping and range', () => {
    expect(exportFilename(['统计分析', '预警事件统计', '按城市-按日', '2026-12-01至2026-12-06'], 'xlsx')).toBe('统计分析-预警事件统计-按城市-按日-2026-12-01至2026-12-06.xlsx');
    expect(exportFilename(['a/b', null, ' ', 'c:d'], 'csv')).toBe('a_b-c_d.csv');
    expect(exportFilename([], 'csv')).toBe('导出.csv');
  });
});
