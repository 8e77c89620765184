/**
 * The demo data (`--seed demo`): a few hundred resources in cn-hangzhou and cn-shanghai across the types the
 * demo cleans, with tags worth cleaning: cost-centre leftovers (`CostCenter`, `legacy-owner`), `tmp-*` keys,
 * an `owner` key to protect, resources marked `cleanup:protect=true`, and system tags (`acs:*`, `aliyun*`)
 * that no cleanup may remove. Deterministic: the same list every time.
 */
import type { AdminResource } from '../contracts.ts';
import { prng } from '../prng.ts';
import { idPrefixOf } from './tables.ts';

export const DEMO_REGIONS = ['cn-hangzhou', 'cn-shanghai'] as const;

/** Resources per type and region. */
const COUNTS: Record<string, number> = {
  IPAM: 4,
  IPAMSCOPE: 8,
  IPAMPOOL: 40,
  PeerConnection: 24,
  VPC: 30,
  VSWITCH: 60,
};

const TEAMS = ['network', 'platform', 'data', 'payments'] as const;
const ENVS = ['dev', 'staging', 'prod'] as const;
const TMP_KEYS = ['tmp-build', 'tmp-migration-2023', 'tmp-debug'] as const;

export function demoResources(): AdminResource[] {
  const rand = prng(20240601);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const out: AdminResource[] = [];
  for (const [type, count] of Object.entries(COUNTS)) {
    let n = 0;
    for (const region of DEMO_REGIONS) {
      for (let i = 0; i < count; i++) {
        n++;
        const id = `${idPrefixOf(type)}${String(n).padStart(4, '0')}`;
        const tags: Record<string, string> = { env: pick(ENVS), team: pick(TEAMS) };
        if (rand() < 0.55) tags.owner = `${pick(['alice', 'bob', 'chen', 'dana'])}@example.com`;
        if (rand() < 0.45) tags.CostCenter = `CC-${1000 + Math.floor(rand() * 40)}`;
        if (rand() < 0.3) tags['legacy-owner'] = pick(['ops-team', 'old-infra', 'contractor-x']);
        for (const k of TMP_KEYS) if (rand() < 0.2) tags[k] = pick(['true', '2023-11', 'jenkins-42']);
        // System tags: set by the platform, never removable by a cleanup.
        if (rand() < 0.25) tags['acs:rm:rgId'] = 'rg-acfmxazb4ph6aiy';
        if (rand() < 0.1) tags['aliyun:created-by'] = 'terraform';
        // Every 10th resource is protected by the policy's resourceTag, and carries things to clean.
        if (n % 10 === 3) {
          tags['cleanup:protect'] = 'true';
          tags.CostCenter = 'CC-KEEP';
          tags['tmp-build'] = 'keep-me';
        }
        out.push({ type, region, id, tags });
      }
    }
  }
  return out;
}
