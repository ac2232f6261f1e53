/**
 * Benchmark entry point (`npm run bench` = `tsx bench/run.ts`).
 *
 * Runs every registered benchmark module, prints one table, and with `--json`
 * prints one JSON object on the last line. Options: `--json`, `--quick`
 * (smaller sizes, for a smoke run), `--only <name>` (run one benchmark),
 * `--kernel PATH` (the kernel benchmark, on the subject built from that tree).
 *
 * To add a benchmark, write a module whose default export is a
 * {@link Benchmark} and add one line to {@link BENCHMARKS}.
 */

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured value. */
export interface BenchRow {
  /** What was measured, e.g. "map requests". */
  metric: string;
  /** Problem size (number of live mappings), when the benchmark has one. */
  n?: number;
  value: number;
  unit: string;
  /** Free-form detail, e.g. "VA count after: 1000123". */
  note?: string;
}

/** A check against a performance target, reported in the table and the JSON. */
export interface BenchTarget {
  name: string;
  pass: boolean;
  detail: string;
}

export interface BenchResult {
  rows: BenchRow[];
  targets?: BenchTarget[];
}

export interface BenchOptions {
  /** Smaller problem sizes for a quick smoke run. */
  quick: boolean;
  /** `--kernel PATH`: the kernel tree the kernel benchmark builds its subject from. */
  kernel?: string;
  /** Progress messages (stderr). */
  log(message: string): void;
}

/** A benchmark module's default export. */
export interface Benchmark {
  name: string;
  description: string;
  /** Whether it runs with these options (default: always). */
  wanted?(opts: BenchOptions): boolean;
  run(opts: BenchOptions): BenchResult | Promise<BenchResult>;
}

/** The registry: one line per benchmark module. */
export const BENCHMARKS: ReadonlyArray<() => Promise<{ default: Benchmark }>> = [
  () => import('./gpuvm-bench.ts'),
  () => import('./harness-bench.ts'),
  () => import('./explore-bench.ts'),
  () => import('./kernel-bench.ts'),
];

function formatValue(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(4);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  const onlyAt = argv.indexOf('--only');
  const kernelAt = argv.indexOf('--kernel');
  const kernel = kernelAt >= 0 ? argv[kernelAt + 1] : undefined;
  // --kernel PATH runs the kernel benchmark (unless --only names another).
  const only = onlyAt >= 0 ? argv[onlyAt + 1] : kernel !== undefined ? 'kernel' : undefined;
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const results: Record<string, BenchResult> = {};
  const bodyRows: string[][] = [];
  const targetRows: string[][] = [];
  for (const load of BENCHMARKS) {
    const bench = (await load()).default;
    const opts: BenchOptions = kernel === undefined ? { quick, log } : { quick, log, kernel };
    if (only !== undefined && bench.name !== only) continue;
    if (bench.wanted !== undefined && !bench.wanted(opts)) continue;
    log(`running ${bench.name}: ${bench.description}`);
    const result = await bench.run(opts);
    results[bench.name] = result;
    for (const r of result.rows) {
      bodyRows.push([bench.name, r.n !== undefined ? r.n.toLocaleString('en-US') : '', r.metric, formatValue(r.value), r.unit, r.note ?? '']);
    }
    for (const t of result.targets ?? []) targetRows.push([bench.name, t.name, t.pass ? 'PASS' : 'FAIL', t.detail]);
  }
  if (only !== undefined && Object.keys(results).length === 0) {
    log(`no benchmark named ${JSON.stringify(only)}`);
    return 2;
  }
  console.log(table(['benchmark', 'n', 'metric', 'value', 'unit', 'note'], bodyRows));
  if (targetRows.length > 0) {
    console.log('');
    console.log(table(['benchmark', 'target', 'result', 'detail'], targetRows));
  }
  const failed = targetRows.filter((r) => r[2] === 'FAIL').length;
  if (json) console.log(JSON.stringify({ node: process.version, quick, results, failedTargets: failed }));
  return 0;
}

const entry = process.argv[1];
if (entry !== undefined && resolve(entry) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
