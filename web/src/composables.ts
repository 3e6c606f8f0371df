// Small pieces every page uses, each cleaning up after itself when its component goes away
// (the big screen stays open for days).
import { onBeforeUnmount, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { errorText } from './api/client';
import type { LiveEvent } from './api/stream';
import { live } from './session';

export interface Loader<T> {
  data: ShallowRef<T | null>;
  error: Ref<string>;
  loading: Ref<boolean>;
  reload: () => Promise<void>;
}

/** Runs `fn` now (unless lazy) and on reload(); the last answer wins, earlier ones are aborted. */
export function useLoader<T>(fn: (signal: AbortSignal) => Promise<T>, opts: { lazy?: boolean } = {}): Loader<T> {
  const data = shallowRef<T | null>(null);
  const error = ref('');
  const loading = ref(false);
  let ctrl: AbortController | null = null;
  let disposed = false;
  async function reload() {
    ctrl?.abort();
    const mine = new AbortController();
    ctrl = mine;
    loading.value = true;
    try {
      const v = await fn(mine.signal);
      if (ctrl !== mine || disposed) return;
      data.value = v;
      error.value = '';
    } catch (e) {
      if ((e as Error).name === 'AbortError' || ctrl !== mine || disposed) return;
      error.value = errorText(e);
    } finally {
      if (ctrl === mine) loading.value = false;
    }
  }
  onBeforeUnmount(() => {
    disposed = true;
    ctrl?.abort();
  });
  if (!opts.lazy) void reload();
  return { data, error, loading, reload };
}

/** setInterval that stops with the component. */
export function useInterval(fn: () => void, ms: number): void {
  const id = setInterval(fn, ms);
  onBeforeUnmount(() => clearInterval(id));
}

/** A live-stream handler for as long as the component lives. */
export function useLive(fn: (e: LiveEvent) => void): void {
  const off = live.subscribe(fn);
  onBeforeUnmount(off);
}

/** Calls fn at most once per `ms`, trailing (several live events → one reload). */
export function useDebounced(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  onBeforeUnmount(() => {
    if (timer) clearTimeout(timer);
  });
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  };
}
