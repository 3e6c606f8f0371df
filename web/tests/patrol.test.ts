import { describe, expect, it } from 'vitest';
import { canPatrol, emptyFindingForm, findingActions, findingBody, findingProblems, fiveSystemsCells, FIVE_SYSTEMS_HEADERS, isOverdue, subjectLabels } from '../src/kit/patrol';

const started = Date.parse('2026-12-07T02:00:00Z'); // 10:00 Beijing

describe('patrol finding form', () => {
  it('names every missing part and checks the deadline against the patrol', () => {
    const f = emptyFindingForm();
    expect(findingProblems(f, started)).toEqual(['请填写发现的问题', '请填写整改要求', '请填写整改期限']);
    f.description = ' 视频遮挡 ';
    f.follow_up = '清理镜头';
    f.deadline = '2026-12-07T09:00'; // 09:00 Beijing: before the patrol began
    expect(findingProblems(f, started)).toEqual(['整改期限须晚于巡查开始时间']);
    f.deadline = '2028-01-01T09:00';
    expect(findingProblems(f, started)).toEqual(['整改期限不得超过巡查开始后366天']);
    f.deadline = '2026-12-09T18:00';
    expect(findingProblems(f, started)).toEqual([]);
    expect(findingBody(f)).toEqual({ description: '视频遮挡', severity: 'general', follow_up: '清理镜头', deadline: '2026-12-09T10:00:00Z' });
  });
});

describe('finding actions and overdue', () => {
  it('lets the enterprise answer open findings and officers confirm answered ones', () => {
    expect(findingActions({ state: 'open' }, 'enterprise_user')).toEqual(['reply']);
    expect(findingActions({ state: 'answered' }, 'enterprise_user')).toEqual([]);
    expect(findingActions({ state: 'answered' }, 'county_officer')).toEqual(['accept', 'reject']);
    expect(findingActions({ state: 'open' }, 'city_officer')).toEqual([]);
    expect(findingActions({ state: 'answered' }, 'operator')).toEqual([]);
    expect(canPatrol('operator')).toBe(false);
    expect(canPatrol('county_officer')).toBe(true);
  });
  it('is overdue only while open past its deadline', () => {
    const now = Date.parse('2026-12-07T04:00:00Z');
    expect(isOverdue({ state: 'open', deadline: '2026-12-07T03:00:00Z' }, now)).toBe(true);
    expect(isOverdue({ state: 'answered', deadline: '2026-12-07T03:00:00Z' }, now)).toBe(false);
    expect(isOverdue({ state: 'open', deadline: '2026-12-07T05:00:00Z' }, now)).toBe(false);
  });
  it('names what was looked at in Chinese', () => {
    expect(subjectLabels(['realtime', 'video', 'x'])).toBe('实时数据、视频、x');
  });
});

describe('five-systems table', () => {
  it('shows one cell per header, rates as percents and no circulars as a dash', () => {
    const row = {
      patrols: { total: 2 },
      findings: { total: 3, open: 1, overdue: 1, closed: 1 },
      disposal: { timeliness_rate: 0.5 },
      data_quality: { online_rate: 0.875 },
      circulars: null,
      routine_use: { logins: 5, commitments: 1, commitments_expected: 2, checkins: 1 },
    };
    const cells = fiveSystemsCells(row);
    expect(cells).toHaveLength(FIVE_SYSTEMS_HEADERS.length);
    expect(cells).toEqual(['2', '3', '1', '1', '1', '50.0%', '87.5%', '—', '—', '5', '1/2', '1']);
    expect(fiveSystemsCells({ ...row, circulars: { published: 4, unacknowledged: 2 } })[7]).toBe('4');
  });
});
