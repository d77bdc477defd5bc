/**
 * The store: a folder of CSV files (the demo store lives in data/demo/).
 *
 *   items.csv    item_id,title,category,attributes,price       attributes: key#value*key#value
 *   users.csv    user_id[,segment,city,age_band…]              first column user_id; other columns kept as text
 *   events.csv   user_id,item_id,event,value,timestamp          event: view|click|cart|fav|buy|rate;
 *                                                               value 1–5 for rate, ≥ 0 otherwise; timestamp: Unix seconds
 *   reviews.csv  user_id,item_id,text,rating,timestamp[,label,aspects]
 *                                                               rating 1–5; label pos|neg; aspects like 尺码:neg|物流:pos
 *   tastes.json  optional: the hidden tastes the demo generator used (see Tastes)
 *
 * Every problem is a DataError naming file, line and field (including events and reviews that
 * name a user or item the other files do not have); with `skipBad` such rows are skipped and
 * listed in `skipped`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataError, LoadOptions, Loaded, SkippedRow } from './errors';
import { fields, readTable, readUtf8, FieldError, short } from './table';
import { Attribute, parseAttributes } from './attributes';
import { demoDir } from '../util/paths';
import type { CatalogItem, StorePort, UserReview } from '../domain/ports';

export { parseAttributes, formatAttributes } from './attributes';
export type { Attribute } from './attributes';

export const EVENT_KINDS = ['view', 'click', 'cart', 'fav', 'buy', 'rate'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export type Polarity = 'pos' | 'neg';

export const STORE_FILES = { items: 'items.csv', users: 'users.csv', events: 'events.csv', reviews: 'reviews.csv', tastes: 'tastes.json' } as const;

export interface StoreItem {
  item_id: string;
  title: string;
  category: string;
  attributes: Attribute[];
  price: number;
  /** Current offers (optional `offers` column, `|`-separated: 包邮|满199减20); absent or [] when none. */
  offers?: string[];
}

export interface StoreUser {
  user_id: string;
  /** The other columns of users.csv (segment, city, age_band in the demo store). */
  [column: string]: string;
}

export interface StoreEvent {
  user_id: string;
  item_id: string;
  event: EventKind;
  /** 1–5 for `rate`; a count (usually 1) for the others. */
  value: number;
  /** Unix seconds. */
  timestamp: number;
}

export interface AspectLabel {
  aspect: string;
  polarity: Polarity;
}

export interface StoreReview {
  user_id: string;
  item_id: string;
  text: string;
  rating: number;
  timestamp: number;
  /** Known polarity, when the file has a `label` column (the demo store does). */
  label?: Polarity;
  /** Known aspects, when the file has an `aspects` column. */
  aspects?: AspectLabel[];
}

/** Hidden tastes of the demo users (what the generator drew events from). */
export interface UserTaste {
  /** Attribute values the user likes, strongest first. */
  top: Array<{ key: string; value: string; weight: number }>;
  /** Category weights, strongest first. */
  categories: Array<{ category: string; weight: number }>;
  /** Aspects the user complains about for a category (their negative reviews are about these). */
  complaints?: Array<{ category: string; aspect: string }>;
}
export type Tastes = Record<string, UserTaste>;

export interface Store {
  dir: string;
  items: StoreItem[];
  users: StoreUser[];
  events: StoreEvent[];
  reviews: StoreReview[];
  /** tastes.json when the folder has one. */
  tastes?: Tastes;
  itemById: Map<string, StoreItem>;
  userById: Map<string, StoreUser>;
  /** Rows skipped under skipBad, with their file. */
  skipped: Array<SkippedRow & { file: string }>;
}

export interface StoreLoadOptions extends LoadOptions {
  /** Read tastes.json when present (default true). */
  tastes?: boolean;
}

// ---------- field parsers ----------

const id = (what: string) => (raw: string): string => {
  const v = raw.trim();
  if (v === '') throw new Error(`${what} is empty`);
  if (/\s/.test(v)) throw new Error(`${what} "${short(v)}" contains whitespace`);
  return v;
};

