/**
 * The native accelerator is optional: without it (COPYDESK_NATIVE=0, or the addon missing)
 * the runtime still reports `wasm`, says once why the fast path is off, and trains with the
 * same results; and its install-time build never fails `npm install`.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT } from '../core/util/paths';
import { DEFAULT_ADDON_PATH } from '../core/native';

/** A child process that initialises the runtime and runs a small fused GRU + cross-entropy step. */
const PROBE = `
const r = require('./core/tf/runtime');
const { gruSequence, gruIsFused } = require('./core/tf/gru');
const { sparseCategoricalCrossentropyFromLogits } = require('./core/tf/losses');
r.initRuntime().then((backend) => {
  const tf = r.tf;
  const seq = (n, s) => Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + s) * 0.5);
  const out = tf.tidy(() => {
    const x = tf.tensor(seq(2 * 5 * 3, 1), [2, 5, 3]);
    const w = { kernel: tf.tensor(seq(3 * 12, 2), [3, 12]), recurrentKernel: tf.tensor(seq(4 * 12, 3), [4, 12]), bias: tf.tensor(seq(12, 4), [12]) };
    const f = (k) => { const h = gruSequence(x, { ...w, kernel: k }); return sparseCategoricalCrossentropyFromLogits(tf.tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, 1], [2, 5, 1]), h); };
    const { value, grad } = tf.valueAndGrad(f)(w.kernel);
    return { loss: value.dataSync()[0], grad: Array.from(grad.dataSync()), mm: tf.matMul(tf.ones([3, 4]), tf.ones([4, 2])).dataSync()[0] };
  });
  process.stdout.write(JSON.stringify({ backend, info: r.runtimeInfo(), fused: gruIsFused(), ...out }));
});`;

function probe(env: Record<string, string>): { json: any; stderr: string } {
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', PROBE], {
    cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, COPYDESK_QUIET_BACKEND: '', ...env }, timeout: 60_000,
  });
  expect(r.status, r.stderr).to.equal(0);
  return { json: JSON.parse(r.stdout), stderr: r.stderr };
}

const backendLines = (stderr: string) => stderr.split('\n').filter((l) => l.includes('[copydesk]'));

describe('native accelerator: fallback to plain wasm', function () {
  this.timeout(120_000);
  const nativeBuilt = fs.existsSync(DEFAULT_ADDON_PATH);

  it('COPYDESK_NATIVE=0: reports wasm, path wasm, says why once, and computes the same loss and gradient', function () {
    const off = probe({ COPYDESK_NATIVE: '0' });
    expect(off.json.backend).to.equal('wasm');
    expect(off.json.info.path).to.equal('wasm');
    expect(off.json.info.native).to.equal(false);
    expect(off.json.fused).to.equal(false);
    expect(off.json.mm).to.equal(4);
    const lines = backendLines(off.stderr);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/tfjs backend: wasm \(native accelerator off: disabled by COPYDESK_NATIVE=0; plain wasm\)/);
    if (!nativeBuilt) this.skip();
    const on = probe({});
    expect(on.json.backend).to.equal('wasm');
    expect(on.json.info.path).to.equal('wasm+native');
    expect(on.json.fused).to.equal(true);
    expect(backendLines(on.stderr)[0]).to.match(/wasm \+ native kernels \(OpenBLAS/);
    expect(Math.abs(on.json.loss - off.json.loss)).to.be.below(1e-4);
    const d = Math.max(...on.json.grad.map((g: number, i: number) => Math.abs(g - off.json.grad[i])));
    expect(d).to.be.below(1e-4);
  });

  it('a missing addon: falls back to wasm and names the cause once', () => {
    const r = probe({ COPYDESK_NATIVE_ADDON: path.join(os.tmpdir(), 'no-such-copydesk-addon.node') });
    expect(r.json.backend).to.equal('wasm');
    expect(r.json.info.path).to.equal('wasm');
    expect(r.json.info.nativeReason).to.match(/addon not built/);
    const lines = backendLines(r.stderr);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/native accelerator off: addon not built .*plain wasm/);
  });

  it('install-time build without BLAS headers exits 0 with one line (npm install still succeeds)', () => {
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'core/native/build.js')], {
      encoding: 'utf8', env: { ...process.env, COPYDESK_BLAS_INCLUDE: path.join(os.tmpdir(), 'no-blas-here') },
    });
    expect(r.status).to.equal(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/native accelerator not built: no BLAS headers .*Using plain wasm/);
  });

  it('install-time build whose compilation fails exits 0 with one line', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'copydesk-native-'));
    try {
      fs.cpSync(path.join(PROJECT_ROOT, 'core/native/src'), path.join(tmp, 'src'), { recursive: true });
      fs.copyFileSync(path.join(PROJECT_ROOT, 'core/native/binding.gyp'), path.join(tmp, 'binding.gyp'));
      fs.mkdirSync(path.join(tmp, 'inc'));
      fs.writeFileSync(path.join(tmp, 'inc', 'cblas.h'), '#error "this cblas.h is broken on purpose"\n');
      const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'core/native/build.js')], {
        encoding: 'utf8', env: { ...process.env, COPYDESK_NATIVE_SRC: tmp, COPYDESK_BLAS_INCLUDE: path.join(tmp, 'inc') }, timeout: 100_000,
      });
      expect(r.status).to.equal(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).to.have.length(1);
      expect(lines[0]).to.match(/native accelerator not built \(.*\)\. Using plain wasm\./);
      expect(fs.existsSync(path.join(tmp, 'build', 'Release', 'copydesk_native.node'))).to.equal(false);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
