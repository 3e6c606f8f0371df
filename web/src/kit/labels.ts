// Chinese labels of the registry's, deployment's, filing's and notification's enums, typed with
// the generated unions where the spec names them (a value added to the spec fails the type check
// until it has a label).
import type { components } from '../api/schema';

type S = components['schemas'];
type Labels<K extends string> = Readonly<Record<K, string>>;

export const DEPLOYMENT_TASK_LABELS: Labels<S['DeploymentTaskName']> = {
  visual_communication: '可视化通信部署',
  video_ai_terminal: '视频智能分析终端部署',
  oblique_photography: '三维倾斜摄影建模',
  video_gateway: '视频网闸安装部署',
  extended_access: '扩展接入范围',
};
export const DEPLOYMENT_STATUS_LABELS: Labels<S['DeploymentStatus']> = { not_started: '未开始', in_progress: '进行中', done: '已完成' };
export const FILING_TYPE_LABELS: Labels<NonNullable<S['Filing']['filing_type']>> = { shutdown: '停产', overhaul: '检维修', startup: '开车', trial_run: '试生产' };
export const FILING_STATUS_LABELS: Labels<NonNullable<S['Filing']['status']>> = { pending: '待审批', approved: '已批准', rejected: '已驳回' };
export const FILING_TARGET_LABELS: Labels<NonNullable<S['Filing']['target_kind']>> = { point: '监测点位', equipment: '设备', hazard_source: '重大危险源', unit: '非重大危险源装置', enterprise: '企业' };
// Equipment types (DOMAIN.md; schemas/registry/equipment.schema.json: Q0 is a gas detector there).
export const EQUIP_TYPE_LABELS: Labels<S['equip_type']> = { G0: '储罐', Q0: '气体检测器', S0: '生产装置', C0: '仓库', Z0: '装卸平台' };
export const RP_ROLE_LABELS: Readonly<Record<string, string>> = { principal: '主要负责人', technical: '技术负责人', operations: '操作负责人' };
export const USAGE_LABELS: Readonly<Record<string, string>> = { raw_material: '原料', auxiliary: '辅料', intermediate: '中间产品', product: '产品' };
export const NOTIFY_STATUS_LABELS: Labels<NonNullable<S['Notification']['status']>> = { pending: '待发送', sent: '已发送', failed: '发送失败' };
export const CHANNEL_LABELS: Labels<NonNullable<S['Notification']['channel']>> = { sms: '短信', email: '电子邮件' };
export const TIER_LABELS: Labels<S['NotifyContactInput']['level']> = { enterprise: '企业', county: '县级', city: '市级', province: '省级' };
export const PUSH_REASON_LABELS: Labels<NonNullable<S['Notification']['push_reason']>> = { created: '新预警', level_raised: '等级提升', escalated: '逾期升级' };
export const REPORT_KIND_LABELS: Labels<S['ReportKind']> = { daily: '日报', weekly: '周报' };
export const SCOPE_KIND_LABELS: Readonly<Record<string, string>> = { province: '全省', region: '地区', enterprise: '企业' };
export const SCENE_LABELS: Readonly<Record<string, string>> = {
  control_room: '中控室', tank_farm: '储罐区', warehouse: '仓库', loading_area: '装卸区', process_unit: '生产装置',
  gate: '出入口', fire_pump_room: '消防泵房', other: '其他',
};
