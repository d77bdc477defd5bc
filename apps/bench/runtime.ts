/**
 * `copydesk bench runtime [--json] [--cpu] [--no-torch] [--seconds S] [--repeats N]`
 *
 * Training speed (examples/s) of the TF runtime's paths on this machine:
 *   step:      Embedding(3000→64) → GRU(128, return sequences) → Dense(3000, softmax),
 *              T=40, batch 32, Adam, sparse cross-entropy (the reference step)
 *   sentiment: the sentiment helper's real model (core/sentiment/model.ts) and loop step,
 *              vocab 20k, 100 tokens, batch 64
 *   generator: the generator's real teacher-forced step (core/seq2seq/model.ts batchLoss),
 *              char vocab 5k, source 64, target 128, batch 32
 * Paths: `wasm` (plain wasm: COPYDESK_NATIVE=0), `native` (wasm + native kernels with the very
 * same code: tf.layers.gru then runs as the fused GRU kernel and the 'sparseCategoricalCrossentropy'
 * loss as one native pass, automatically), `fused` (step only: FusedGRU + Dense logits +
 * compileWithSparseLogitsLoss, i.e. no softmax layer), `cpu` (with --cpu; very slow), and
 * PyTorch 1 thread (../shared/tools/peer_torch_gru.py) for step.
 * Each path runs in its own process; every figure is the median of N timed windows.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { BenchOptions } from './index';
import type * as tfjs from '@tensorflow/tfjs';
import { PROJECT_ROOT } from '../../core/util/paths';

type CaseName = 'step' | 'sentiment' | 'generator';
type PathName = 'wasm' | 'native' | 'fused' | 'cpu';

/** Examples per step of each case (see makeStep). */
const BATCH: Record<CaseName, number> = { step: 32, sentiment: 64, generator: 32 };

interface Measure { examplesPerSec: number; windows: number[]; stepMs: number; cpuMsPerStep: number; runtime: string; blasThreads?: number }

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN; };

// ---------------------------------------------------------------- worker ---

/** Builds one training step for a case and path; returns the function and its batch size. */
async function makeStep(name: CaseName, p: PathName): Promise<{ step: () => Promise<void>; batch: number }> {
  const { tf } = (require('../../core/tf/runtime') as typeof import('../../core/tf/runtime'));
  if (name === 'step') {
    const V = 3000, T = 40, B = 32;
    const fusedPath = p === 'fused';
    const { fusedGru } = (require('../../core/tf/gru') as typeof import('../../core/tf/gru'));
    const { compileWithSparseLogitsLoss } = (require('../../core/tf/losses') as typeof import('../../core/tf/losses'));
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: V, outputDim: 64, inputLength: T }));
    m.add(fusedPath ? fusedGru({ units: 128, returnSequences: true }) : tf.layers.gru({ units: 128, returnSequences: true }));
    m.add(tf.layers.dense({ units: V, activation: fusedPath ? 'linear' : 'softmax' }));
    if (fusedPath) compileWithSparseLogitsLoss(m, { optimizer: tf.train.adam() });
    else m.compile({ optimizer: tf.train.adam(), loss: 'sparseCategoricalCrossentropy' });
    const x = tf.randomUniform([B, T], 0, V, 'int32', 1).cast('float32');
    const y = tf.randomUniform([B, T, 1], 0, V, 'int32', 2).cast('float32');
    return { batch: B, step: async () => { await m.trainOnBatch(x, y); } };
  }
  if (name === 'sentiment') {
    const { buildModel, DEFAULT_MODEL } = (require('../../core/sentiment/model') as typeof import('../../core/sentiment/model'));
    const V = 20000, L = 100, B = 64;
    const model = buildModel({ ...DEFAULT_MODEL, vocabSize: V });
    const opt = tf.train.adam(0.005);
    const x = tf.randomUniform([B, L], 1, V, 'int32', 3);
    const y = tf.cast(tf.greater(tf.randomUniform([B, 1], 0, 1, 'float32', 4), 0.5), 'float32');
    return {
      batch: B,
      step: async () => {
        const loss = opt.minimize(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tfjs.Tensor) as tfjs.Scalar, true)!;
        await loss.data();
        loss.dispose();
      },
    };
  }
  const { buildWeights, batchLoss, DEFAULT_CONFIG } = (require('../../core/seq2seq/model') as typeof import('../../core/seq2seq/model'));
  const { toBatch } = (require('../../core/seq2seq/data') as typeof import('../../core/seq2seq/data'));
  const V = 5000, S = 64, T = 128, B = 32;
  const cfg = { ...DEFAULT_CONFIG, vocabSize: V };
  const w = buildWeights(cfg, 1);
  let seed = 7;
  const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
  const examples = Array.from({ length: B }, () => ({
    src: Array.from({ length: S }, () => 4 + Math.floor(rnd() * (V - 4))),
    tgt: Array.from({ length: T }, () => 4 + Math.floor(rnd() * (V - 4))),
  }));
  const batch = toBatch(examples, cfg.copy);
  const opt = tf.train.adam(0.002);
  const vars = [...w.values()];
  return {
    batch: B,
    step: async () => {
      const loss = opt.minimize(() => batchLoss(w, cfg, batch, true, 1), true, vars)!;
      await loss.data();
      loss.dispose();
    },
  };
}

