#!/usr/bin/env node
/**
 * Builds the optional native accelerator (core/native → build/Release/copydesk_native.node)
 * against the system OpenBLAS, at `npm install` / `npm ci` time (root package.json "install").
 *
 * It NEVER fails the install: when the build is impossible (no cblas.h, no compiler,
 * another OS) it prints one line and exits 0; the runtime then uses plain wasm.
 *
 * Env: COPYDESK_NATIVE_BUILD=0 skips the build; COPYDESK_BLAS_INCLUDE="dir dir…" overrides
 * where cblas.h is looked for (also passed to the compiler); COPYDESK_NATIVE_SRC builds a copy
 * of this folder elsewhere (tests of the failure path use it).
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const here = process.env.COPYDESK_NATIVE_SRC || __dirname;
const say = (msg) => process.stderr.write(`copydesk: ${msg}\n`);

function includeDirs() {
  const env = process.env.COPYDESK_BLAS_INCLUDE;
  return (env !== undefined ? env : '/usr/include/x86_64-linux-gnu /usr/include/aarch64-linux-gnu /usr/include/openblas /usr/include')
    .split(/\s+/).filter(Boolean);
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try { candidates.push(require.resolve('node-gyp/bin/node-gyp.js')); } catch { /* not installed locally */ }
  return candidates.find((c) => c && fs.existsSync(c));
}

function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir, path.join(path.dirname(process.execPath), '..')];
  return candidates.find((d) => d && fs.existsSync(path.join(d, 'include', 'node', 'node_api.h')));
}

function lastErrorLine(text) {
  const lines = String(text || '').split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /error/i.test(l) && !/^gyp (ERR|info)/.test(l)) || lines[lines.length - 1] || 'unknown error';
}

function main() {
  if (process.env.COPYDESK_NATIVE_BUILD === '0') { say('native accelerator build skipped (COPYDESK_NATIVE_BUILD=0); using plain wasm'); return; }
  const dirs = includeDirs();
  const hasCblas = dirs.some((d) => fs.existsSync(path.join(d, 'cblas.h')));
  if (!hasCblas) {
    say('native accelerator not built: no BLAS headers (cblas.h) found; on Debian/Ubuntu `apt-get install libopenblas-dev` then `npm run build:native`. Using plain wasm.');
    return;
  }
  const gyp = findNodeGyp();
  if (!gyp) { say('native accelerator not built: node-gyp not found. Using plain wasm.'); return; }
  const args = [gyp, 'rebuild'];
  const nodedir = findNodeDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8', env: { ...process.env, COPYDESK_BLAS_INCLUDE: dirs.join(' ') } });
  if (r.status !== 0) {
    say(`native accelerator not built (${lastErrorLine(`${r.stderr}\n${r.stdout}`)}). Using plain wasm.`);
    return;
  }
  const out = path.join(here, 'build', 'Release', 'copydesk_native.node');
  try {
    require(out);
  } catch (e) {
    say(`native accelerator built but does not load (${String(e && e.message).split('\n')[0]}). Using plain wasm.`);
    try { fs.rmSync(out); } catch { /* ignore */ }
    return;
  }
  say(`native accelerator built (OpenBLAS) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

try {
  main();
} catch (e) {
  say(`native accelerator not built (${String(e && e.message).split('\n')[0]}). Using plain wasm.`);
}
process.exitCode = 0;
