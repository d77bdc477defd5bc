/**
 * The one place that picks the TensorFlow.js backend:
 *   1. `tensorflow` (tfjs-node, native libtensorflow) when really installed,
 *   2. `wasm` (SIMD) with the kernels training needs registered,
 *   3. `cpu` (pure JS) as the last resort.
 * `COPYDESK_BACKEND=wasm|cpu|tensorflow` forces a choice. The choice is logged once (stderr).
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'path';
import * as fs from 'fs';
import { registerMissingWasmKernels } from './wasm-kernels';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export { tf };

let chosen: Promise<BackendName> | undefined;
let logged = false;

/**
 * True only when the installed `@tensorflow/tfjs-node` is the real native binding.
 * danfojs-node's override installs plain `@tensorflow/tfjs` under that name, so a
 * successful require() proves nothing: we check the package's own name.
 */
export function hasNativeTfjsNode(): boolean {
  try {
    const pkgPath = require.resolve('@tensorflow/tfjs-node/package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as { name?: string };
    if (pkg.name !== '@tensorflow/tfjs-node') return false;
    return fs.existsSync(path.join(path.dirname(pkgPath), 'lib'));
  } catch {
    return false;
  }
}

async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      if (!hasNativeTfjsNode()) return false;
      require('@tensorflow/tfjs-node');
      if (!tf.findBackend('tensorflow')) return false;
    } else if (name === 'wasm') {
      require('@tensorflow/tfjs-backend-wasm');
      registerMissingWasmKernels();
    }
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

function log(msg: string): void {
  if (logged || process.env.COPYDESK_QUIET_BACKEND === '1') return;
  logged = true;
  process.stderr.write(`[copydesk] ${msg}\n`);
}

/** Initialises the backend once and returns its name. */
export function initRuntime(prefer?: BackendName): Promise<BackendName> {
  if (chosen) return chosen;
  chosen = (async () => {
    const forced = (prefer ?? (process.env.COPYDESK_BACKEND as BackendName | undefined)) || undefined;
    if (forced && !['tensorflow', 'wasm', 'cpu'].includes(forced)) {
      throw new Error(`COPYDESK_BACKEND must be one of tensorflow, wasm, cpu (got "${forced}")`);
    }
    const order: BackendName[] = forced ? [forced] : ['tensorflow', 'wasm', 'cpu'];
    for (const name of order) {
      if (await tryBackend(name)) {
        await tf.ready();
        log(`tfjs backend: ${name}${forced ? ' (forced)' : ''}`);
        return name;
      }
    }
    throw new Error(`no TensorFlow.js backend could be initialised (tried ${order.join(', ')})`);
  })();
  return chosen;
}

/** Switches backend (tests compare backends); registers missing wasm kernels first. */
export async function useBackend(name: BackendName): Promise<void> {
  if (!(await tryBackend(name))) throw new Error(`backend ${name} is not available`);
  await tf.ready();
}
