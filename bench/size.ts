/**
 * `npm run size`: builds every function the way CDK bundles it (the options
 * in infra/constructs/bundling.ts) next to a minimal reference handler
 * (bench/reference-handler.ts: client-sns + lib-dynamodb only), and prints
 * each bundle's minified size and the median time to import it (its module
 * init, as a cold start runs it) over fresh Node processes, with both as
 * ratios to the reference measured in the same run. Processes are
 * interleaved (reference, each function, reference, …) so machine noise
 * falls on all alike.
 *
 * Options: --runs N (default 11, at least 9), --json FILE, --metafile DIR
 * (writes each build's esbuild metafile and prints the largest inputs of any
 * function over the goals).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { ESBUILD_OPTIONS } from '../infra/constructs/bundling';
import { PROJECT_ROOT } from '../infra/constructs/reminder-function';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '11' },
    json: { type: 'string' },
    metafile: { type: 'string' },
  },
});
const RUNS = Math.max(9, Number(args.runs));
/** The goals: every function at most this many times the reference. */
const GOALS = { size: 1.5, init: 1.3 };

interface Built {
  name: string;
  file: string;
  bytes: number;
  metafile: Metafile;
}

async function bundle(name: string, entry: string, outdir: string): Promise<Built> {
  const file = join(outdir, name, 'index.mjs');
  const result = await build({
    ...ESBUILD_OPTIONS,
    entryPoints: [entry],
    outfile: file,
    absWorkingDir: PROJECT_ROOT,
    metafile: true,
    logLevel: 'error',
  });
  return { name, file, bytes: statSync(file).size, metafile: result.metafile };
}

/** Milliseconds to import the bundle in a fresh Node process with an empty environment. */
function initMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    encoding: 'utf8',
  });
  return Number(output.trim().split('\n').at(-1));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Bytes in the output by package (or by source folder for the project's own code). */
function breakdown(metafile: Metafile): [string, number][] {
  const output = Object.values(metafile.outputs).find((out) => out.entryPoint);
  const by = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const at = path.lastIndexOf('node_modules/');
    const parts = at >= 0 ? path.slice(at + 13).split('/') : path.split('/');
    const key =
      at >= 0
        ? parts[0]?.startsWith('@')
          ? `${parts[0]}/${parts[1]}`
          : (parts[0] ?? path)
        : parts.slice(0, 2).join('/');
    by.set(key, (by.get(key) ?? 0) + bytesInOutput);
  }
  return [...by.entries()].sort((a, b) => b[1] - a[1]);
}

const kib = (bytes: number) => (bytes / 1024).toFixed(0);

async function main() {
  const outdir = mkdtempSync(join(tmpdir(), 'clinic-size-'));
  const functions = readdirSync(join(PROJECT_ROOT, 'functions')).sort();
  const reference = await bundle('reference', 'bench/reference-handler.ts', outdir);
  const built = [];
  for (const name of functions) built.push(await bundle(name, `functions/${name}/handler.ts`, outdir));

  const times = new Map<string, number[]>([
    [reference.name, []],
    ...built.map((b) => [b.name, []] as [string, number[]]),
  ]);
  for (let run = 0; run < RUNS; run++) {
    for (const item of [reference, ...built]) times.get(item.name)?.push(initMs(item.file));
  }
  const referenceInit = median(times.get(reference.name) ?? []);
  const rows = built.map((item) => {
    const init = median(times.get(item.name) ?? []);
    return {
      name: item.name,
      kib: item.bytes / 1024,
      sizeRatio: item.bytes / reference.bytes,
      initMs: init,
      initRatio: init / referenceInit,
    };
  });

  console.log(
    `\nclinic-reminders bundle size and module init (${RUNS} fresh Node processes each, Node ${process.version})`,
  );
  console.log(
    `reference (client-sns + lib-dynamodb): ${kib(reference.bytes)} KiB, init median ${referenceInit.toFixed(1)} ms\n`,
  );
  console.log(
    `${'function'.padEnd(16)}${'KiB'.padStart(7)}${'× ref'.padStart(8)}${'init ms'.padStart(10)}${'× ref'.padStart(8)}  goals ≤ ${GOALS.size}× / ≤ ${GOALS.init}×`,
  );
  for (const row of rows) {
    const ok = row.sizeRatio <= GOALS.size && row.initRatio <= GOALS.init ? 'met' : 'NOT MET';
    console.log(
      `${row.name.padEnd(16)}${row.kib.toFixed(0).padStart(7)}${row.sizeRatio.toFixed(2).padStart(8)}${row.initMs.toFixed(1).padStart(10)}${row.initRatio.toFixed(2).padStart(8)}  ${ok}`,
    );
  }
  if (args.metafile) {
    mkdirSync(args.metafile, { recursive: true });
    for (const item of [reference, ...built]) {
      writeFileSync(join(args.metafile, `${item.name}.json`), JSON.stringify(item.metafile));
    }
    for (const row of rows.filter((r) => r.sizeRatio > GOALS.size || r.initRatio > GOALS.init)) {
      const item = built.find((b) => b.name === row.name) as Built;
      console.log(`\n${row.name}: largest parts of the bundle (KiB)`);
      for (const [part, bytes] of breakdown(item.metafile).slice(0, 12))
        console.log(`  ${kib(bytes).padStart(6)}  ${part}`);
    }
  }
  if (args.json) {
    writeFileSync(
      args.json,
      `${JSON.stringify({ runs: RUNS, node: process.version, reference: { kib: reference.bytes / 1024, initMs: referenceInit }, functions: rows }, null, 2)}\n`,
    );
  }
}

await main();
