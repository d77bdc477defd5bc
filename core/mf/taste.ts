/**
 * How well taste profiles recover the demo store's hidden tastes (tastes.json, written by
 * the demo generator). The profile never sees tastes.json: only this measurement reads it.
 * For each user: the share of their top-3 hidden attribute values that appear among the
 * top-5 attribute values of their profile; averaged over users.
 */
import type { PreferencePort } from '../domain/ports';
import type { Tastes } from '../data/store';

export interface TasteRecovery {
  /** Mean over users of |top-3 hidden ∩ top-5 profile| / 3. */
  recovery: number;
  /** Share of users with all three recovered. */
  allThree: number;
  /** Same with the top category (hidden top category = profile's top category). */
  topCategory: number;
  users: number;
}

export function tasteRecovery(model: PreferencePort, tastes: Tastes, opts: { hidden?: number; shown?: number; users?: string[] } = {}): TasteRecovery {
  const hidden = opts.hidden ?? 3;
  const shown = opts.shown ?? 5;
  let sum = 0;
  let all = 0;
  let cat = 0;
  let n = 0;
  for (const user of opts.users ?? Object.keys(tastes)) {
    const t = tastes[user];
    if (!t || t.top.length === 0) continue;
    const want = t.top.slice(0, hidden).map((e) => `${e.key}#${e.value}`);
    const p = model.tasteProfile(user, Math.max(shown, 10));
    const got = new Set(p.attributes.slice(0, shown).map((e) => `${e.key}#${e.value}`));
    const hit = want.filter((w) => got.has(w)).length;
    sum += hit / want.length;
    if (hit === want.length) all++;
    if (t.categories[0] && p.categories[0]?.value === t.categories[0].category) cat++;
    n++;
  }
  return { recovery: sum / Math.max(1, n), allThree: all / Math.max(1, n), topCategory: cat / Math.max(1, n), users: n };
}
