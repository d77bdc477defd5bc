/**
 * Planning a campaign batch: per user, the item (the campaign's item the preference model
 * scores highest), the preferred values it has, the doubt to answer, the tone rule, and the
 * pool key — users with the same item, bandit segment, tone rule, length and preferred values
 * share one pool of copy bodies. Uses the copywriter's own rules (preferredValuesOf,
 * relevantDoubts, mostFrequent), so a campaign draft reads like a single draft.
 */
import type { CatalogItem, TasteEntry } from '../domain/ports';
import { Doubt, UserInsight, preferredValuesOf, relevantDoubts, mostFrequent } from '../copywriter/pipeline';
import type { Tone, LengthBucket } from '../domain/types';
import type { CampaignContext } from './context';
import type { StrategySettings } from './spec';

export interface UserPlan {
  ins: UserInsight;
  item: CatalogItem;
  prefs: TasteEntry[];
  doubt?: Doubt;
  toneReason: 'doubt' | 'bandit' | 'requested';
  fixedTone?: Tone;
  length?: LengthBucket;
  poolKey: string;
}

export function planUser(ctx: CampaignContext, ins: UserInsight, items: CatalogItem[], settings: StrategySettings, generation: number): UserPlan {
  let item = items[0];
  if (items.length > 1) {
    let best = -Infinity;
    for (const it of items) {
      const s = ctx.deps.preference.score(ins.userId, it.itemId);
      if (s > best) best = s, item = it;
    }
  }
  const prefs = preferredValuesOf(ins.taste, item);
  const doubt = mostFrequent(relevantDoubts(ins.doubts, item));
  const fixedTone = settings.tone ?? (doubt ? 'reassuring' : undefined);
  const toneReason = settings.tone ? 'requested' : doubt ? 'doubt' : 'bandit';
  const poolKey = [`g${generation}`, item.itemId, ins.segment, fixedTone ?? '*', settings.length ?? '*', prefs.map((p) => p.value).sort().join('+')].join('|');
  return { ins, item, prefs, doubt, toneReason, fixedTone, length: settings.length, poolKey };
}
