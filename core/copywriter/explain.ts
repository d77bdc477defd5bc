/**
 * The marketer-facing explanation of a draft (Chinese, no internal scores): why this item (the
 * user's preferred values and the evidence behind them), the doubt answered, and the tone chosen.
 */
import type { CatalogItem, TasteEntry, TasteProfile } from '../domain/ports';
import type { Tone } from '../domain/types';

/** A doubt the user voiced in their own reviews. */
export interface Doubt {
  aspect: string;
  /** A short snippet of the review clause. */
  evidence: string;
  /** Category of the reviewed item. */
  category: string;
  itemId: string;
  /** The analyzer's confidence in the negative polarity (≥ DOUBT_MIN_CONFIDENCE). */
  confidence: number;
}

const EVENT_VERB: Array<[string, string]> = [['buy', '买过'], ['cart', '加购过'], ['fav', '收藏过'], ['rate', '评价过'], ['click', '点击过'], ['view', '浏览过']];

/** The tones as marketers read them. */
export const TONE_LABEL: Record<Tone, string> = { warm: '亲切', excited: '热情', reassuring: '安心', concise: '简洁' };

function evidenceSummary(entries: TasteEntry[]): string {
  for (const [event, verb] of EVENT_VERB) {
    const items = new Set(entries.flatMap((e) => e.evidence.filter((x) => x.event === event).map((x) => x.itemId)));
    if (items.size > 0) return `${verb} ${items.size} 件同类`;
  }
  return '相似顾客也喜欢';
}

/** Why this item: the marketer named it, it has the user's preferred values, it is in their usual category, or the model's pick for a new user. */
function itemReason(opts: { prefs: TasteEntry[]; taste: TasteProfile; item?: CatalogItem; requested?: boolean }): string {
  const prefs = opts.prefs.length > 0 ? `含该用户偏好的${opts.prefs.map((p) => p.value).join('、')}（${evidenceSummary(opts.prefs)}）` : '';
  if (opts.requested) return `选品: 按指定商品${prefs ? `，${prefs}` : ''}`;
  if (prefs) return `选品: ${prefs}`;
  const cat = opts.item && opts.taste.categories.find((c) => c.value === opts.item!.category);
  if (cat) return `选品: 该用户常逛的${cat.value}类（${evidenceSummary([cat])}）`;
  if (opts.taste.coldStart || opts.taste.attributes.length === 0) return '选品: 新用户，按热门推荐';
  return '选品: 偏好模型按相似顾客的购买推荐';
}

/** The one-line explanation a marketer reads: in Chinese, no internal scores or strategy ids (those are in --json). */
export function explain(opts: { prefs: TasteEntry[]; taste: TasteProfile; item?: CatalogItem; requestedItem?: boolean; doubt?: Doubt; tone: Tone; toneReason: 'doubt' | 'bandit' | 'requested'; noEvidence?: boolean; compliance: number }): string {
  const parts: string[] = [itemReason({ prefs: opts.prefs, taste: opts.taste, item: opts.item, requested: opts.requestedItem })];
  if (opts.doubt) parts.push(`顾虑: ${opts.doubt.aspect}${opts.noEvidence ? '' : `「${opts.doubt.evidence}」`}`);
  const tone = TONE_LABEL[opts.tone];
  const why = opts.toneReason === 'doubt' ? `${tone}语气（回应顾虑）` : opts.toneReason === 'requested' ? `${tone}语气（按要求）` : `${tone}语气（该人群反馈较好）`;
  let line = `${parts.join('；')} → ${why}`;
  if (opts.compliance > 0) line += `；合规改写 ${opts.compliance} 处`;
  return line;
}
