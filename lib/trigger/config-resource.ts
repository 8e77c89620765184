/**
 * Which resource a Cloud Config non-compliance notification is about (reference/function-compute.md
 * section 5): `resourceId`, `resourceType`, `regionId` from the evaluation result qualifier, with the
 * resource ARN, the envelope's `subject` and `aliyunregionid` as fallbacks. Config names types
 * `ACS::<Product>::<Type>`; they map to the catalog through `configTypes`, else through the ARN's
 * `<kind>/<id>`, else through the id prefix.
 */
import { RESOURCE_TYPE_NAMES, RESOURCE_TYPES, type ResourceType } from '../catalog.ts';
import type { ResourceRef } from '../types.ts';

/** ARN kinds whose spelling differs from the catalog's type name (after lower-casing, dropping `-`/`_`). */
const ARN_KIND_ALIASES: Readonly<Record<string, ResourceType>> = {
  eipaddress: 'EIP',
  vpcpeerconnection: 'PeerConnection',
  peerconnection: 'PeerConnection',
  vpcpeer: 'PeerConnection',
  bandwidthpackage: 'COMMONBANDWIDTHPACKAGE',
  networkacl: 'NETWORKACL',
};

const normalise = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Map a Config type name (`ACS::VPC::VSwitch`) to the catalog, ignoring case. */
export function typeFromConfigName(name: string): ResourceType | undefined {
  const wanted = name.toLowerCase();
  return RESOURCE_TYPE_NAMES.find((t) =>
    (RESOURCE_TYPES[t].configTypes as readonly string[]).some((c) => c.toLowerCase() === wanted),
  );
}

/** Map an ARN kind (`vswitch`, `ipampool`) to the catalog. */
export function typeFromArnKind(kind: string): ResourceType | undefined {
  const k = normalise(kind);
  return ARN_KIND_ALIASES[k] ?? RESOURCE_TYPE_NAMES.find((t) => normalise(t) === k);
}

/** Map an id to the catalog by its prefix; the longest prefix wins (`ipam-pool-` before `ipam-`). */
export function typeFromIdPrefix(id: string): ResourceType | undefined {
  let best: ResourceType | undefined;
  let bestLength = 0;
  for (const t of RESOURCE_TYPE_NAMES) {
    const prefix = RESOURCE_TYPES[t].idPrefix;
    if (id.startsWith(prefix) && prefix.length > bestLength) {
      best = t;
      bestLength = prefix.length;
    }
  }
  return best;
}

export interface ParsedArn {
  product: string;
  region: string;
  account: string;
  kind: string;
  id: string;
}

/** `acs:vpc:cn-hangzhou:1413…:vpc/vpc-bp1…` -> its parts; undefined when it is not that shape. */
export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 5 || parts[0] !== 'acs') return undefined;
  const resource = parts.slice(4).join(':');
  const slash = resource.indexOf('/');
  if (slash <= 0 || slash === resource.length - 1) return undefined;
  return {
    product: parts[1] ?? '',
    region: parts[2] ?? '',
    account: parts[3] ?? '',
    kind: resource.slice(0, slash),
    id: resource.slice(resource.lastIndexOf('/') + 1),
  };
}

/** A string, or a number written as a string; anything else is absent. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Descend `path` through objects, parsing a JSON string met on the way (producers disagree on whether
 * nested parts such as `annotation` are objects or JSON text).
 */
export function dig(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    current = asObject(current)?.[key];
    if (current === undefined) return undefined;
  }
  return current;
}

/** An object, or a JSON string holding one. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === 'string' && value.trimStart().startsWith('{')) {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export type ResourceResolution =
  | { ok: true; ref: ResourceRef }
  | { ok: false; missing: string[]; unknownType?: string };

/**
 * Resolve the resource from a notification's `data` and its envelope (which may be absent: RawData).
 * `missing` lists what could not be found; `unknownType` names a type this function does not clean.
 */
export function resolveConfigResource(
  data: Record<string, unknown>,
  envelope: Record<string, unknown> | undefined,
): ResourceResolution {
  const qualifier =
    asObject(dig(data, 'evaluationResultIdentifier', 'evaluationResultQualifier')) ??
    asObject(data.evaluationResultQualifier) ??
    {};
  const arnText = text(qualifier.resourceArn) ?? text(data.resourceArn);
  const arn =
    (arnText ? parseArn(arnText) : undefined) ??
    (envelope && text(envelope.subject) ? parseArn(text(envelope.subject)!) : undefined);

  const id = text(qualifier.resourceId) ?? text(data.resourceId) ?? arn?.id;
  const region =
    text(qualifier.regionId) ??
    text(data.regionId) ??
    (arn?.region || undefined) ??
    (envelope ? text(envelope.aliyunregionid) : undefined);
  const configType = text(qualifier.resourceType) ?? text(data.resourceType);
  const type =
    (configType ? typeFromConfigName(configType) : undefined) ??
    (arn ? typeFromArnKind(arn.kind) : undefined) ??
    (id ? typeFromIdPrefix(id) : undefined);

  const missing: string[] = [];
  if (!id) missing.push('resourceId');
  if (!region) missing.push('regionId');
  if (!id || !region) return { ok: false, missing };
  if (!type) return { ok: false, missing: [], unknownType: configType ?? arn?.kind ?? id };
  return { ok: true, ref: { region, type, id } };
}
