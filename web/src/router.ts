import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { ensureMe, onSessionExpired, session } from './session';

// One file per page under src/pages/, loaded when first visited.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { bare: true, public: true, title: '登录' } },
  { path: '/', name: 'overview', component: () => import('./pages/OverviewPage.vue'), meta: { title: '总览' } },
  { path: '/screen', name: 'screen', component: () => import('./pages/ScreenPage.vue'), meta: { bare: true, title: '大屏' } },
  { path: '/alarms', name: 'alarms', component: () => import('./pages/AlarmsPage.vue'), meta: { title: '实时报警' } },
  { path: '/warnings', name: 'warnings', component: () => import('./pages/WarningsPage.vue'), meta: { title: '预警事件' } },
  { path: '/warnings/:id(\\d+)', name: 'warning', component: () => import('./pages/WarningDetailPage.vue'), meta: { title: '预警详情' } },
  { path: '/review', name: 'review', alias: '/video', component: () => import('./pages/VideoReviewPage.vue'), meta: { title: '视频AI审核' } },
  { path: '/cameras', name: 'cameras', component: () => import('./pages/CamerasPage.vue'), meta: { title: '视频监控' } },
  { path: '/calls', name: 'calls', component: () => import('./pages/CallsPage.vue'), meta: { title: '可视化调度' } },
  { path: '/gb28181', name: 'gb28181', component: () => import('./pages/Gb28181Page.vue'), meta: { title: '国标设备' } },
  { path: '/cameras/:id', name: 'camera', component: () => import('./pages/CameraPage.vue'), meta: { title: '摄像机' } },
  { path: '/enterprises', name: 'enterprises', component: () => import('./pages/EnterprisesPage.vue'), meta: { title: '企业档案' } },
  { path: '/enterprises/:code', name: 'enterprise', component: () => import('./pages/EnterpriseFilePage.vue'), meta: { title: '企业档案' } },
  { path: '/statistics', name: 'statistics', component: () => import('./pages/StatisticsPage.vue'), meta: { title: '统计分析' } },
  { path: '/data-quality', name: 'data-quality', component: () => import('./pages/DataQualityPage.vue'), meta: { title: '数据质量' } },
  { path: '/commitment', name: 'commitment', component: () => import('./pages/CommitmentPage.vue'), meta: { title: '安全承诺' } },
  { path: '/commitments', name: 'commitments', component: () => import('./pages/CommitmentSummaryPage.vue'), meta: { title: '承诺汇总' } },
  { path: '/permits', name: 'permits', component: () => import('./pages/PermitsPage.vue'), meta: { title: '特殊作业' } },
  { path: '/circulars', name: 'circulars', component: () => import('./pages/CircularsPage.vue'), meta: { title: '信息通报' } },
  { path: '/circulars/:id(\\d+)', name: 'circular', component: () => import('./pages/CircularPage.vue'), meta: { title: '通报详情' } },
  { path: '/unit-status', name: 'unit-status', component: () => import('./pages/UnitStatusPage.vue'), meta: { title: '装置运行状态' } },
  { path: '/patrols', name: 'patrols', component: () => import('./pages/PatrolsPage.vue'), meta: { title: '巡查抽查' } },
  { path: '/routine-use', name: 'routine-use', component: () => import('./pages/RoutineUsePage.vue'), meta: { title: '日常使用' } },
  { path: '/coverage', name: 'coverage', component: () => import('./pages/CoveragePage.vue'), meta: { title: '接入完整性' } },
  { path: '/connection', name: 'connection', component: () => import('./pages/ConnectionPage.vue'), meta: { title: '接入与部署' } },
  { path: '/deployment', name: 'deployment', component: () => import('./pages/DeploymentPage.vue'), meta: { title: '部署进度' } },
  { path: '/reports', name: 'reports', component: () => import('./pages/ReportsPage.vue'), meta: { title: '日报周报' } },
  { path: '/admin/:section?', name: 'admin', component: () => import('./pages/AdminPage.vue'), meta: { title: '系统管理' } },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { title: '页面不存在' } },
];

export const router = createRouter({ history: createWebHistory('/'), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  if (!session.token || !(await ensureMe())) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
  return true;
});

router.afterEach((to) => {
  document.title = `${String(to.meta.title ?? '')} - 危险化学品安全生产风险监测预警系统`;
});

onSessionExpired(() => {
  const cur = router.currentRoute.value;
  if (cur.name !== 'login') void router.replace({ name: 'login', query: { redirect: cur.fullPath, expired: '1' } });
});
