/** The demo catalogue: items with attribute sets, titles and prices, drawn from vocabulary.ts. */
import { DemoRng } from './random';
import { CATEGORIES, COLORS, STYLES, PATTERNS, SEASONS, TITLE_TEMPLATES, MATERIALS_FOR_SUBTYPE, FIXED_FOR_SUBTYPE, SEASONS_FOR_SUBTYPE, POINT_CONFLICTS, CategorySpec } from './vocabulary';
import type { Attribute } from '../data/attributes';

export interface DemoItem {
  item_id: string;
  title: string;
  category: string;
  attributes: Attribute[];
  price: number;
  /** Popularity (hidden): how much attention the item gets regardless of taste. */
  popularity: number;
  /** A hidden quality flaw (aspect) reviews of this item tend to complain about, if any. */
  flaw?: string;
}

export const FIRST_ITEM_NUMBER = 1001;

function priceFor(rng: DemoRng, spec: CategorySpec, factor: number): number {
  const [lo, hi] = spec.price;
  const raw = (lo + (hi - lo) * Math.pow(rng.next(), 1.6)) * factor;
  // Shop prices: whole yuan ending in 9.
  return Math.max(lo, Math.min(Math.round(hi * 1.3), Math.round(raw / 10) * 10 - 1));
}

function fillTitle(template: string, parts: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => parts[k] ?? '').replace(/\s+/g, ' ').trim();
}

/** Flaws an item can have, by category (a bag has no size problem, a shoe's size is its 尺码). */
const FLAWS: Record<string, string[]> = {
  裙: ['尺码', '面料', '做工', '颜色'],
  裤: ['尺码', '面料', '做工', '颜色'],
  上衣: ['尺码', '面料', '做工', '颜色', '气味'],
  外套: ['尺码', '面料', '做工', '颜色'],
  鞋: ['尺码', '做工', '气味'],
  包: ['做工', '颜色', '气味'],
};

export function generateCatalog(rng: DemoRng): DemoItem[] {
  const items: DemoItem[] = [];
  let n = FIRST_ITEM_NUMBER;
  for (const spec of CATEGORIES) {
    for (let k = 0; k < spec.count; k++) {
      const sub = rng.pick(spec.subtype.values);
      const allowed = MATERIALS_FOR_SUBTYPE[sub];
      const mats = spec.materials.filter(([m]) => !allowed || allowed.includes(m));
      const [material, factor] = mats.length ? rng.pick(mats) : rng.pick(spec.materials);
      const color = rng.pick(COLORS);
      const style = rng.pick(STYLES);
      const pattern = spec.name === '鞋' || spec.name === '包' ? (rng.chance(0.7) ? '纯色' : rng.pick(['拼色', '字母', '格子'])) : rng.pick(PATTERNS);
      const attrs: Attribute[] = [
        { key: '类型', value: spec.name },
        { key: spec.subtype.key, value: sub },
        { key: '材质', value: material },
        { key: '颜色', value: color },
        { key: '风格', value: style },
        { key: '图案', value: pattern },
      ];
      const fixed = FIXED_FOR_SUBTYPE[sub] ?? {};
      for (const a of spec.attrs) {
        if (a.optional && !rng.chance(0.6)) continue;
        attrs.push({ key: a.key, value: fixed[a.key] ?? rng.pick(a.values) });
      }
      const values = attrs.map((a) => a.value);
      const points = spec.sellingPoints.filter((p) => !(POINT_CONFLICTS[p] ?? []).some((v) => values.includes(v)));
      const point = rng.pick(points.length ? points : spec.sellingPoints);
      const extra = attrs.filter((a) => ['版型', '裙长', '裤长', '衣长', '跟高', '尺寸'].includes(a.key)).map((a) => a.value)[0] ?? '';
      const title = fillTitle(rng.pick(TITLE_TEMPLATES), {
        season: rng.pick(SEASONS_FOR_SUBTYPE[sub] ?? SEASONS),
        style,
        color,
        // 帆布帆布鞋, 针织针织衫: no material in the title when the sub-type already says it.
        material: sub.includes(material.slice(0, 2)) ? '' : material,
        pattern: pattern === '纯色' ? '' : pattern,
        subtype: sub,
        point,
        extra,
      });
      // Popularity: heavy-tailed (a few best sellers, a long tail).
      const popularity = Math.round(Math.exp(1.3 * rng.normal()) * 1000) / 1000;
      const flaw = rng.chance(0.15) ? rng.pick(FLAWS[spec.name]) : undefined;
      items.push({ item_id: `SKU-${n++}`, title, category: spec.name, attributes: attrs, price: priceFor(rng, spec, factor), popularity, flaw });
    }
  }
  return items;
}

/** Offers a demo item can carry (a shop runs a few at a time, on some items only). */
export const OFFERS = ['包邮', '满199减20', '第二件半价', '会员享9折', '新客立减10元', '支持7天无理由退换'];

/** Each item's offers: 40 % have none, the others one or two (drawn from their own stream, so the rest of the store is unchanged). */
export function drawOffers(rng: DemoRng, items: DemoItem[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const it of items) {
    if (rng.chance(0.4)) {
      out.set(it.item_id, []);
      continue;
    }
    const first = rng.pick(OFFERS);
    const second = rng.chance(0.3) ? rng.pick(OFFERS.filter((o) => o !== first)) : undefined;
    out.set(it.item_id, second ? [first, second] : [first]);
  }
  return out;
}
