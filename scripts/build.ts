/**
 * `npm run build`: bundle the function into `dist/` (what `s.yaml` deploys). A CommonJS bundle: an ESM
 * bundle of these SDKs builds but fails at load (reference/function-compute.md section 10). Modules a run
 * may not need (`@alicloud/fc2`, the Vpc typed client) stay behind dynamic `import()`, which esbuild keeps
 * uninitialised until first use, so they cost nothing at cold start.
 *
 * `--eager` (or `buildFunction({ eager: true })`) builds `dist-eager/` from an entry that imports every
 * SDK at module scope: the comparison point of the cold-start benchmark, never deployed.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const FUNCTION_ENTRY = path.join(root, 'functions/tag-cleanup/index.ts');
export const EAGER_ENTRY = path.join(root, 'bench/eager-entry.ts');

export interface BuildOptions {
  /** Output directory; default `dist/` (or `dist-eager/` with `eager`). */
  outdir?: string;
  /** Bundle the all-eager comparison entry instead of the function. */
  eager?: boolean;
}

export interface BuildResult {
  bundlePath: string;
  bytes: number;
}

/** Bundle the function (or the eager variant) and write `package.json` `{"type":"commonjs"}` beside it. */
export async function buildFunction(options: BuildOptions = {}): Promise<BuildResult> {
  const outdir = path.resolve(root, options.outdir ?? (options.eager ? 'dist-eager' : 'dist'));
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const bundlePath = path.join(outdir, 'index.js');
  await build({
    entryPoints: [options.eager ? EAGER_ENTRY : FUNCTION_ENTRY],
    outfile: bundlePath,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // urllib (fc2 -> ali-oss) has an optional require('proxy-agent') that is not installed.
    external: ['proxy-agent'],
    minify: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  // A root "type":"module" must not turn the CommonJS bundle into an ES module.
  await writeFile(path.join(outdir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  return { bundlePath, bytes: (await stat(bundlePath)).size };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const eager = process.argv.includes('--eager');
  const result = await buildFunction({ eager });
  console.log(`${path.relative(root, result.bundlePath)}: ${(result.bytes / 1024).toFixed(0)} KiB`);
}
