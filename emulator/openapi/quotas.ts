/**
 * Rate quotas per (account, region, product:action): one token bucket each, filled at the published
 * rate (reference/alibaba-openapi.md section 8, own table) times `scale`.
 *
 * Bucket capacity is one second's worth of the rate (at least 1 token): the cloud's window is not
 * published, and a one-second burst lets a well-paced client (the engine's rate limiter) pass while a
 * client that ignores the quota is refused within its first second of overspending.
 */

/** Published quotas, calls per 60 s. Unknown figures take 300 ("most IPAM APIs are 300/60 s"). */
export const PUBLISHED_PER_MINUTE: Readonly<Record<string, number>> = {
  'VpcIpam:UntagResources': 300,
  'VpcIpam:ListTagResources': 300,
  'VpcIpam:ListIpams': 300,
  'VpcIpam:ListIpamPools': 800,
  'VpcIpam:ListIpamScopes': 300, // assumed: no quota page; the product's usual figure
  'VpcIpam:TagResources': 300, // assumed: no quota page; the product's usual figure
  'VpcPeer:UnTagResources': 1000,
  'VpcPeer:TagResources': 1000,
  'VpcPeer:ListTagResources': 3000,
  'VpcPeer:ListVpcPeerConnections': 360,
  'Vpc:UnTagResources': 300, // assumed: no quota page
  'Vpc:ListTagResources': 300, // assumed: no quota page
  'Vpc:TagResources': 300, // published (Vpc TagResources quota page)
};
export const DEFAULT_PER_MINUTE = 300;

export interface QuotaSettings {
  enabled?: boolean;
  scale?: number;
  /** Overrides of the per-minute figure, keyed `Product:Action`. */
  perMinute?: Record<string, number>;
}

export interface QuotaView {
  enabled: boolean;
  scale: number;
  perMinute: Record<string, number>;
}

interface Bucket {
  tokens: number;
  at: number;
  /** quotaWindow=minute: times of the calls let through in the last 60 s, oldest first. */
  times?: number[];
}

export type QuotaWindow = 'smooth' | 'minute';
const WINDOW_MS = 60_000;

export class QuotaBuckets {
  private enabled: boolean;
  private scale: number;
  private overrides: Record<string, number> = {};
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly initial: { enabled: boolean; scale: number; window?: () => QuotaWindow }) {
    this.enabled = initial.enabled;
    this.scale = initial.scale;
  }

  /** Partial update; buckets restart full so a new figure takes effect at once. */
  configure(settings: QuotaSettings): void {
    if (settings.enabled !== undefined) this.enabled = settings.enabled;
    if (settings.scale !== undefined) {
      if (!(settings.scale > 0)) throw new RangeError('scale must be a positive number');
      this.scale = settings.scale;
    }
    if (settings.perMinute) {
      for (const [api, n] of Object.entries(settings.perMinute)) {
        if (!(n > 0)) throw new RangeError(`perMinute.${api} must be a positive number`);
      }
      this.overrides = { ...this.overrides, ...settings.perMinute };
    }
    this.buckets.clear();
  }

  /** Back to the start-up settings, buckets full. */
  reset(): void {
    this.enabled = this.initial.enabled;
    this.scale = this.initial.scale;
    this.overrides = {};
    this.buckets.clear();
  }

  view(): QuotaView {
    return { enabled: this.enabled, scale: this.scale, perMinute: { ...PUBLISHED_PER_MINUTE, ...this.overrides } };
  }

  /** Calls per second allowed for an API, after scaling. */
  ratePerSecond(api: string): number {
    return ((this.overrides[api] ?? PUBLISHED_PER_MINUTE[api] ?? DEFAULT_PER_MINUTE) * this.scale) / 60;
  }

  /** Takes one token; false when the caller is over quota (a refused call takes nothing). */
  take(accountId: string, region: string, api: string, now: number): boolean {
    if (!this.enabled) return true;
    if (this.initial.window?.() === 'minute') return this.takeFromWindow(`${accountId}|${region}|${api}|m`, api, now);
    const rate = this.ratePerSecond(api);
    const capacity = Math.max(1, rate);
    const key = `${accountId}|${region}|${api}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: capacity, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate);
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** quotaWindow=minute: at most N calls in any 60 s (N the per-minute figure after scaling). */
  private takeFromWindow(key: string, api: string, now: number): boolean {
    const limit = Math.max(1, Math.floor(this.ratePerSecond(api) * 60));
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: 0, at: now, times: [] };
      this.buckets.set(key, bucket);
    }
    const times = bucket.times!;
    let drop = 0;
    while (drop < times.length && times[drop]! <= now - WINDOW_MS) drop++;
    if (drop > 0) times.splice(0, drop);
    if (times.length >= limit) return false;
    times.push(now);
    return true;
  }
}
