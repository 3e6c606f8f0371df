// Working through the video review queue with the keyboard: J/K (or ↓/↑) move, C confirms,
// R rejects (the reason field first), V plays the clip, B toggles the drawn boxes. Pure
// functions, tested in tests/queue.test.ts.

export type QueueAction = 'next' | 'prev' | 'confirm' | 'reject' | 'clip' | 'boxes' | 'first' | 'last';

export const SHORTCUTS: ReadonlyArray<{ keys: string; action: QueueAction; label: string }> = [
  { keys: 'J / ↓', action: 'next', label: '下一条' },
  { keys: 'K / ↑', action: 'prev', label: '上一条' },
  { keys: 'C', action: 'confirm', label: '确认（生成预警）' },
  { keys: 'R', action: 'reject', label: '驳回（先填写理由，Enter 提交）' },
  { keys: 'V', action: 'clip', label: '播放/暂停视频片段' },
  { keys: 'B', action: 'boxes', label: '显示/隐藏检测框叠加' },
];

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The element the key was typed into. */
  target?: EventTarget | { tagName?: string; isContentEditable?: boolean; type?: string } | null;
}

/** The queue action of a key press, or null: keys typed into a field, or with a modifier, are the field's. */
export function keyAction(e: KeyLike): QueueAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const t = e.target as { tagName?: string; isContentEditable?: boolean; type?: string } | null | undefined;
  const tag = (t?.tagName ?? '').toUpperCase();
  if (t?.isContentEditable || tag === 'TEXTAREA' || tag === 'SELECT') return null;
  if (tag === 'INPUT' && !['checkbox', 'radio', 'button', 'submit'].includes((t?.type ?? 'text').toLowerCase())) return null;
  switch (e.key) {
    case 'j': case 'J': case 'ArrowDown': return 'next';
    case 'k': case 'K': case 'ArrowUp': return 'prev';
    case 'c': case 'C': return 'confirm';
    case 'r': case 'R': return 'reject';
    case 'v': case 'V': return 'clip';
    case 'b': case 'B': return 'boxes';
    case 'Home': return 'first';
    case 'End': return 'last';
    default: return null;
  }
}

/** The index after a move in a list of `length` items (stays at the ends; -1 for an empty list). */
export function moveIndex(current: number, length: number, action: 'next' | 'prev' | 'first' | 'last'): number {
  if (length <= 0) return -1;
  if (action === 'first') return 0;
  if (action === 'last') return length - 1;
  const cur = Math.min(Math.max(current, 0), length - 1);
  return action === 'next' ? Math.min(cur + 1, length - 1) : Math.max(cur - 1, 0);
}

/** After the item at `index` was decided and removed from a list that had `lengthBefore` items:
 * the index of the item to show next (the one that followed it, else the one before; -1 when empty). */
export function indexAfterRemoval(index: number, lengthBefore: number): number {
  const left = lengthBefore - 1;
  if (left <= 0) return -1;
  return Math.min(Math.max(index, 0), left - 1);
}
