import type { TickscopeApi } from '../common/api.ts';

declare global {
  interface Window {
    /** Present only inside the Electron app (set by the preload with contextBridge). */
    tickscope?: TickscopeApi;
  }
}