async function measure(name: CaseName, p: PathName, seconds: number, repeats: number): Promise<Measure> {
  const { initRuntime, runtimeInfo, tf } = (require('../../core/tf/runtime') as typeof import('../../core/tf/runtime'));
  await initRuntime(p === 'cpu' ? 'cpu' : 'wasm');
  const { step, batch } = await makeStep(name, p);
  await step(); // warm-up (kernel setup, JIT, heap growth)
  const windows: number[] = [];
  let steps = 0, total = 0;
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    let n = 0;
    do { await step(); n++; } while (Number(process.hrtime.bigint() - t0) / 1e9 < seconds);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    windows.push((n * batch) / dt);
    steps += n; total += dt;
  }
  const cpu = process.cpuUsage(cpu0);
  const info = runtimeInfo();
  void tf;
  // CPU time per step is steadier than wall time when the cores are shared
  return { examplesPerSec: median(windows), windows, stepMs: (1000 * total) / steps, cpuMsPerStep: (cpu.user + cpu.system) / 1000 / steps, runtime: info.path, blasThreads: info.blasThreads };
}

// ---------------------------------------------------------------- parent ---

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function runWorker(name: CaseName, p: PathName, seconds: number, repeats: number): Measure | { error: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, COPYDESK_QUIET_BACKEND: '1' };
  if (p === 'wasm' || p === 'cpu') env.COPYDESK_NATIVE = '0';
  else delete env.COPYDESK_NATIVE;
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', __filename, 'worker', name, p, String(seconds), String(repeats)], {
    cwd: PROJECT_ROOT, env, encoding: 'utf8', timeout: Math.max(600, seconds * repeats * 20) * 1000, maxBuffer: 1 << 24,
  });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) return { error: (r.stderr || `exit ${r.status}`).trim().split('\n').filter(Boolean).slice(-1)[0] ?? 'failed' };
  return JSON.parse(line) as Measure;
}

/**
 * ../shared/tools/peer_torch_gru.py 3000 40 128 1: wall-clock examples/s, and examples per CPU-second
 * (the same script with its clock swapped for the process CPU clock, so that the figure does not
 * depend on how busy the shared cores are; comparable with our cpuMsPerStep).
 */
function torchPeer(): { examplesPerSec: number; examplesPerCpuSec: number | null; command: string } | { error: string } {
  const script = path.resolve(PROJECT_ROOT, '..', 'shared', 'tools', 'peer_torch_gru.py');
  const py = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  if (!fs.existsSync(script)) return { error: `${script} not found` };
  const command = `${py} ${script} 3000 40 128 1`;
  const parse = (out: string): number | null => { const m = /examples\/s ([\d.]+)/.exec(out); return m ? Number(m[1]) : null; };
  const r = spawnSync(py, [script, '3000', '40', '128', '1'], { encoding: 'utf8', timeout: 300_000 });
  const wall = parse(r.stdout);
  if (wall === null) return { error: `${(r.stderr || r.stdout).trim().split('\n').pop()} (needs python3-torch)` };
  const cpuRun = spawnSync(py, ['-c', `import time, runpy, sys; time.time = time.process_time; sys.argv = ['peer', '3000', '40', '128', '1']; runpy.run_path(${JSON.stringify(script)}, run_name='__main__')`], { encoding: 'utf8', timeout: 300_000 });
  return { examplesPerSec: wall, examplesPerCpuSec: parse(cpuRun.stdout), command };
}

export async function run(opts: BenchOptions): Promise<Record<string, unknown>> {
  const args = opts.args ?? [];
  const seconds = Number(arg(args, '--seconds') ?? (opts.quick ? 0.3 : 5));
  const repeats = Number(arg(args, '--repeats') ?? (opts.quick ? 1 : 3));
  const only = (arg(args, '--cases') ?? 'step,sentiment,generator').split(',') as CaseName[];
  const plan: Record<CaseName, PathName[]> = {
    step: ['wasm', 'native', 'fused', ...(args.includes('--cpu') ? ['cpu' as const] : [])],
    sentiment: ['wasm', 'native'],
    generator: ['wasm', 'native'],
  };
  const out: Record<string, unknown> = {};
  const details: Record<string, unknown> = {};
  const perCpuSecond: Record<string, Record<string, number | null>> = {};
  for (const c of only) {
    const row: Record<string, number | null> = {};
    const cpuRow: Record<string, number | null> = (perCpuSecond[c] = {});
    for (const p of plan[c]) {
      process.stderr.write(`  runtime bench: ${c} on ${p}…\n`);
      const m = runWorker(c, p, p === 'cpu' ? 1 : seconds, p === 'cpu' ? 1 : repeats);
      row[p] = 'error' in m ? null : Math.round(m.examplesPerSec * 10) / 10;
      cpuRow[p] = 'error' in m ? null : Math.round((BATCH[c] * 1000 / m.cpuMsPerStep) * 10) / 10;
      details[`${c}.${p}`] = m;
    }
    if (c === 'step' && !args.includes('--no-torch') && !opts.quick) {
      process.stderr.write('  runtime bench: step on PyTorch (1 thread)…\n');
      const t = torchPeer();
      row.pytorch_1thread = 'error' in t ? null : t.examplesPerSec;
      cpuRow.pytorch_1thread = 'error' in t ? null : t.examplesPerCpuSec;
      details['step.pytorch_1thread'] = t;
    }
    out[c] = row;
  }
  out.perCpuSecond = perCpuSecond;
  out.details = details;
  out.notes = 'step/sentiment/generator: examples/s (wall clock), median of timed windows, each path in its own process. '
    + 'perCpuSecond: examples per CPU-second of the process (steadier while the 2 cores are shared). Figures are noisy.';
  return out;
}

if (require.main === module && process.argv[2] === 'worker') {
  const [, , , name, p, s, r] = process.argv;
  measure(name as CaseName, p as PathName, Number(s), Number(r))
    .then((m) => { process.stdout.write(`${JSON.stringify(m)}\n`); process.exit(0); })
    .catch((e) => { process.stderr.write(`${(e as Error).stack ?? e}\n`); process.exit(1); });
}
