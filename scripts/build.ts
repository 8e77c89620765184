/**
 * `npm run build`: bundle the function into `dist/` (what `s.yaml` deploys). CommonJS: an ESM bundle of
 * these SDKs builds but fails at load (reference/function-compute.md section 10).
 *
 * Cold start is dominated by compiling the bundle (a single 5 MB file takes ~0.4 s to compile before
 * any of it runs), so what a run may not need ships as separate files that `dist/index.js` requires on
 * first use: `engine.js` (the engine and the SDK-backed cloud port), `fc3.js` (the FC 3.0 invoker on
 * `@alicloud/fc20230330`) and `fc2.js` (the `@alicloud/fc2` invoker), for fan-out and continuation, `credentials.js` (the default credential chain, used only outside FC). Each
 * is a dynamic `import()` in the sources, rewritten here to a `require` of the sibling file.
 *
 * `--eager` (or `buildFunction({ eager: true })`) builds `dist-eager/`: one file from an entry that
 * imports every SDK at module scope, the comparison point of the cold-start benchmark. Never deployed.
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions as EsbuildOptions, type Plugin } from 'esbuild';
import { embedPolicies } from './embed-policies.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const FUNCTION_ENTRY = path.join(root, 'functions/tag-cleanup/index.ts');
export const EAGER_ENTRY = path.join(root, 'bench/eager-entry.ts');

/** Dynamic imports that become their own files: specifier -> [output file, entry bundled into it]. */
const LAZY_CHUNKS: Readonly<Record<string, { file: string; entry: string }>> = {
  './engine.ts': { file: 'engine.js', entry: path.join(root, 'lib/engine.ts') },
  './fc3.ts': { file: 'fc3.js', entry: path.join(root, 'lib/invoker/fc3.ts') },
  './fc2.ts': { file: 'fc2.js', entry: path.join(root, 'lib/invoker/fc2.ts') },
  './accounts/fc.ts': { file: 'accounts.js', entry: path.join(root, 'lib/accounts/fc.ts') },
  '@alicloud/credentials': { file: 'credentials.js', entry: '@alicloud/credentials' },
};

/** Rewrites the lazy chunks' dynamic imports to `./<file>` beside the bundle, left for Node to require. */
const lazyChunks: Plugin = {
  name: 'lazy-chunks',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const chunk = LAZY_CHUNKS[args.path];
      if (args.kind !== 'dynamic-import' || !chunk) return undefined;
      return { path: `./${chunk.file}`, external: true };
    });
  },
};

const common: EsbuildOptions = {
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
  // With NODE_OPTIONS=--enable-source-maps a stack trace in the function's log names the sources.
  sourcemap: true,
  // CommonJS output: `import()` of a chunk becomes `require` (esbuild would keep a native import()).
  supported: { 'dynamic-import': false },
};

export interface BuildOptions {
  /** Output directory; default `dist/` (or `dist-eager/` with `eager`). */
  outdir?: string;
  /** Bundle the all-eager comparison entry instead of the function. */
  eager?: boolean;
  /** Embed `policies/*.json` into `s.yaml` and the sample timer event (default: only for the real `dist/`). */
  embed?: boolean;
}

export interface BuildResult {
  bundlePath: string;
  /** Size of every file written, by name (source maps included). */
  bytes: Record<string, number>;
  /** Files the policy embedding rewrote (policies/ had changed). */
  embedded: string[];
}

/** Bundle the function (or the eager variant) and write `package.json` `{"type":"commonjs"}` beside it. */
export async function buildFunction(options: BuildOptions = {}): Promise<BuildResult> {
  const outdir = path.resolve(root, options.outdir ?? (options.eager ? 'dist-eager' : 'dist'));
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const bundlePath = path.join(outdir, 'index.js');
  const files = ['index.js'];
  if (options.eager) {
    await build({ ...common, entryPoints: [EAGER_ENTRY], outfile: bundlePath });
  } else {
    await build({ ...common, entryPoints: [FUNCTION_ENTRY], outfile: bundlePath, plugins: [lazyChunks] });
    for (const chunk of Object.values(LAZY_CHUNKS)) {
      // A chunk may itself lazily load another (the engine's port loads the credential chain).
      await build({
        ...common,
        entryPoints: [chunk.entry],
        outfile: path.join(outdir, chunk.file),
        plugins: [lazyChunks],
      });
      files.push(chunk.file);
    }
  }
  // A root "type":"module" must not turn the CommonJS bundle into an ES module.
  await writeFile(path.join(outdir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  const bytes: Record<string, number> = {};
  for (const f of [...files, ...files.map((f) => `${f}.map`)]) bytes[f] = (await stat(path.join(outdir, f))).size;
  // What s.yaml deploys is the readable policies/ files, one-lined where FC wants a string.
  const embedded =
    (options.embed ?? (!options.eager && options.outdir === undefined)) ? embedPolicies(root).changed : [];
  return { bundlePath, bytes, embedded };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await buildFunction({ eager: process.argv.includes('--eager') });
  const dir = path.relative(root, path.dirname(result.bundlePath));
  for (const [file, size] of Object.entries(result.bytes))
    console.log(`${dir}/${file}: ${(size / 1024).toFixed(0)} KiB`);
  for (const file of result.embedded) console.log(`${file}: embedded policies/ anew`);
}
