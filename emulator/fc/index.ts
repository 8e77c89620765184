/** FC side of the emulator (placeholder until the FC invoke API lands). */
import type { FcService, FcServiceOptions } from '../contracts.ts';

export function createFcService(_options: FcServiceOptions): FcService {
  return {
    handle: async () => false,
    reset: () => {},
    close: async () => {},
  };
}
