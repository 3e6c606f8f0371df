// Every page of the dashboard, in the order of the left navigation.
import type { Role } from './api/types';

export interface NavItem {
  path: string;
  name: string;
  title: string;
  /** Roles that see the entry; all people when absent. */
  roles?: Role[];
}

export const NAV: NavItem[] = [
  { path: '/', name: 'overview', title: '总览' },
  { path: '/screen', name: 'screen', title: '大屏' },
  { path: '/alarms', name: 'alarms', title: '实时报警' },
  { path: '/warnings', name: 'warnings', title: '预警事件' },
  { path: '/review', name: 'review', title: '视频AI审核' },
  { path: '/cameras', name: 'cameras', title: '视频监控' },
  { path: '/enterprises', name: 'enterprises', title: '企业档案' },
  { path: '/statistics', name: 'statistics', title: '统计分析' },
  { path: '/data-quality', name: 'data-quality', title: '数据质量' },
  { path: '/commitment', name: 'commitment', title: '安全承诺', roles: ['enterprise_user'] },
  { path: '/commitments', name: 'commitments', title: '承诺汇总', roles: ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'operator'] },
  { path: '/permits', name: 'permits', title: '特殊作业', roles: ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'operator', 'enterprise_user'] },
  { path: '/circulars', name: 'circulars', title: '信息通报', roles: ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'operator', 'enterprise_user'] },
  { path: '/unit-status', name: 'unit-status', title: '装置运行状态', roles: ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'operator', 'enterprise_user'] },
  { path: '/patrols', name: 'patrols', title: '巡查抽查' },
  { path: '/routine-use', name: 'routine-use', title: '日常使用' },
  { path: '/coverage', name: 'coverage', title: '接入完整性', roles: ['province_admin', 'province_officer', 'city_officer', 'county_officer', 'operator'] },
  { path: '/connection', name: 'connection', title: '接入与部署' },
  { path: '/deployment', name: 'deployment', title: '部署进度' },
  { path: '/reports', name: 'reports', title: '日报周报' },
  { path: '/admin', name: 'admin', title: '系统管理' },
];
