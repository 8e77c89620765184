#!/usr/bin/env node
// The installed `vpc-tag-cleanup` command: registers tsx so the TypeScript sources run as they are,
// then hands the arguments to bin/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
