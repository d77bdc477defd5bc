/**
 * Demo users, their hidden tastes, and the behaviour and reviews those tastes drive.
 *
 * Each user has a segment (学生党, 职场通勤 …) that tilts a hidden taste: weights over
 * categories, 3–5 liked attribute values, a price sensitivity, and for some users a
 * complaint (an aspect they are unhappy with in one category, e.g. 裤/尺码). Views come
 * from a mixture of taste, popularity (heavy-tailed) and uniform noise. Taste views are
 * either a search for one liked value (picked ∝ its weight; the items carrying it, ∝ affinity)
 * or browsing ∝ affinity^tasteFocus, so users mostly look at what they like; a
 * funnel view → click → fav/cart → buy → rate/review follows the user's liking of the item.
 * Ratings and reviews follow satisfaction: liking, the item's hidden flaw, the user's complaint.
 */
import { DemoRng, WeightedSampler } from './random';
import type { DemoItem } from './catalog';
import { CATEGORIES, COLORS, STYLES, PATTERNS, FITS, SEGMENTS, CITIES, AGE_BANDS, SegmentSpec } from './vocabulary';
import { ASPECT_PHRASES, ASPECTS_FOR_CATEGORY, OPENERS, CLOSERS, BUT, Pol } from './phrases';
import type { EventKind, UserTaste, AspectLabel } from '../data/store';

export interface DemoUser {
  user_id: string;
  segment: string;
  city: string;
  age_band: string;
}

export interface DemoTaste extends UserTaste {
  segment: string;
  /** 0 … 1: how much the user prefers cheap items. */
  thrift: number;
}

export interface DemoEvent {
  user_id: string;
  item_id: string;
  event: EventKind;
  value: number;
  timestamp: number;
}

export interface DemoReview {
  user_id: string;
  item_id: string;
  text: string;
  rating: number;
  timestamp: number;
  label: Pol;
  aspects: AspectLabel[];
}

/** 2026-09-01T00:00:00Z: the demo period runs 80 days from here. */
export const START = Date.UTC(2026, 8, 1) / 1000;
export const PERIOD_DAYS = 80;
const DAY = 86400;

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function userId(i: number, n: number): string {
  return `u-${String(i + 1).padStart(Math.max(3, String(n).length), '0')}`;
}

/** value → attribute key, over the whole catalogue (first key wins: 宽松 is 版型). */
function valueKeys(items: DemoItem[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const it of items) for (const a of it.attributes) if (a.key !== '类型' && !m.has(a.value)) m.set(a.value, a.key);
  return m;
}

function drawTaste(rng: DemoRng, seg: SegmentSpec, keys: Map<string, string>, items: DemoItem[]): DemoTaste {
  // Categories: a base weight, the segment's tilt, and one or two favourites.
  const cats = CATEGORIES.map((c) => c.name);
  const w = cats.map((c) => (0.3 + rng.next()) * (seg.categories[c] ?? 1));
  for (const fav of rng.sample(cats.map((_, i) => i), rng.int(1, 2))) w[fav] *= 3;
  const total = w.reduce((a, b) => a + b, 0);
  const categories = cats.map((c, i) => ({ category: c, weight: round3(w[i] / total) })).sort((a, b) => b.weight - a.weight || (a.category < b.category ? -1 : 1));

  // Liked values: half from the segment's leanings, the rest from the general pools and the
  // sub-types of the favourite category.
  const favCat = categories[0].category;
  const favSubs = [...new Set(items.filter((i) => i.category === favCat).map((i) => i.attributes[1].value))];
  const materials = [...new Set(items.map((i) => i.attributes.find((a) => a.key === '材质')!.value))].sort();
  const pools = [materials, COLORS, STYLES, PATTERNS.filter((p) => p !== '纯色'), FITS, favSubs];
  const n = rng.int(3, 5);
  const chosen: string[] = [];
  let guard = 0;
  while (chosen.length < n && guard++ < 100) {
    const v = rng.chance(0.5) ? rng.pick(seg.values) : rng.pick(rng.pick(pools));
    if (!chosen.includes(v) && keys.has(v)) chosen.push(v);
  }
  const top = chosen
    .map((value, r) => ({ key: keys.get(value)!, value, weight: round3((1.8 - 0.25 * r) * (0.85 + 0.3 * rng.next())) }))
    .sort((a, b) => b.weight - a.weight || (a.value < b.value ? -1 : 1));

  const thrift = round3(Math.min(1, Math.max(0, seg.thrift + 0.2 * rng.normal())));
  const taste: DemoTaste = { segment: seg.name, top, categories, thrift };
  if (rng.chance(0.18)) {
    const cat = rng.chance(0.7) ? categories[0].category : categories[1].category;
    const aspects = ['尺码', '面料', '做工', '颜色', '气味'].filter((a) => ASPECTS_FOR_CATEGORY[cat].includes(a));
    taste.complaints = [{ category: cat, aspect: rng.pick(aspects) }];
  }
  return taste;
}

