/** Where things live. Every path can be overridden from the environment. */
import * as path from 'path';

/** The project root (the folder with package.json), whether running from source or dist/. */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (require('fs').existsSync(path.join(dir, 'package.json')) && path.basename(dir) !== 'dist') return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
})();

/** The public datasets (read-only, never copied into the project). */
export function sharedDataDir(): string {
  return process.env.COPYDESK_SHARED_DATA ?? path.resolve(PROJECT_ROOT, '..', 'shared', 'data');
}

/** The shipped models. */
export function modelsDir(): string {
  return process.env.COPYDESK_MODELS ?? path.join(PROJECT_ROOT, 'models');
}

/** The demo store written by core/demo/generate.ts. */
export function demoDir(): string {
  return process.env.COPYDESK_STORE ?? path.join(PROJECT_ROOT, 'data', 'demo');
}

/** Checkpoints and other work files kept out of git. */
export function workDir(): string {
  return process.env.COPYDESK_WORK ?? path.join(PROJECT_ROOT, '.work');
}
