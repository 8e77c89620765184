/**
 * One error model: every code the engine can answer with is in `RunErrorCode`, and every error it
 * throws reaches the report with that code unchanged (not `INTERNAL`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MissingCredentialsError } from '../../bin/credentials.ts';
import { describeError } from '../../bin/describe-error.ts';
import { BadPolicyError, CliErrorCode, RefusedInputError, UsageError } from '../../bin/errors.ts';
import { AccountAccessError } from '../../lib/accounts/sdk-failure.ts';
import { withTuning } from '../../lib/catalog.ts';
import { discoverUnit } from '../../lib/discover/index.ts';
import {
  CloudCallError,
  CredentialsMissingError,
  DeadlineError,
  InvokerConfigError,
  isEngineError,
  LimitExceededError,
  PolicyValidationError,
  RunErrorCode,
  RunStoppedError,
  SelfInvokeError,
  UnlistableUnitError,
  VpcTagCleanupError,
} from '../../lib/errors.ts';
import { withRetry } from '../../lib/execute/retry.ts';
import type { Policy } from '../../lib/policy/schema.ts';
import { reportErrorOf, runErrorOf } from '../../lib/report.ts';
import { StoreError, StoreLocationError } from '../../lib/store/errors.ts';

const CODES = new Set<string>(Object.values(RunErrorCode));
const CLI_CODES = new Set<string>([...CODES, ...Object.values(CliErrorCode)]);
const libDir = fileURLToPath(new URL('../../lib/', import.meta.url));
const binDir = fileURLToPath(new URL('../../bin/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : [],
  );
}

describe('RunErrorCode', () => {
  it('holds every run-level code written in lib/ (as a literal or through the table)', () => {
    const found = new Set<string>();
    for (const file of sources(libDir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:code: |super\(|code = )'([A-Z][A-Z_]+)'/g)) found.add(m[1] as string);
    }
    found.delete('ECONNRESET'); // a network code the port classifies, not one of the run's
    expect([...found].filter((c) => !CODES.has(c))).toEqual([]);
  });

  it('with CliErrorCode, holds every code written in bin/', () => {
    const found = new Set<string>();
    for (const file of sources(binDir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:code: |super\(|code = )'([A-Z][A-Z_]+)'/g)) found.add(m[1] as string);
    }
    expect([...found].filter((c) => !CLI_CODES.has(c))).toEqual([]);
  });
});

describe('one base', () => {
  it('no error class in lib/ or bin/ extends a built-in error but VpcTagCleanupError itself', () => {
    const direct: string[] = [];
    for (const file of [...sources(libDir), ...sources(binDir)]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/class (\w+) extends (Error|TypeError|RangeError)\b/g))
        if (m[1] !== 'VpcTagCleanupError') direct.push(`${path.relative(libDir, file)}: ${m[1]}`);
    }
    expect(direct).toEqual([]);
  });

  it('the CLI’s errors are engine errors, told apart by the one guard, and keep their code and exit code', () => {
    const cli = [
      new UsageError('x: --policy is required'),
      new BadPolicyError('p.json: invalid policy (regions)', [{ path: 'regions', message: 'needs a region' }]),
      new RefusedInputError('INVALID_EVENT', 'the function refused the input'),
      new MissingCredentialsError('no credentials'),
    ];
    for (const e of cli) {
      expect(isEngineError(e)).toBe(true);
      expect(e).toBeInstanceOf(VpcTagCleanupError);
      expect(CLI_CODES.has(e.code)).toBe(true);
      expect(describeError(e)).toMatchObject({ code: e.code, exitCode: 2 });
    }
    expect(cli.map((e) => e.code)).toEqual(['USAGE', 'INVALID_POLICY', 'INVALID_EVENT', 'NO_CREDENTIALS']);
    expect(isEngineError(new DeadlineError(), UsageError)).toBe(false);
  });
});

describe('the report keeps the engine’s codes', () => {
  const thrown = [
    new PolicyValidationError([{ path: 'regions', message: 'needs a region' }]),
    new LimitExceededError(12, 10),
    new DeadlineError(),
    new UnlistableUnitError('ROUTETABLE cannot be listed'),
    new CredentialsMissingError(),
    new SelfInvokeError([{ taskId: 't', status: 'failed', code: 'HTTP503' }]),
    new InvokerConfigError('VPC_TAG_CLEANUP_FC_API', 'not an FC API version'),
    new RunStoppedError({ code: RunErrorCode.AuthFailed, message: 'refused', cause: 'InvalidAccessKeyId' }),
    new StoreError('oss://b/p', 'write', Object.assign(new Error('no space'), { code: 'ENOSPC' })),
    new StoreLocationError('ftp://x is not a store'),
  ];

  it.each(thrown.map((e) => [e.name, e] as const))('%s keeps its code in errors[] and in error', (_name, e) => {
    expect(CODES.has(e.code)).toBe(true);
    expect(reportErrorOf(e).code).toBe(e.code);
    expect(runErrorOf(e).code).toBe(e.code);
    // A copy of the class from another module instance (the bundle vs the sources) is known by its name.
    const foreign = Object.assign(new Error(e.message), { name: e.name, code: e.code });
    expect(reportErrorOf(foreign).code).toBe(e.code);
  });

  it('keeps the cloud’s own code (and request id) of a refused call or a refused member account', () => {
    const call = new CloudCallError({
      code: 'Forbidden.RAM',
      message: 'denied',
      product: 'VpcIpam',
      action: 'ListIpamPools',
      region: 'cn-hangzhou',
      retryable: false,
      requestId: 'req-1',
    });
    expect(reportErrorOf(call)).toMatchObject({ code: 'Forbidden.RAM', region: 'cn-hangzhou', requestId: 'req-1' });
    const member = new AccountAccessError('1234567890123456', {
      code: 'NoPermission',
      message: 'not allowed to assume',
      requestId: 'req-2',
    });
    expect(reportErrorOf(member)).toMatchObject({ code: 'NoPermission', requestId: 'req-2' });
  });

  it('gives what is not an engine error INTERNAL', () => {
    expect(reportErrorOf(new TypeError('x is undefined')).code).toBe(RunErrorCode.Internal);
  });

  it('reports a unit discovery cannot list as UNLISTABLE, as discovery throws it', async () => {
    // Unvalidated on purpose: the policy check refuses this policy, discovery is the second line.
    const policy = {
      name: 'p',
      regions: ['cn-hangzhou'],
      resourceTypes: ['ROUTETABLE'],
      remove: { keyPatterns: ['^tmp'] },
      dryRun: false,
    } as unknown as Policy;
    const ctx = { limits: withTuning() } as never;
    const pages = discoverUnit(ctx, policy, { region: 'cn-hangzhou', type: 'ROUTETABLE' }, { mutating: false });
    const error = await pages.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(reportErrorOf(error).code).toBe(RunErrorCode.Unlistable);
  });

  it('reports a call the deadline kept from being sent as DEADLINE, as the retry loop throws it', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await withRetry(async () => 'sent', {
      limits: { maxRetries: 1, retryBaseMs: 1, retryMaxMs: 1 },
      signal: controller.signal,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(reportErrorOf(error).code).toBe(RunErrorCode.Deadline);
  });
});