export function generateUsers(rng: DemoRng, n: number, items: DemoItem[]): { users: DemoUser[]; tastes: Map<string, DemoTaste> } {
  const keys = valueKeys(items);
  const users: DemoUser[] = [];
  const tastes = new Map<string, DemoTaste>();
  for (let i = 0; i < n; i++) {
    const seg = SEGMENTS[rng.weighted(SEGMENTS.map((s) => s.share))];
    const id = userId(i, n);
    users.push({ user_id: id, segment: seg.name, city: rng.pick(CITIES), age_band: AGE_BANDS[rng.weighted(seg.ages)] });
    tastes.set(id, drawTaste(rng, seg, keys, items));
  }
  return { users, tastes };
}

/** How much a user likes an item (> 0): category weight × exp(matched liked values) × price fit. */
export function affinity(taste: DemoTaste, item: DemoItem, medianPrice: Map<string, number>): number {
  const cw = taste.categories.find((c) => c.category === item.category)?.weight ?? 0.01;
  let s = 0;
  for (const t of taste.top) if (item.attributes.some((a) => a.key === t.key && a.value === t.value)) s += t.weight;
  const rel = item.price / medianPrice.get(item.category)!;
  return cw * Math.exp(s) * Math.exp(-taste.thrift * 0.8 * (rel - 1));
}

function medianPrices(items: DemoItem[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of CATEGORIES) {
    const p = items.filter((i) => i.category === c.name).map((i) => i.price).sort((a, b) => a - b);
    m.set(c.name, p[Math.floor(p.length / 2)]);
  }
  return m;
}

function subtypeOf(item: DemoItem): string {
  return item.attributes[1].value;
}

function clause(rng: DemoRng, aspect: string, pol: Pol, item: DemoItem): string {
  return rng.pick(ASPECT_PHRASES[aspect][pol]).replace('{sub}', subtypeOf(item));
}

/** A short review with known label and aspects. */
export function composeReview(rng: DemoRng, item: DemoItem, label: Pol, forced: AspectLabel[]): { text: string; aspects: AspectLabel[] } {
  const avail = ASPECTS_FOR_CATEGORY[item.category];
  const aspects: AspectLabel[] = [...forced];
  const want = label === 'pos' ? rng.int(1, 3) : rng.int(1, 2);
  const free = () => avail.filter((a) => !aspects.some((x) => x.aspect === a));
  while (aspects.filter((a) => a.polarity === label).length < want && free().length) aspects.push({ aspect: rng.pick(free()), polarity: label });
  // Sometimes one dissenting clause (a positive review with one complaint, or the reverse).
  if (!aspects.some((a) => a.polarity !== label) && rng.chance(label === 'pos' ? 0.15 : 0.3) && free().length) {
    aspects.push({ aspect: rng.pick(free()), polarity: label === 'pos' ? 'neg' : 'pos' });
  }
  const main = aspects.filter((a) => a.polarity === label).map((a) => clause(rng, a.aspect, label, item));
  const other = aspects.filter((a) => a.polarity !== label).map((a) => clause(rng, a.aspect, a.polarity, item));
  const parts: string[] = [];
  const opener = rng.pick(OPENERS[label]).replace('{sub}', subtypeOf(item));
  if (opener) parts.push(opener);
  if (label === 'pos') {
    parts.push(...main);
    for (const o of other) parts.push(rng.pick(BUT.pos).replace('{clause}', o));
  } else {
    if (other.length) {
      const form = rng.pick(BUT.neg);
      parts.push(form.replace('{clause}', other.join('，')));
      main[0] = `但是${main[0]}`;
    }
    parts.push(...main);
  }
  const closer = rng.pick(CLOSERS[label]);
  if (closer) parts.push(closer);
  let text = parts.join('，');
  text += label === 'pos' ? rng.pick(['。', '！', '。', '~']) : rng.pick(['。', '！', '。']);
  if (label === 'pos' && rng.chance(0.04)) text += '👍';
  // The order in the aspects column: as they appear in the text.
  const ordered = label === 'pos' ? [...aspects.filter((a) => a.polarity === label), ...aspects.filter((a) => a.polarity !== label)] : [...aspects.filter((a) => a.polarity !== label), ...aspects.filter((a) => a.polarity === label)];
  return { text, aspects: ordered };
}

export interface BehaviourOptions {
  /** Mean views per user (log-normal activity). */
  meanViews: number;
  /** Probability that a bought item gets a written review. */
  reviewRate: number;
  /** Share of views drawn by taste and by popularity; the rest is uniform browsing noise. */
  tasteShare: number;
  popularShare: number;
  /** Exponent on the affinity when a taste view picks an item (> 1: browsing concentrates on what the user likes most). */
  tasteFocus: number;
  /** Share of taste views that come from a search for one liked value (picked ∝ its weight), browsing the items that carry it. */
  searchShare: number;
}

