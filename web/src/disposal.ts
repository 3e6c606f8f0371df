// The disposal actions a role may take on a warning event (the server lists them in
// allowed_actions) and the fields each needs, checked before sending (the server checks again).
import type { FeedbackCause, WarningTransition } from './api/types';
import { CAUSE_LABELS } from './format';

export type TransitionAction = WarningTransition['action'];

export interface ActionSpec {
  label: string;
  cause: boolean;
  measures: boolean;
  textRequired: boolean;
  textLabel: string;
  danger?: boolean;
}

export const ACTION_SPECS: Readonly<Record<TransitionAction, ActionSpec>> = {
  confirm: { label: '审核确认并推送', cause: false, measures: false, textRequired: false, textLabel: '审核意见' },
  dismiss: { label: '撤销（误报）', cause: false, measures: false, textRequired: true, textLabel: '撤销理由', danger: true },
  feedback: { label: '企业反馈', cause: true, measures: true, textRequired: false, textLabel: '补充说明' },
  reject: { label: '退回重新处置', cause: false, measures: false, textRequired: true, textLabel: '退回理由', danger: true },
  check: { label: '核查通过', cause: false, measures: false, textRequired: false, textLabel: '核查意见' },
  close: { label: '关闭', cause: false, measures: false, textRequired: false, textLabel: '关闭说明' },
  supervise: { label: '督办', cause: false, measures: false, textRequired: true, textLabel: '督办意见' },
};

export function isTransitionAction(a: string): a is TransitionAction {
  return Object.prototype.hasOwnProperty.call(ACTION_SPECS, a);
}

export interface ActionForm {
  cause: string;
  measures: string;
  text: string;
}

/** The request body for the action, or a Chinese message naming what is missing. */
export function buildTransition(action: TransitionAction, f: ActionForm): { body: WarningTransition } | { error: string } {
  const spec = ACTION_SPECS[action];
  const body: WarningTransition = { action };
  if (spec.cause) {
    if (!f.cause || !(f.cause in CAUSE_LABELS)) return { error: '请选择原因' };
    body.cause = f.cause as NonNullable<FeedbackCause>;
  }
  if (spec.measures) {
    if (!f.measures.trim()) return { error: '请填写处置措施' };
    body.measures = f.measures.trim();
  }
  const text = f.text.trim();
  if (spec.textRequired && !text) return { error: '请填写' + spec.textLabel };
  if (text) body.text = text;
  if ((body.text?.length ?? 0) > 2000 || (body.measures?.length ?? 0) > 2000) return { error: '内容不能超过 2000 字' };
  return { body };
}
