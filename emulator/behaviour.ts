/**
 * Behaviour modes: one named switch per point where the documentation leaves the cloud's behaviour open
 * (/work/shared/reference/open-points.md). Each value is a plausible reading; the default is the guess the
 * emulator made before the switch existed. Handlers read the current value on every call, so a test may
 * flip a switch between two calls (`PUT /__admin/behaviour`). emulator/README.md cites the doc passage
 * that leaves each one open.
 */

export const BEHAVIOURS = {
  listTagsByKey: {
    values: ['full', 'matching'],
    default: 'full',
    doc: 'ListTagResources filtered by Tag.N.Key: `full` answers every tag of each matching resource, `matching` only the rows of the filtered keys.',
  },
  untagAbsentKey: {
    values: ['noop', 'error'],
    default: 'noop',
    doc: 'Untag naming a key a resource does not carry: `noop` ignores it, `error` fails the whole call (HTTP 400, nothing applied).',
  },
  vanishedInBatch: {
    values: ['reject', 'partial'],
    default: 'reject',
    doc: 'Untag with one id that no longer exists: `reject` applies nothing and answers not-found, `partial` changes the ids that exist, then answers not-found.',
  },
  peerListFilters: {
    values: ['honoured', 'ignored'],
    default: 'honoured',
    doc: 'VpcPeer ListTagResources `ResourceId.N` / `Tag.N` (marked Deprecated in the SDK metadata): `honoured` filters, `ignored` answers every peer tag row of the region.',
  },
  fcInvokeSignature: {
    values: ['fc', 'acs3', 'either'],
    default: 'fc',
    doc: 'FC 3.0 InvokeFunction on /2023-03-30: which signature the gateway accepts: the FC scheme (fc2 SDK), ACS3 (fc20230330 SDK) or either.',
  },
  describeDeepPaging: {
    values: ['ok', 'throttle'],
    default: 'ok',
    doc: 'Vpc DescribeVpcs / DescribeVSwitches: `ok` serves any PageNumber, `throttle` answers Throttling.DeepPageSkip when PageNumber jumps ahead of the pages a caller has read.',
  },
  ipamPoolRegion: {
    values: ['pool', 'hosted'],
    default: 'pool',
    doc: "IPAM pools: `pool` lists and untags a pool under its own region, `hosted` under the region its IPAM is hosted in (the pool's own region is PoolRegionId).",
  },
  quotaWindow: {
    values: ['smooth', 'minute'],
    default: 'smooth',
    doc: 'How a published "N per 60 s" quota is enforced: `smooth` refills N/60 per second with a one-second burst, `minute` allows up to N calls in any 60 s window.',
  },
} as const satisfies Record<string, { values: readonly string[]; default: string; doc: string }>;

export type BehaviourName = keyof typeof BEHAVIOURS;
export type BehaviourValues = { -readonly [K in BehaviourName]: (typeof BEHAVIOURS)[K]['values'][number] };
export type BehaviourSettings = Partial<BehaviourValues>;

export const BEHAVIOUR_NAMES = Object.keys(BEHAVIOURS) as BehaviourName[];

/** A bad switch name or value; the message names it and what is allowed. */
export class BehaviourError extends Error {
  override readonly name = 'BehaviourError';
}

export function defaultBehaviour(): BehaviourValues {
  const out = {} as Record<string, string>;
  for (const name of BEHAVIOUR_NAMES) out[name] = BEHAVIOURS[name].default;
  return out as BehaviourValues;
}

/** Check a `{name: value}` object (admin body, `startEmulator` option): every name known, every value allowed. */
export function validateBehaviour(value: unknown): BehaviourSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BehaviourError('behaviour must be an object of name: value');
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!Object.hasOwn(BEHAVIOURS, name))
      throw new BehaviourError(`unknown behaviour ${JSON.stringify(name)}; known: ${BEHAVIOUR_NAMES.join(', ')}`);
    const allowed = BEHAVIOURS[name as BehaviourName].values as readonly string[];
    if (typeof v !== 'string' || !allowed.includes(v))
      throw new BehaviourError(`behaviour ${name} must be one of ${allowed.join(' | ')}, got ${JSON.stringify(v)}`);
    out[name] = v;
  }
  return out as BehaviourSettings;
}

/** `name=value[,name=value]` (the CLI's `--behaviour`); a name given twice is an error. */
export function parseBehaviourList(text: string): BehaviourSettings {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new BehaviourError(`behaviour ${JSON.stringify(item)} must be name=value`);
    const name = item.slice(0, eq).trim();
    if (Object.hasOwn(out, name)) throw new BehaviourError(`behaviour ${name} given twice`);
    out[name] = item.slice(eq + 1).trim();
  }
  return validateBehaviour(out);
}

/** The current switches: one object shared by every handler, read on each call. */
export class Behaviour {
  private current: BehaviourValues;
  private readonly initial: BehaviourValues;

  constructor(settings: BehaviourSettings = {}) {
    this.initial = { ...defaultBehaviour(), ...validateBehaviour(settings) };
    this.current = { ...this.initial };
  }

  get<K extends BehaviourName>(name: K): BehaviourValues[K] {
    return this.current[name];
  }

  /** Partial merge, validated whole before anything changes. */
  set(settings: unknown): BehaviourValues {
    const valid = validateBehaviour(settings);
    this.current = { ...this.current, ...valid };
    return this.view();
  }

  /** Back to the values given at start. */
  reset(): void {
    this.current = { ...this.initial };
  }

  view(): BehaviourValues {
    return { ...this.current };
  }
}