/** Events and reviews for every user, sorted by time. */
export function generateBehaviour(
  rng: DemoRng,
  users: DemoUser[],
  tastes: Map<string, DemoTaste>,
  items: DemoItem[],
  opts: BehaviourOptions,
): { events: DemoEvent[]; reviews: DemoReview[] } {
  const med = medianPrices(items);
  const popular = new WeightedSampler(items.map((i) => i.popularity));
  const events: Array<DemoEvent & { seq: number }> = [];
  const reviews: Array<DemoReview & { seq: number }> = [];
  let seq = 0;
  const logMean = Math.log(opts.meanViews) - 0.5 * 0.7 * 0.7;

  for (const u of users) {
    const taste = tastes.get(u.user_id)!;
    const aff = items.map((i) => affinity(taste, i, med));
    const meanAff = aff.reduce((a, b) => a + b, 0) / aff.length;
    const byTaste = new WeightedSampler(aff.map((a) => Math.pow(a, opts.tasteFocus)));
    // Searches: for each liked value, the items carrying it (∝ affinity).
    const searches = taste.top.map((t) => {
      const ws = items.map((it, i) => (it.attributes.some((a) => a.key === t.key && a.value === t.value) ? aff[i] : 0));
      return ws.some((w) => w > 0) ? new WeightedSampler(ws) : undefined;
    });
    const searchWeights = taste.top.map((t, k) => (searches[k] ? t.weight : 0));
    const canSearch = searchWeights.some((w) => w > 0);
    const tasteView = () => (canSearch && rng.chance(opts.searchShare) ? searches[rng.weighted(searchWeights)]!.draw(rng) : byTaste.draw(rng));
    const views = Math.max(5, Math.min(400, Math.round(Math.exp(logMean + 0.7 * rng.normal()))));
    const bought = new Set<number>();
    let t = START + rng.int(0, 3 * DAY);
    const end = START + PERIOD_DAYS * DAY;
    const push = (idx: number, event: EventKind, value: number, ts: number) => {
      events.push({ user_id: u.user_id, item_id: items[idx].item_id, event, value, timestamp: ts, seq: seq++ });
    };
    for (let v = 0; v < views; v++) {
      // A new session now and then: jump ahead hours or days; otherwise seconds to minutes.
      // Session gaps average out so each user's views spread over the whole period.
      const maxGap = Math.floor((2 * (end - t)) / (0.15 * (views - v) + 1));
      t += rng.chance(0.15) ? rng.int(2 * 3600, Math.max(2 * 3600 + 1, maxGap)) : rng.int(15, 240);
      if (t > end) t = end - rng.int(0, 3600);
      const r = rng.next();
      const idx = r < opts.tasteShare ? tasteView() : r < opts.tasteShare + opts.popularShare ? popular.draw(rng) : rng.int(0, items.length - 1);
      const item = items[idx];
      const liking = Math.log(aff[idx] / meanAff) + 0.5 * rng.normal();
      push(idx, 'view', 1, t);
      if (!rng.chance(sigmoid(-0.6 + 1.1 * liking))) continue;
      t += rng.int(5, 120);
      push(idx, 'click', 1, t);
      if (rng.chance(sigmoid(-2.0 + liking))) push(idx, 'fav', 1, (t += rng.int(5, 60)));
      if (!rng.chance(sigmoid(-0.4 + liking))) continue;
      push(idx, 'cart', 1, (t += rng.int(10, 300)));
      if (bought.has(idx) || !rng.chance(0.55 + 0.3 * sigmoid(liking))) continue;
      const buyT = (t += rng.int(60, 2 * DAY));
      push(idx, 'buy', 1, buyT);
      bought.add(idx);

      // After delivery: a rating and maybe a review, following satisfaction.
      const complaint = taste.complaints?.find((c) => c.category === item.category);
      const sat = 0.7 * liking + 0.6 * rng.normal() - (item.flaw ? 0.9 : 0) - (complaint ? 2.4 : 0);
      const rating = Math.max(1, Math.min(5, Math.round(3.6 + sat)));
      const label: Pol = rating >= 4 ? 'pos' : 'neg';
      const later = buyT + rng.int(3 * DAY, 10 * DAY);
      const writes = rng.chance(opts.reviewRate);
      if (writes || rng.chance(0.35)) push(idx, 'rate', rating, later);
      if (!writes) continue;
      const forced: AspectLabel[] = [];
      if (complaint) forced.push({ aspect: complaint.aspect, polarity: 'neg' });
      if (item.flaw && item.flaw !== complaint?.aspect && rng.chance(label === 'neg' ? 0.8 : 0.3)) forced.push({ aspect: item.flaw, polarity: 'neg' });
      // A positive review carries at most one complaint; drop extra forced ones.
      const kept = label === 'pos' ? forced.slice(0, 1) : forced;
      const { text, aspects } = composeReview(rng, item, label, kept);
      reviews.push({ user_id: u.user_id, item_id: item.item_id, text, rating, timestamp: later + rng.int(60, 3 * 3600), label, aspects, seq: seq++ });
    }
  }
  const byTime = <T extends { timestamp: number; seq: number }>(a: T, b: T) => a.timestamp - b.timestamp || a.seq - b.seq;
  events.sort(byTime);
  reviews.sort(byTime);
  return {
    events: events.map(({ seq: _s, ...e }) => e),
    reviews: reviews.map(({ seq: _s, ...r }) => r),
  };
}
