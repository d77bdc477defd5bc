#!/usr/bin/env node
// The `copydesk` command. Runs the compiled CLI (dist/) when it is built and newer than
// every TypeScript source under core/, apps/ and bot/; otherwise the sources through tsx.
'use strict';
const path = require('path');
const fs = require('fs');
const root = path.resolve(__dirname, '..', '..');
const compiled = path.join(root, 'dist', 'apps', 'cli', 'main.js');
const source = path.join(root, 'apps', 'cli', 'main.ts');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'build') newest = Math.max(newest, newestSource(p));
    } else if (entry.name.endsWith('.ts')) {
      newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  }
  return newest;
}

function distIsFresh() {
  if (process.env.COPYDESK_FROM_SOURCE === '1') return false;
  try {
    const built = fs.statSync(compiled).mtimeMs;
    return ['core', 'apps', 'bot'].every((d) => newestSource(path.join(root, d)) <= built);
  } catch {
    return false;
  }
}

if (distIsFresh()) {
  require(compiled).main(process.argv);
} else {
  require('tsx/cjs');
  require(source).main(process.argv);
}
