/**
 * The cold-start benchmark's comparison point: the function with every SDK imported at module scope,
 * as a naive bundle would do it. Never deployed.
 */
import * as Fc2 from '@alicloud/fc2';
import * as OpenApi from '@alicloud/openapi-core';
import * as Vpc from '@alicloud/vpc20160428';

/** Referenced so the bundler initialises all three at load. */
export const eagerModules = [Vpc, OpenApi, Fc2];
export { handler } from '../functions/tag-cleanup/index.ts';
