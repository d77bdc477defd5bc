/**
 * Interactions for the preference model, whatever the source: MovieLens ratings,
 * Taobao UserBehavior events, or a Copydesk store (events.csv + items.csv).
 * Everything becomes `Interaction` rows (+ item metadata when the source has it).
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadMovieLens, loadTaobaoBehavior } from '../data/datasets';
import { DataError, LoadOptions, SkippedRow } from '../data/errors';

import { loadStore, Store, EventKind, EVENT_KINDS } from '../data/store';

export { EVENT_KINDS };
export type { EventKind };

export interface Interaction {
  user: string;
  item: string;
  event: EventKind;
  /** The rating for `rate` events; 1 otherwise. */
  value: number;
  timestamp: number;
}

export interface ItemMeta {
  title?: string;
  category?: string;
  /** `key#value` pairs (材质#雪纺…). */
  attributes: Array<[string, string]>;
}

export type DataFormat = 'movielens' | 'taobao' | 'store';

export interface InteractionData {
  format: DataFormat;
  file: string;
  rows: Interaction[];
  items: Map<string, ItemMeta>;
  skipped: SkippedRow[];
  /** User → group (a store's users.csv `segment` column), when known. */
  userGroups?: Map<string, string>;
}

/** Guesses the format from the path: a folder or events.csv → store, *.base|*.test|*.data → movielens, else taobao. */
export function guessFormat(file: string): DataFormat {
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) return 'store';
  if (path.basename(file) === 'events.csv') return 'store';
  if (/\.(base|test|data)$/.test(file)) return 'movielens';
  return 'taobao';
}

export function loadInteractions(file: string, format: DataFormat = guessFormat(file), opts: LoadOptions = {}): InteractionData {
  if (!fs.existsSync(file)) throw new DataError(file, undefined, undefined, 'file not found');
  if (format === 'movielens') {
    const l = loadMovieLens(file, opts);
    const rows = l.rows.map((r) => ({ user: r.user.trim(), item: r.item.trim(), event: 'rate' as const, value: r.rating, timestamp: r.timestamp }));
    return { format, file, rows, items: new Map(), skipped: l.skipped };
  }
  if (format === 'taobao') {
    const l = loadTaobaoBehavior(file, opts);
    const kind: Record<string, EventKind> = { pv: 'view', cart: 'cart', fav: 'fav', buy: 'buy' };
    const items = new Map<string, ItemMeta>();
    const rows = l.rows.map((r) => {
      if (!items.has(r.item_id)) items.set(r.item_id, { category: r.category_id, attributes: [] });
      return { user: r.user_id, item: r.item_id, event: kind[r.behavior], value: 1, timestamp: r.timestamp };
    });
    return { format, file, rows, items, skipped: l.skipped };
  }
  return loadStoreInteractions(file, opts);
}

/** A store folder (or its events.csv): events plus the items' categories and attributes. */
export function loadStoreInteractions(fileOrDir: string, opts: LoadOptions = {}): InteractionData {
  const dir = fs.statSync(fileOrDir).isDirectory() ? fileOrDir : path.dirname(fileOrDir);
  return fromStore(loadStore(dir, { ...opts, tastes: false }));
}

export function fromStore(s: Store): InteractionData {
  const rows: Interaction[] = s.events.map((e) => ({ user: e.user_id, item: e.item_id, event: e.event, value: e.event === 'rate' ? e.value : 1, timestamp: e.timestamp }));
  const userGroups = new Map<string, string>();
  for (const u of s.users) if (u.segment) userGroups.set(u.user_id, u.segment);
  return { format: 'store', file: path.join(s.dir, 'events.csv'), rows, items: storeItemMeta(s), skipped: s.skipped, userGroups: userGroups.size ? userGroups : undefined };
}

export function storeItemMeta(s: Store): Map<string, ItemMeta> {
  const items = new Map<string, ItemMeta>();
  for (const it of s.items) items.set(it.item_id, { title: it.title, category: it.category, attributes: it.attributes.map((a) => [a.key, a.value] as [string, string]) });
  return items;
}