const timestamp = fields.unixSeconds;

const rating = (raw: string): number => {
  const v = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(v) || v < 1 || v > 5) throw new Error(`"${short(raw)}" is not a rating (an integer 1–5)`);
  return v;
};

const price = (raw: string): number => {
  const v = fields.number(raw);
  if (v < 0) throw new Error(`"${raw}" is not a price (a number ≥ 0)`);
  return v;
};

const attributes = (raw: string): Attribute[] => parseAttributes(raw);
/** Longest offer text accepted (an offer is a short phrase such as 满199减20). */
const MAX_OFFER_CHARS = 20;
const offers = (raw: string): string[] => {
  const list = raw.split('|').map((o) => o.trim()).filter((o) => o !== '');
  for (const o of list) if (o.length > MAX_OFFER_CHARS) throw new Error(`offer "${o.slice(0, 30)}" is longer than ${MAX_OFFER_CHARS} characters`);
  return list;
};

const polarity = (raw: string): Polarity | undefined => {
  const v = raw.trim();
  if (v === '') return undefined;
  if (v !== 'pos' && v !== 'neg') throw new Error(`"${short(v)}" is not a polarity (pos or neg)`);
  return v;
};

/** `尺码:neg|物流:pos` → [{aspect:'尺码',polarity:'neg'}, …]; empty → []. */
export function parseAspects(raw: string): AspectLabel[] {
  const v = raw.trim();
  if (v === '') return [];
  return v.split('|').map((part) => {
    const m = /^([^:|]+):(pos|neg)$/.exec(part.trim());
    if (!m) throw new Error(`"${short(part)}" is not aspect:pos or aspect:neg (expected e.g. 尺码:neg|物流:pos)`);
    return { aspect: m[1], polarity: m[2] as Polarity };
  });
}

export function formatAspects(aspects: AspectLabel[]): string {
  return aspects.map((a) => `${a.aspect}:${a.polarity}`).join('|');
}

// ---------- loaders ----------

export function loadItems(file: string, opts: LoadOptions = {}): Loaded<StoreItem> {
  const seen = new Set<string>();
  return readTable<StoreItem>(
    file,
    {
      item_id: { column: 'item_id', parse: id('item_id') },
      title: { column: 'title', parse: fields.nonEmpty },
      category: { column: 'category', parse: fields.nonEmpty },
      attributes: { column: 'attributes', parse: attributes },
      price: { column: 'price', parse: price },
      offers: { column: 'offers', parse: offers, optional: true },
    },
    {
      ...opts,
      check: (row) => {
        if (seen.has(row.item_id)) throw new FieldError('item_id', `item "${row.item_id}" appears twice`);
        // The generator writes about the 类型 (裙, 裤 …); without it the copy is about nothing ("红色红白红色的红色…").
        if (!row.attributes.some((a) => a.key === '类型')) throw new FieldError('attributes', 'has no 类型#… pair (the category the copy is about, e.g. 类型#裙)');
        seen.add(row.item_id);
      },
    },
  );
}

export function loadUsers(file: string, opts: LoadOptions = {}): Loaded<StoreUser> {
  // The header decides the columns: user_id first, then any others (kept as text).
  const text = readUtf8(file);
  const firstLine = text.split('\n', 1)[0].replace(/\r$/, '');
  const header = firstLine.split(',').map((h) => h.trim());
  if (text.trim() !== '' && header[0] !== 'user_id') {
    throw new DataError(file, 1, 'user_id', `the first column must be "user_id" (header has: ${header.join(', ') || 'nothing'})`);
  }
  const schema: Record<string, { column: string; parse: (raw: string) => string }> = {};
  for (const h of header) schema[h] = { column: h, parse: h === 'user_id' ? id('user_id') : fields.text };
  const seen = new Set<string>();
  return readTable<StoreUser>(file, schema as never, {
    ...opts,
    check: (row) => {
      if (seen.has(row.user_id)) throw new FieldError('user_id', `user "${row.user_id}" appears twice`);
      seen.add(row.user_id);
    },
  });
}

