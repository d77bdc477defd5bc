/**
 * The store's summary for `copydesk store` and the notebooks: danfojs frames of items, events and
 * reviews, and the counts (per category, event kind, rating, label) computed from them.
 */
import { EVENT_KINDS, type Store } from './store';

/** The parts of danfojs-node used here. */
interface DanfoFrame {
  groupby(cols: string[]): { count(): DanfoFrame };
  column(name: string): { values: unknown[] };
  values: unknown[][];
  columns: string[];
  shape: [number, number];
}
interface Danfo {
  DataFrame: new (data: Record<string, unknown[]>) => DanfoFrame;
}

let danfo: Danfo | undefined;
/** danfojs-node, loaded on first use (it takes a few seconds to load). */
export function loadDanfo(): Danfo {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!danfo) danfo = require('danfojs-node') as Danfo;
  return danfo;
}

/** The store as danfojs DataFrames (one row per item/event/review; events and reviews carry their item's category). */
export function storeFrames(store: Store): { items: DanfoFrame; events: DanfoFrame; reviews: DanfoFrame } {
  const { DataFrame } = loadDanfo();
  const cat = (itemId: string) => store.itemById.get(itemId)?.category ?? '';
  const items = new DataFrame({
    item_id: store.items.map((i) => i.item_id),
    category: store.items.map((i) => i.category),
    price: store.items.map((i) => i.price),
  });
  const events = new DataFrame({
    user_id: store.events.map((e) => e.user_id),
    item_id: store.events.map((e) => e.item_id),
    category: store.events.map((e) => cat(e.item_id)),
    event: store.events.map((e) => e.event),
    value: store.events.map((e) => e.value),
  });
  const reviews = new DataFrame({
    item_id: store.reviews.map((r) => r.item_id),
    category: store.reviews.map((r) => cat(r.item_id)),
    rating: store.reviews.map((r) => r.rating),
    label: store.reviews.map((r) => r.label ?? (r.rating >= 4 ? 'pos' : r.rating <= 2 ? 'neg' : 'neutral')),
  });
  return { items, events, reviews };
}

/** `{a: n, …}` from a grouped count over one or two key columns. */
function countsOf(frame: DanfoFrame, keys: string[]): Record<string, number> {
  const g = frame.groupby(keys).count();
  const keyCols = keys.map((k) => g.column(k).values);
  const countCol = g.columns.find((c) => !keys.includes(c))!;
  const counts = g.column(countCol).values as number[];
  const out: Record<string, number> = {};
  counts.forEach((n, i) => {
    out[keyCols.map((c) => String(c[i])).join('/')] = n;
  });
  return out;
}

function sortedDesc(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

export interface StoreSummary {
  dir: string;
  counts: { items: number; users: number; events: number; reviews: number; categories: number };
  itemsPerCategory: Record<string, number>;
  eventsPerKind: Record<string, number>;
  /** Events per category and kind, `裙/view` → n. */
  eventsPerCategoryKind: Record<string, number>;
  reviewsByPolarity: Record<string, number>;
  reviewsByRating: Record<string, number>;
  price: { min: number; median: number; max: number };
  /** Users with at least one event, and the mean number of events per such user. */
  activeUsers: number;
  eventsPerActiveUser: number;
  hasTastes: boolean;
  skipped: number;
}

/**
 * Runs `fn` without tfjs's one-time "install the node backend" notice, which danfojs
 * triggers on the cpu backend (the runtime's choice of backend is reported elsewhere).
 */
function withoutTfjsNotice<T>(fn: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('looks like you are running TensorFlow.js in Node.js')) return;
    warn(...args);
  };
  try {
    return fn();
  } finally {
    console.warn = warn;
  }
}

/** Counts per category/event/polarity, computed with danfojs DataFrames. */
export function storeSummary(store: Store): StoreSummary {
  return withoutTfjsNotice(() => summarize(store));
}

function summarize(store: Store): StoreSummary {
  const frames = storeFrames(store);
  const prices = store.items.map((i) => i.price).sort((a, b) => a - b);
  const active = new Set(store.events.map((e) => e.user_id)).size;
  const itemsPerCategory = store.items.length ? sortedDesc(countsOf(frames.items, ['category'])) : {};
  const eventsPerKind: Record<string, number> = {};
  const perKind = store.events.length ? countsOf(frames.events, ['event']) : {};
  for (const k of EVENT_KINDS) eventsPerKind[k] = perKind[k] ?? 0;
  return {
    dir: store.dir,
    counts: { items: store.items.length, users: store.users.length, events: store.events.length, reviews: store.reviews.length, categories: Object.keys(itemsPerCategory).length },
    itemsPerCategory,
    eventsPerKind,
    eventsPerCategoryKind: store.events.length ? countsOf(frames.events, ['category', 'event']) : {},
    reviewsByPolarity: store.reviews.length ? sortedDesc(countsOf(frames.reviews, ['label'])) : {},
    reviewsByRating: store.reviews.length ? countsOf(frames.reviews, ['rating']) : {},
    price: { min: prices[0] ?? 0, median: prices[Math.floor(prices.length / 2)] ?? 0, max: prices[prices.length - 1] ?? 0 },
    activeUsers: active,
    eventsPerActiveUser: active ? Math.round((store.events.length / active) * 10) / 10 : 0,
    hasTastes: store.tastes !== undefined,
    skipped: store.skipped.length,
  };
}
