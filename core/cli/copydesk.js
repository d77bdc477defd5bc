#!/usr/bin/env node
// The `copydesk` command. Runs the compiled CLI (dist/) when it is built and up to date,
// otherwise the TypeScript sources through tsx.
'use strict';
const path = require('path');
const fs = require('fs');
const root = path.resolve(__dirname, '..', '..');
const compiled = path.join(root, 'dist', 'core', 'cli', 'main.js');
const source = path.join(root, 'core', 'cli', 'main.ts');
function fresh() {
  try {
    return fs.statSync(compiled).mtimeMs >= fs.statSync(source).mtimeMs && process.env.COPYDESK_FROM_SOURCE !== '1';
  } catch {
    return false;
  }
}
if (fresh()) {
  require(compiled).main(process.argv);
} else {
  require('tsx/cjs');
  require(source).main(process.argv);
}
