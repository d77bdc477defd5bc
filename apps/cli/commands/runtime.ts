/** `copydesk runtime`: which TensorFlow.js backend this machine runs, and its kernels. */
import { Command } from 'commander';
import { initRuntime, hasNativeTfjsNode, tf } from '../../../core/tf/runtime';

export function register(program: Command): void {
  program
    .command('runtime')
    .description('show the TensorFlow.js backend in use (tfjs-node, wasm or cpu)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const backend = await initRuntime();
      const info = { backend, tfjsNodeInstalled: hasNativeTfjsNode(), tfjsVersion: tf.version.tfjs, kernels: tf.getKernelsForBackend(backend).length };
      process.stdout.write(opts.json ? `${JSON.stringify(info)}\n` : `backend ${info.backend} (tfjs ${info.tfjsVersion}, ${info.kernels} kernels; tfjs-node ${info.tfjsNodeInstalled ? 'installed' : 'not installed'})\n`);
    });
}
