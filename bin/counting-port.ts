/**
 * A CloudPort that counts the untag calls that succeeded, for the progress line's "batches done".
 * The engine's progress events report pages listed; batches are seen here, at the port, without
 * reaching into the executor.
 */
import { PRODUCTS } from '../lib/catalog.ts';
import type { CloudPort } from '../lib/cloud/port.ts';

export function countingPort(inner: CloudPort, onUntagDone: () => void): CloudPort {
  return {
    async call(product, region, action, params, options) {
      const result = await inner.call(product, region, action, params, options);
      if (action === PRODUCTS[product].untagAction) onUntagDone();
      return result;
    },
  };
}
