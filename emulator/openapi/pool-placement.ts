/**
 * `ipamPoolRegion`: which `RegionId` addresses an IPAM pool. A pool has its own region (`PoolRegionId`,
 * the admin record's `region`) and the region its IPAM is hosted in (`IpamRegionId`, the admin record's
 * `ipamRegion`, by default the same). The store keeps each pool under the region the current mode
 * addresses it by (`pool`: its own, `hosted`: its IPAM's), so every action (ListIpamPools,
 * ListTagResources, UntagResources, TagResources) finds it there and nowhere else; a flip of the switch
 * moves the pools whose two regions differ. Only those pools are remembered here (O(such pools)).
 */
import type { Behaviour } from '../behaviour.ts';
import type { Store } from './store.ts';

const POOL = 'IPAMPOOL';
const at = (region: string, id: string) => `${region}\u0000${id}`;

export class PoolPlacement {
  /** own region + id -> hosted region, and the reverse, for pools whose IPAM is hosted elsewhere. */
  private readonly hostOf = new Map<string, string>();
  private readonly ownOf = new Map<string, string>();
  private layout: 'pool' | 'hosted';

  constructor(
    private readonly store: Store,
    private readonly behaviour: Behaviour,
  ) {
    this.layout = behaviour.get('ipamPoolRegion');
  }

  /** Re-key the pools placed elsewhere when the switch moved since the last call. */
  sync(): void {
    const want = this.behaviour.get('ipamPoolRegion');
    if (want === this.layout) return;
    for (const [key, host] of this.hostOf) {
      const [own, id] = key.split('\u0000') as [string, string];
      const [from, to] = want === 'hosted' ? [own, host] : [host, own];
      const tags = this.store.table(POOL, from)?.tags.get(id);
      if (tags === undefined) continue;
      this.store.remove(POOL, from, id);
      this.store.put(POOL, to, id, tags);
    }
    this.layout = want;
  }

  /** The region a pool of `own` region (hosted in `host`) is stored under now. */
  private stored(own: string, id: string): string {
    return this.layout === 'hosted' ? (this.hostOf.get(at(own, id)) ?? own) : own;
  }

  /** Where to store an upserted resource; a pool that moved hosts leaves its old place. */
  placeForUpsert(r: { type: string; region: string; id: string; ipamRegion?: string }): string {
    if (r.type !== POOL) return r.region;
    const old = this.stored(r.region, r.id);
    this.forget(r.region, r.id);
    if (r.ipamRegion !== undefined && r.ipamRegion !== r.region) {
      this.hostOf.set(at(r.region, r.id), r.ipamRegion);
      this.ownOf.set(at(r.ipamRegion, r.id), r.region);
    }
    const now = this.stored(r.region, r.id);
    if (old !== now) this.store.remove(POOL, old, r.id);
    return now;
  }

  /** The region a resource named by its own region is stored under (admin delete). */
  storedRegion(ref: { type: string; region: string; id: string }): string {
    return ref.type === POOL ? this.stored(ref.region, ref.id) : ref.region;
  }

  forget(own: string, id: string): void {
    const host = this.hostOf.get(at(own, id));
    if (host === undefined) return;
    this.hostOf.delete(at(own, id));
    this.ownOf.delete(at(host, id));
  }

  /** A pool stored under `region`: its own region and its IPAM's hosted region. */
  regionsOf(region: string, id: string): { own: string; host: string } {
    if (this.layout === 'hosted') return { own: this.ownOf.get(at(region, id)) ?? region, host: region };
    return { own: region, host: this.hostOf.get(at(region, id)) ?? region };
  }

  clear(): void {
    this.hostOf.clear();
    this.ownOf.clear();
    this.layout = this.behaviour.get('ipamPoolRegion');
  }
}
