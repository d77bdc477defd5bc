/**
 * Notebooks run the compiled core (dist/), because tslab can only compile TypeScript
 * under the notebook's own folder. This guards against running them on a stale build:
 * a compiled module must have been written after its source was last changed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../../core/util/paths';

/** The source folders the notebooks load compiled from dist/ (the core and the notebook helpers in apps/). */
const COMPILED_FOLDERS = ['core', 'apps'];

function isFresh(root: string, sourceRel: string): boolean {
  try {
    const out = path.join(root, 'dist', sourceRel.replace(/\.ts$/, '.js'));
    return fs.statSync(out).mtimeMs >= fs.statSync(path.join(root, sourceRel)).mtimeMs;
  } catch {
    return false;
  }
}

/** Every source under `core/` and `apps/` whose compiled `.js` in `dist/` is missing or older. */
export function staleBuildFiles(root: string = PROJECT_ROOT): string[] {
  const stale: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'build') walk(r);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !isFresh(root, r)) {
        stale.push(r);
      }
    }
  };
  for (const top of COMPILED_FOLDERS) if (fs.existsSync(path.join(root, top))) walk(top);
  return stale;
}

/** The source (core/….ts or apps/….ts) of a compiled dist/core/….js or dist/apps/….js file, or undefined for any other file. */
function sourceOf(root: string, file: string): string | undefined {
  const rel = path.relative(path.join(root, 'dist'), file);
  if (rel.startsWith('..') || !COMPILED_FOLDERS.some((top) => rel.startsWith(`${top}${path.sep}`)) || !rel.endsWith('.js')) return undefined;
  const src = rel.replace(/\.js$/, '.ts');
  return fs.existsSync(path.join(root, src)) ? src : undefined;
}

function staleError(root: string, stale: string[]): Error {
  const list = stale.slice(0, 5).join(', ') + (stale.length > 5 ? ` and ${stale.length - 5} more` : '');
  return new Error(`dist/ is out of date for ${list}: run \`npm run build\` in ${root}, then restart the kernel`);
}

/** Throws (with the fix) when any part of dist/core or dist/apps is older than its source. */
export function assertFreshBuild(root: string = PROJECT_ROOT): void {
  const stale = staleBuildFiles(root);
  if (stale.length > 0) throw staleError(root, stale);
}

let guarded = false;

/**
 * Checks every compiled core module the notebook has loaded, and from now on every one it
 * loads, against its source: a notebook can never silently run on stale compiled code.
 */
export function guardCompiledModules(root: string = PROJECT_ROOT): void {
  const stale = Object.keys(require.cache)
    .map((f) => sourceOf(root, f))
    .filter((s): s is string => s !== undefined && !isFresh(root, s));
  if (stale.length > 0) throw staleError(root, stale);
  if (guarded) return;
  guarded = true;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Module = require('module') as { _extensions: Record<string, (m: NodeJS.Module, file: string) => void> };
  const load = Module._extensions['.js'];
  Module._extensions['.js'] = function (m: NodeJS.Module, file: string) {
    const src = sourceOf(root, file);
    if (src !== undefined && !isFresh(root, src)) throw staleError(root, [src]);
    return load.call(this, m, file);
  };
}