/** Known ids for reference checks; without them ids are not checked. */
export interface KnownIds {
  users?: Set<string> | Map<string, unknown>;
  items?: Set<string> | Map<string, unknown>;
}

function refCheck(known: KnownIds, row: { user_id: string; item_id: string }): void {
  if (known.users && !known.users.has(row.user_id)) throw new FieldError('user_id', `unknown user "${short(row.user_id)}" (not in ${STORE_FILES.users})`);
  if (known.items && !known.items.has(row.item_id)) throw new FieldError('item_id', `unknown item "${short(row.item_id)}" (not in ${STORE_FILES.items})`);
}

export function loadEvents(file: string, known: KnownIds = {}, opts: LoadOptions = {}): Loaded<StoreEvent> {
  return readTable<StoreEvent>(
    file,
    {
      user_id: { column: 'user_id', parse: id('user_id') },
      item_id: { column: 'item_id', parse: id('item_id') },
      event: { column: 'event', parse: fields.oneOf(...EVENT_KINDS) },
      value: { column: 'value', parse: fields.number },
      timestamp: { column: 'timestamp', parse: timestamp },
    },
    {
      ...opts,
      check: (row) => {
        if (row.event === 'rate' && !(Number.isInteger(row.value) && row.value >= 1 && row.value <= 5)) {
          throw new FieldError('value', `a rate event needs a rating 1–5 (got ${row.value})`);
        }
        if (row.value < 0) throw new FieldError('value', `must be ≥ 0 (got ${row.value})`);
        refCheck(known, row);
      },
    },
  );
}

export function loadReviews(file: string, known: KnownIds = {}, opts: LoadOptions = {}): Loaded<StoreReview> {
  const loaded = readTable<StoreReview & { _label?: Polarity; _aspects?: AspectLabel[] }>(
    file,
    {
      user_id: { column: 'user_id', parse: id('user_id') },
      item_id: { column: 'item_id', parse: id('item_id') },
      text: { column: 'text', parse: fields.nonEmpty },
      rating: { column: 'rating', parse: rating },
      timestamp: { column: 'timestamp', parse: timestamp },
      label: { column: 'label', parse: polarity, optional: true },
      aspects: { column: 'aspects', parse: parseAspects, optional: true },
    } as never,
    { ...opts, check: (row) => refCheck(known, row) },
  );
  // Drop the optional keys the file does not have (so rows compare cleanly).
  for (const r of loaded.rows) {
    if (r.label === undefined) delete r.label;
    if (r.aspects === undefined) delete r.aspects;
  }
  return loaded as Loaded<StoreReview>;
}

