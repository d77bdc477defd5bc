/**
 * The one place that picks the TensorFlow.js backend:
 *   1. `tensorflow` (tfjs-node, native libtensorflow) when really installed,
 *   2. `wasm` (SIMD) with the kernels training needs registered, accelerated by the
 *      optional native addon (core/native, OpenBLAS) when it was built at install time:
 *      matrix products, a whole-sequence GRU kernel and the softmax cross-entropy
 *      then run natively (`runtimeInfo().path === 'wasm+native'`),
 *   3. `cpu` (pure JS) as the last resort.
 * `COPYDESK_BACKEND=wasm|cpu|tensorflow` forces a choice; `COPYDESK_NATIVE=0` disables the
 * native kernels. The choice is logged once (stderr).
 */
import * as tf from '@tensorflow/tfjs';
import * as path from 'path';
import * as fs from 'fs';
import { registerMissingWasmKernels } from './wasm-kernels';
import { enableNativeKernels, disableNativeKernels, nativeKernelsActive, activeAddon } from './native-kernels';
import { loadNativeAddon } from '../native';
import { patchLayersGru } from './gru';
import { patchKerasSparseCrossentropy } from './losses';

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
      setupNative();
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
        const info = runtimeInfo();
        const accel = name !== 'wasm' ? '' : info.native ? ` + native kernels (OpenBLAS, ${info.blasThreads} thread${info.blasThreads === 1 ? '' : 's'})` : ` (native accelerator off: ${info.nativeReason}; plain wasm)`;
        log(`tfjs backend: ${name}${accel}${forced ? ' (forced)' : ''}`);
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

let nativeTried = false;
let nativeReason: string | undefined;

/** Loads the native addon once and registers its kernels on wasm (unless COPYDESK_NATIVE=0). */
function setupNative(): void {
  if (nativeTried) return;
  nativeTried = true;
  const loaded = loadNativeAddon();
  if (loaded.addon) {
    enableNativeKernels(loaded.addon);
    patchLayersGru(); // tf.layers.gru → the fused kernel while the native kernels are on
    patchKerasSparseCrossentropy(); // compile({ loss: 'sparseCategoricalCrossentropy' }) → one native pass
  } else nativeReason = loaded.reason;
}

export type RuntimePath = 'tensorflow' | 'wasm+native' | 'wasm' | 'cpu';

export interface RuntimeInfo {
  backend: string;
  /** What actually runs: `wasm+native` when the native kernels are registered on wasm. */
  path: RuntimePath;
  native: boolean;
  /** Why the native accelerator is off (when it is). */
  nativeReason?: string;
  blasThreads?: number;
}

/** Describes the active runtime (call after initRuntime()). */
export function runtimeInfo(): RuntimeInfo {
  const backend = tf.getBackend();
  const native = backend === 'wasm' && nativeKernelsActive();
  const path: RuntimePath = backend === 'wasm' ? (native ? 'wasm+native' : 'wasm') : (backend as RuntimePath);
  const info: RuntimeInfo = { backend, path, native };
  if (native) info.blasThreads = activeAddon()!.getThreads();
  else if (backend === 'wasm') info.nativeReason = nativeReason ?? 'disabled';
  return info;
}

/**
 * Turns the native kernels on or off on wasm (benchmarks compare both paths in one process).
 * Returns whether they are now on (false when the addon is unavailable).
 */
export function setNativeKernels(on: boolean): boolean {
  if (!on) { disableNativeKernels(); return false; }
  const loaded = loadNativeAddon();
  if (!loaded.addon) return false;
  enableNativeKernels(loaded.addon);
  patchLayersGru();
  patchKerasSparseCrossentropy();
  return true;
}

