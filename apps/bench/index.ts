/**
 * Benchmark suites. Each suite is a module `apps/bench/<name>.ts` exporting
 * `run(opts)` that measures on this machine and returns a JSON-able object.
 * `copydesk bench [suite…]` runs them and records each result in
 * `models/benchmarks/<suite>.json` (the README points there).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { modelsDir } from '../../core/util/paths';

export interface BenchOptions {
  /** Smaller inputs, for a quick look (and the test that the suite runs). */
  quick?: boolean;
  /** Extra arguments after the suite name. */
  args: string[];
}

export type BenchSuite = { run(opts: BenchOptions): Promise<Record<string, unknown>> };

/** Suites in the order `copydesk bench` runs them with no names given. */
export const SUITES: Record<string, () => BenchSuite> = {};

export function registerSuite(name: string, load: () => BenchSuite): void {
  SUITES[name] = load;
}

export function machineInfo(): Record<string, unknown> {
  return { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
}

export function resultsPath(suite: string): string {
  return path.join(modelsDir(), 'benchmarks', `${suite}.json`);
}

export async function runSuite(name: string, opts: BenchOptions, record = true): Promise<Record<string, unknown>> {
  const load = SUITES[name];
  if (!load) throw new Error(`unknown bench suite "${name}" (have: ${Object.keys(SUITES).join(', ') || 'none'})`);
  const result = await load().run(opts);
  if (record && !opts.quick) {
    fs.mkdirSync(path.dirname(resultsPath(name)), { recursive: true });
    fs.writeFileSync(resultsPath(name), `${JSON.stringify({ suite: name, machine: machineInfo(), ...result }, null, 2)}\n`);
  }
  return result;
}
