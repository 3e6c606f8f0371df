// Loading state for the pages of kit/ (each cleaned up with its component): the last answer
// wins, earlier requests are aborted.
import { onBeforeUnmount, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { errorText } from '../api/client';

export interface Loader<T> {
  data: ShallowRef<T | null>;
  error: Ref<string>;
  loading: Ref<boolean>;
  reload: () => Promise<void>;
}

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
