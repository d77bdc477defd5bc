/**
 * `copydesk demo generate --users N --out DIR [--seed S]`: writes a seeded demo store of N users
 * (same seed and size → byte-identical files; the default is the shipped data/demo store).
 * Every command that reads the CSV catalogue takes `--store DIR` to use it.
 */
import * as path from 'path';
import { Command } from 'commander';
import { writeDemoStore, DEFAULT_SEED, DEMO_DEFAULTS } from '../../../core/demo/generate';
import { UsageError } from '../usage-error';

function intOption(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  return n;
}

export function register(program: Command): void {
  const demo = program.command('demo').description('the demo store: generate one of any size (seeded, deterministic)');
  demo
    .command('generate')
    .description('write a seeded demo store (items, users, events, reviews, tastes) of N users into DIR')
    .option('--users <n>', 'number of users', String(DEMO_DEFAULTS.users))
    .requiredOption('--out <dir>', 'folder to write (created if missing)')
    .option('--seed <n>', 'random seed', String(DEFAULT_SEED))
    .option('--json', 'print one JSON object')
    .action((o: { users: string; out: string; seed: string; json?: boolean }) => {
      const users = intOption('users', o.users, 1, 2_000_000);
      const seed = intOption('seed', o.seed, 0, 2 ** 32 - 1);
      const t0 = Date.now();
      const written = writeDemoStore(o.out, { seed, users });
      const bytes = written.reduce((a, w) => a + w.bytes, 0);
      const seconds = (Date.now() - t0) / 1000;
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ dir: path.resolve(o.out), users, seed, files: written.map((w) => ({ file: path.basename(w.file), bytes: w.bytes })), seconds })}\n`);
        return;
      }
      for (const w of written) process.stderr.write(`wrote ${w.file} (${(w.bytes / 1024).toFixed(0)} KiB)\n`);
      process.stdout.write(`demo store ${path.resolve(o.out)}: ${users} users, seed ${seed}, ${(bytes / 1048576).toFixed(2)} MiB in ${seconds.toFixed(1)} s\n`);
    });
}