/** Reads and checks tastes.json. */
export function loadTastes(file: string, known: KnownIds = {}): Tastes {
  let obj: unknown;
  try {
    obj = JSON.parse(readUtf8(file));
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(file, undefined, undefined, `not valid JSON (${(e as Error).message})`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new DataError(file, undefined, undefined, 'must be an object of user_id → taste');
  for (const [user, t] of Object.entries(obj as Record<string, unknown>)) {
    const taste = t as Partial<UserTaste> | null;
    if (known.users && !known.users.has(user)) throw new DataError(file, undefined, user, `unknown user "${short(user)}" (not in ${STORE_FILES.users})`);
    if (!taste || !Array.isArray(taste.top) || !Array.isArray(taste.categories)) {
      throw new DataError(file, undefined, user, 'needs arrays "top" and "categories"');
    }
    for (const e of taste.top) {
      if (typeof e?.key !== 'string' || typeof e?.value !== 'string' || typeof e?.weight !== 'number') {
        throw new DataError(file, undefined, `${user}.top`, 'entries need key, value (strings) and weight (number)');
      }
    }
  }
  return obj as Tastes;
}

/**
 * Loads a store folder (default: the demo store). `opts.limit` applies to events only.
 * Items and users are read first so events and reviews can be checked against them.
 */
export function loadStore(dir: string = demoDir(), opts: StoreLoadOptions = {}): Store {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DataError(dir, undefined, undefined, 'store folder not found');
  const f = (name: string) => path.join(dir, name);
  const base: LoadOptions = { skipBad: opts.skipBad };
  const items = loadItems(f(STORE_FILES.items), base);
  const users = loadUsers(f(STORE_FILES.users), base);
  const itemById = new Map(items.rows.map((r) => [r.item_id, r]));
  const userById = new Map(users.rows.map((r) => [r.user_id, r]));
  const known = { users: userById, items: itemById };
  const events = loadEvents(f(STORE_FILES.events), known, { skipBad: opts.skipBad, limit: opts.limit });
  const reviews = loadReviews(f(STORE_FILES.reviews), known, base);
  const tastesFile = f(STORE_FILES.tastes);
  const tastes = opts.tastes !== false && fs.existsSync(tastesFile) ? loadTastes(tastesFile, { users: userById }) : undefined;
  const skipped = [items, users, events, reviews].flatMap((l) => l.skipped.map((s) => ({ ...s, file: l.file })));
  return { dir, items: items.rows, users: users.rows, events: events.rows, reviews: reviews.rows, tastes, itemById, userById, skipped };
}

/** One line per file that had rows skipped (for stderr), or [] when nothing was skipped. */
export function describeStoreSkipped(store: Store): string[] {
  const byFile = new Map<string, Array<SkippedRow>>();
  for (const s of store.skipped) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  return [...byFile].map(([file, rows]) => {
    const first = rows.slice(0, 5).map((s) => `line ${s.line}${s.field ? ` (${s.field})` : ''}: ${s.problem}`);
    return `${file}: skipped ${rows.length} bad row(s): ${first.join('; ')}${rows.length > 5 ? '; …' : ''}`;
  });
}

// ---------- the copywriter's view ----------

/** The read-only StorePort the copywriter pipeline uses, over a loaded store. */
export function storePort(store: Store): StorePort {
  const reviewsByUser = new Map<string, UserReview[]>();
  for (const r of store.reviews) {
    const list = reviewsByUser.get(r.user_id) ?? [];
    list.push({ itemId: r.item_id, text: r.text, rating: r.rating, timestamp: new Date(r.timestamp * 1000).toISOString() });
    reviewsByUser.set(r.user_id, list);
  }
  for (const list of reviewsByUser.values()) list.sort((a, b) => (a.timestamp! < b.timestamp! ? 1 : a.timestamp! > b.timestamp! ? -1 : 0));
  const bought = new Map<string, Set<string>>();
  for (const e of store.events) {
    if (e.event !== 'buy') continue;
    const s = bought.get(e.user_id) ?? new Set<string>();
    s.add(e.item_id);
    bought.set(e.user_id, s);
  }
  // The store's clock is its latest event, so "days since the last visit" is the same on every run.
  const lastSeen = new Map<string, number>();
  let clock = 0;
  for (const e of store.events) {
    if (e.timestamp > (lastSeen.get(e.user_id) ?? -Infinity)) lastSeen.set(e.user_id, e.timestamp);
    if (e.timestamp > clock) clock = e.timestamp;
  }
  return {
    hasUser: (userId) => store.userById.has(userId),
    item: (itemId): CatalogItem | undefined => {
      const it = store.itemById.get(itemId);
      return it && { itemId: it.item_id, title: it.title, category: it.category, attributes: it.attributes, price: it.price, offers: it.offers ?? [] };
    },
    visitOf: (userId) => {
      const seen = lastSeen.get(userId);
      return { purchases: bought.get(userId)?.size ?? 0, daysSinceLastVisit: seen === undefined ? undefined : Math.floor((clock - seen) / 86400) };
    },
    reviewsBy: (userId) => reviewsByUser.get(userId) ?? [],
    boughtBy: (userId) => bought.get(userId) ?? new Set(),
  };
}
