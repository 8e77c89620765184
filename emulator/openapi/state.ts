/**
 * The emulated cloud: resources and tags in a Store, and the product actions over them. No HTTP, no
 * signing, no quotas: the gateway (emulator/server.ts) verifies the call and hands it to `dispatch`.
 */

import { Behaviour } from '../behaviour.ts';
import type { AdminResource, ApiAnswer, ApiCall, CloudState, GenerateSpec, ProductName } from '../contracts.ts';
import type { ActionTable } from './actions.ts';
import { CloudError, COMMON } from './cloud-errors.ts';
import { checkGenerateSpec, generate, type Sequences } from './generate.ts';
import { PoolPlacement } from './pool-placement.ts';
import { Store } from './store.ts';
import { API_VERSIONS, DEFAULT_REGION } from './tables.ts';
import { vpcActions } from './vpc.ts';
import { vpcIpamActions } from './vpcipam.ts';
import { vpcPeerActions } from './vpcpeer.ts';

export interface LocalCloudState extends CloudState {
  /** The underlying store (tests and benchmarks read it directly). */
  readonly store: Store;
}

export function createCloudState(options: { behaviour?: Behaviour } = {}): LocalCloudState {
  // Handlers read the switches on each call; a state made alone runs on the defaults.
  const behaviour = options.behaviour ?? new Behaviour();
  const store = new Store();
  const seq: Sequences = new Map();
  const pools = new PoolPlacement(store, behaviour);
  const products: Record<ProductName, ActionTable> = {
    VpcIpam: vpcIpamActions(store, behaviour, pools),
    VpcPeer: vpcPeerActions(store, behaviour),
    Vpc: vpcActions(store, behaviour),
  };

  const actionOf = (product: ProductName, action: string) =>
    Object.hasOwn(products[product] ?? {}, action) ? products[product][action] : undefined;

  const upsert = (resources: AdminResource[]): number => {
    pools.sync();
    store.putMany(
      resources.map((r) => ({
        type: r.type,
        region: pools.placeForUpsert(r),
        id: r.id,
        tags: store.pack(r.tags ?? {}),
      })),
    );
    return resources.length;
  };

  return {
    store,
    dispatch(call: ApiCall): ApiAnswer {
      pools.sync();
      const entry = call.version === API_VERSIONS[call.product] ? actionOf(call.product, call.action) : undefined;
      if (!entry) {
        const [Code, status] = COMMON.unknownAction;
        return {
          status,
          body: { Code, Message: `Specified api ${call.action} (version ${call.version}) is not found.` },
        };
      }
      try {
        return { status: 200, body: entry.handler(call.params) };
      } catch (err) {
        if (err instanceof CloudError) return { status: err.status, body: { Code: err.code, Message: err.message } };
        throw err;
      }
    },
    isWrite(product: ProductName, action: string): boolean {
      return actionOf(product, action)?.write ?? false;
    },
    regionOf(call: ApiCall): string {
      return call.params.RegionId || DEFAULT_REGION;
    },
    upsert,
    remove(ref): boolean {
      pools.sync();
      const removed = store.remove(ref.type, pools.storedRegion(ref), ref.id);
      if (ref.type === 'IPAMPOOL') pools.forget(ref.region, ref.id);
      return removed;
    },
    list(filter): AdminResource[] {
      pools.sync();
      const out: AdminResource[] = [];
      for (const { type, region, table } of store.entries()) {
        if (filter.type !== undefined && filter.type !== type) continue;
        for (const id of table.ids) {
          // A pool is named by its own region (and its IPAM's, when that differs), whatever stores it.
          const { own, host } = type === 'IPAMPOOL' ? pools.regionsOf(region, id) : { own: region, host: region };
          if (filter.region !== undefined && filter.region !== own) continue;
          const tags = store.record(table.tags.get(id)!);
          out.push(host === own ? { type, region: own, id, tags } : { type, region: own, id, tags, ipamRegion: host });
        }
      }
      return out;
    },
    generate(spec: GenerateSpec): number {
      const before = store.count();
      generate(store, checkGenerateSpec(spec), seq);
      store.recount();
      return store.count() - before;
    },
    count: () => store.count(),
    reset(): void {
      store.clear();
      seq.clear();
      pools.clear();
    },
  };
}
