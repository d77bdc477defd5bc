/**
 * The first cell of every notebook: checks the build, reads the quick-mode switch and
 * picks the TensorFlow.js backend.
 *
 * Quick mode (`QUICK=1` in the environment, as the test suite and CI run the notebooks)
 * shrinks data sizes and epochs so that all notebooks execute in a few minutes; the
 * committed outputs come from full runs (QUICK unset).
 */
import * as path from 'path';
import { guardCompiledModules } from './build';
import { initRuntime, type BackendName } from '../../core/tf/runtime';
import { PROJECT_ROOT } from '../../core/util/paths';

export interface NotebookContext {
  quick: boolean;
  root: string;
  backend: BackendName;
  /** `full` normally, `quick` in quick mode. */
  pick<T>(full: T, quick: T): T;
  /** Wall time since setup, for the closing cell. */
  elapsedSeconds(): number;
  /** A path as shown in outputs: relative to the project root (no machine-specific prefixes). */
  rel(p: string): string;
}

export function isQuick(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.QUICK ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false' && v !== 'no';
}

export async function notebookSetup(): Promise<NotebookContext> {
  guardCompiledModules();
  const started = Date.now();
  const quick = isQuick();
  // Progress bars and the backend notice are for terminals; notebook outputs stay clean.
  process.env.COPYDESK_QUIET_BACKEND ??= '1';
  process.env.COPYDESK_QUIET ??= '1';
  const backend = await initRuntime();
  return {
    quick,
    root: PROJECT_ROOT,
    backend,
    pick: (full, q) => (quick ? q : full),
    elapsedSeconds: () => (Date.now() - started) / 1000,
    rel: (p) => path.relative(PROJECT_ROOT, p) || '.',
  };
}
