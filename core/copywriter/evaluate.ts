/**
 * The copywriter's two demo-store quality figures (shared by the bench suite and
 * the end-to-end test):
 *  - preference mention: of the drafts whose item has one of the user's top-3
 *    preferred attribute values, the share whose text mentions at least one of them;
 *  - reassuring tone: of the users whose own reviews carry a negative aspect for a
 *    category (the store's review labels: ground truth, not the sentiment model),
 *    the share that get the reassuring tone for an item of that category.
 */
import type { Store } from '../data/store';
import type { Copywriter } from './pipeline';
import { TOP_PREFS } from './pipeline';

export interface PreferenceMention {
  users: number;
  drafts: number;
  /** Drafts whose item has a top-3 value (model taste profile). */
  eligible: number;
  rate: number;
  /** The same counting only the generator's copy (not the template's preference line). */
  body_rate: number;
  /** The same against the demo store's hidden tastes (tastes.json). */
  hidden_eligible: number;
  hidden_rate: number;
}

const mentions = (text: string, values: string[]) => values.some((v) => text.toLowerCase().includes(v.toLowerCase()));

export async function preferenceMention(cw: Copywriter, store: Store, userIds: string[], n = 3, onDraft?: (ms: number) => void): Promise<PreferenceMention> {
  let drafts = 0, eligible = 0, hit = 0, bodyHit = 0, hEligible = 0, hHit = 0;
  for (const u of userIds) {
    const t0 = process.hrtime.bigint();
    const res = await cw.draft({ userId: u, n, source: { kind: 'cli', requestedBy: 'bench' } });
    onDraft?.(Number(process.hrtime.bigint() - t0) / 1e6);
    const top = cw.deps.preference.tasteProfile(u, TOP_PREFS).attributes.slice(0, TOP_PREFS).map((e) => e.value);
    const hidden = (store.tastes?.[u]?.top ?? []).slice(0, TOP_PREFS).map((e) => e.value);
    for (const d of res.drafts) {
      drafts++;
      const vals = new Set(store.itemById.get(d.item_id)?.attributes.map((a) => a.value) ?? []);
      const own = top.filter((v) => vals.has(v));
      if (own.length > 0) {
        eligible++;
        if (mentions(d.text, own)) hit++;
        if (mentions(cw.bodyOf(d.id) ?? '', own)) bodyHit++;
      }
      const hid = hidden.filter((v) => vals.has(v));
      if (hid.length > 0) {
        hEligible++;
        if (mentions(d.text, hid)) hHit++;
      }
    }
  }
  const r = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 10000) / 10000);
  return { users: userIds.length, drafts, eligible, rate: r(hit, eligible), body_rate: r(bodyHit, eligible), hidden_eligible: hEligible, hidden_rate: r(hHit, hEligible) };
}

/** Users with a negative labelled aspect in a review, and the category of the reviewed item. */
export function usersWithDoubts(store: Store): Array<{ userId: string; category: string; aspect: string }> {
  const seen = new Set<string>();
  const out: Array<{ userId: string; category: string; aspect: string }> = [];
  for (const r of store.reviews) {
    const neg = (r.aspects ?? []).find((a) => a.polarity === 'neg');
    const category = store.itemById.get(r.item_id)?.category;
    if (!neg || !category || seen.has(r.user_id)) continue;
    seen.add(r.user_id);
    out.push({ userId: r.user_id, category, aspect: neg.aspect });
  }
  return out;
}

export interface ReassuringRate {
  users: number;
  reassuring: number;
  rate: number;
  /** Share of reassuring drafts for users with no negative aspect at all (should stay low). */
  rate_without_doubt: number;
  users_without_doubt: number;
}

/** An item of `category` the user has not bought, best ranked first. */
function itemIn(cw: Copywriter, store: Store, userId: string, category: string): string | undefined {
  const bought = cw.deps.store.boughtBy(userId);
  for (const r of cw.deps.preference.recommend(userId, 200)) {
    if (!bought.has(r.itemId) && store.itemById.get(r.itemId)?.category === category) return r.itemId;
  }
  return store.items.find((i) => i.category === category && !bought.has(i.item_id))?.item_id;
}

export async function reassuringRate(cw: Copywriter, store: Store, limit: number, controls = limit): Promise<ReassuringRate> {
  const doubters = usersWithDoubts(store).slice(0, limit);
  let reassuring = 0, users = 0;
  for (const d of doubters) {
    const itemId = itemIn(cw, store, d.userId, d.category);
    if (!itemId) continue;
    users++;
    const res = await cw.draft({ userId: d.userId, itemId, n: 1, source: { kind: 'cli', requestedBy: 'bench' } });
    if (res.drafts[0]?.tone === 'reassuring') reassuring++;
  }
  const withDoubt = new Set(store.reviews.filter((r) => (r.aspects ?? []).some((a) => a.polarity === 'neg')).map((r) => r.user_id));
  const calm = store.users.map((u) => u.user_id).filter((u) => !withDoubt.has(u)).slice(0, controls);
  let calmReassuring = 0;
  for (const u of calm) {
    const res = await cw.draft({ userId: u, n: 1, source: { kind: 'cli', requestedBy: 'bench' } });
    if (res.drafts[0]?.tone === 'reassuring') calmReassuring++;
  }
  const r = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 10000) / 10000);
  return { users, reassuring, rate: r(reassuring, users), users_without_doubt: calm.length, rate_without_doubt: r(calmReassuring, calm.length) };
}
