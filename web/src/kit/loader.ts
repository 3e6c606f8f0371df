// The pages of kit/ load through the same helpers as every other page (web/src/composables.ts):
// the last answer wins, earlier requests are aborted, and everything stops with the component.
export { useInterval, useLoader, type Loader } from '../composables';
