/**
 * The copywriter on the shipped models and the demo store: what the CLI, the bot
 * and the notebooks call. Each model module exposes a loader implementing its
 * port (core/domain/ports.ts); a missing model is reported in one clear line.
 */
import * as path from 'path';
import { Db, openStore, recentDraftTexts } from '../store/db';
import { loadStore, storePort, Store } from '../data/store';
import { demoDir, modelsDir } from '../util/paths';
import { pseudonymKey } from '../privacy/pseudonym';
import type { GeneratorPort, PreferencePort, SentimentPort } from '../domain/ports';
import { Copywriter, CopywriterDeps, createCopywriter } from './pipeline';

/** Stored drafts the generator's phrase memory starts with (the most recent). */
export const RECENT_DRAFTS_REMEMBERED = 2000;

export interface LoadCopywriterOptions {
  /** Store folder (default: the demo store, or COPYDESK_STORE). */
  storeDir?: string;
  /** Models folder (default: models/, or COPYDESK_MODELS). */
  modelsDir?: string;
  /** An open db, or a file (default: COPYDESK_DB or ./copydesk.db). */
  db?: Db | string;
  pseudonymKey?: string;
  /** Anything else for createCopywriter (templates, rules, rng…). */
  overrides?: Partial<CopywriterDeps>;
  /** Called once the store is read and before any model loads (the CLI refuses unknown users and items here, in milliseconds). */
  beforeModels?: (store: Store) => void;
}

export interface LoadedCopywriter extends Copywriter {
  store: Store;
  /** Seconds spent loading each part. */
  loadSeconds: { store: number; preference: number; sentiment: number; generator: number; total: number };
}

export class ModelUnavailableError extends Error {
  constructor(readonly model: string, detail: string) {
    super(`the ${model} model is not available (${detail})`);
    this.name = 'ModelUnavailableError';
  }
}

type Loader<T> = (dir?: string, ...rest: unknown[]) => T | Promise<T>;

/**
 * A model package's loader. The package is required lazily (a literal require, so the import graph
 * sees it) only when the copywriter loads, and a package that cannot load is one clear line.
 */
function loaderOf<T>(load: () => Record<string, unknown>, folder: string, exportName: string, model: string): Loader<T> {
  const modulePath = path.join(__dirname, '..', folder);
  let mod: Record<string, unknown>;
  try {
    mod = load();
  } catch (e) {
    throw new ModelUnavailableError(model, `cannot load ${path.relative(process.cwd(), modulePath) || modulePath}: ${(e as Error).message.split('\n')[0]}`);
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new ModelUnavailableError(model, `${modulePath} has no ${exportName}()`);
  return fn as Loader<T>;
}

async function timed<T>(f: () => T | Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const v = await f();
  return [v, Number(process.hrtime.bigint() - t0) / 1e9];
}

export async function loadCopywriter(opts: LoadCopywriterOptions = {}): Promise<LoadedCopywriter> {
  const t0 = process.hrtime.bigint();
  const models = opts.modelsDir ?? modelsDir();
  const [store, storeS] = await timed(() => loadStore(opts.storeDir ?? demoDir()));
  opts.beforeModels?.(store);
  const [preference, prefS] = await timed(() => loaderOf<PreferencePort>(() => require('../mf'), 'mf', 'loadPreferenceModel', 'preference')(path.join(models, 'mf'), store));
  const [sentiment, sentS] = await timed(() => loaderOf<SentimentPort>(() => require('../sentiment'), 'sentiment', 'loadSentimentModel', 'sentiment')(path.join(models, 'sentiment')));
  const [generator, genS] = await timed(() => loaderOf<GeneratorPort>(() => require('../seq2seq'), 'seq2seq', 'loadGenerator', 'generator')(path.join(models, 'generator')));
  const db = typeof opts.db === 'object' ? opts.db : openStore(opts.db);
  // The generator varies its phrasing from recent drafts; after a restart it learns them from the store.
  generator.remember?.(recentDraftTexts(db, RECENT_DRAFTS_REMEMBERED));
  const view = { ...storePort(store), segmentOf: (userId: string) => store.userById.get(userId)?.segment };
  const cw = createCopywriter({ store: view, preference, sentiment, generator, db, pseudonymKey: opts.pseudonymKey ?? pseudonymKey(), ...opts.overrides });
  const total = Number(process.hrtime.bigint() - t0) / 1e9;
  return Object.assign(cw, { store, loadSeconds: { store: storeS, preference: prefS, sentiment: sentS, generator: genS, total } });
}
