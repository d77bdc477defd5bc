/**
 * The preference model the rest of Copydesk uses: one class over an explicit (rating) or
 * implicit (event) factorization, with item attributes for taste profiles and cold starts,
 * the users' histories for evidence; save/load (model.json + weights.bin, Float32) is in
 * persist.ts. It implements the copywriter's PreferencePort.
 */
import type { PreferencePort, TasteEntry, TasteProfile } from '../domain/ports';
import { IdMap } from './ids';
import type { ExplicitModel } from './explicit';
import { ImplicitModel, itemVectors, EventWeights, DEFAULT_WEIGHTS, eventWeight } from './implicit';
import type { Interaction, ItemMeta } from './data';
import { topK } from './rank';
import { fitChoice, ChoiceData, CHOICE_DEFAULTS } from './choice';
import { saveModel, loadModelParts } from './persist';

export { MODEL_FILE, WEIGHTS_FILE, FORMAT_VERSION } from './persist';

export type { ModelInfo, HistoryEntry, ModelParts } from './persist';
import type { ModelInfo, HistoryEntry, ModelParts } from './persist';

const CATEGORY_KEY = 'category';
/** Prior precision of a user's attribute factors around their group's (see the model card for how it was chosen). */
export const PROFILE_LAMBDA = 30;
export const GROUP_LAMBDA = 30;
/** Categories have plenty of events each: their prior is this much weaker, so category preference is not smeared over category-specific values. */
export const CATEGORY_PRIOR_SCALE = 0.1;

export class PreferenceModel implements PreferencePort {
  readonly users: IdMap;
  readonly items: IdMap;
  readonly features: IdMap;
  private readonly coldUser: Float64Array;
  private itemFeatureCache = new Map<string, number[]>();

  constructor(readonly parts: ModelParts) {
    this.users = IdMap.from(parts.users);
    this.items = IdMap.from(parts.items);
    this.features = IdMap.from(parts.featureNames);
    const K = parts.factors;
    this.coldUser = new Float64Array(K);
    const nU = parts.users.length;
    for (let u = 0; u < nU; u++) for (let k = 0; k < K; k++) this.coldUser[k] += parts.P[u * K + k] / nU;
  }

  get kind(): 'explicit' | 'implicit' {
    return this.parts.kind;
  }

  get info(): ModelInfo {
    return this.parts.info;
  }

  // ---------- building ----------

  static fromExplicit(m: ExplicitModel, extra: { rows?: Interaction[]; items?: Map<string, ItemMeta>; userGroups?: Map<string, string>; info: ModelInfo }): PreferenceModel {
    return new PreferenceModel({
      kind: 'explicit',
      users: m.users.ids.slice(),
      items: m.items.ids.slice(),
      factors: m.factors,
      mu: m.mu,
      P: m.P,
      V: m.Q,
      bu: m.bu,
      bi: m.bi,
      featureNames: [],
      E: new Float64Array(0),
      d: new Float64Array(0),
      popularity: countUsers(m.items, extra.rows ?? []),
      itemMeta: extra.items ?? new Map(),
      history: histories(extra.rows ?? []),
      userGroups: extra.userGroups,
      weights: DEFAULT_WEIGHTS,
      ratingRange: [m.minRating, m.maxRating],
      info: extra.info,
    });
  }

  static fromImplicit(m: ImplicitModel, extra: { rows: Interaction[]; items: Map<string, ItemMeta>; userGroups?: Map<string, string>; weights: EventWeights; affinity?: number; info: ModelInfo }): PreferenceModel {
    const { V, b } = itemVectors(m);
    return new PreferenceModel({
      kind: 'implicit',
      users: m.users.ids.slice(),
      items: m.items.ids.slice(),
      factors: m.factors,
      mu: 0,
      P: m.P,
      V,
      bu: new Float64Array(m.users.size),
      bi: b,
      featureNames: m.features ? m.features.names.ids.slice() : [],
      E: m.E,
      d: m.d,
      popularity: countUsers(m.items, extra.rows),
      itemMeta: extra.items,
      history: histories(extra.rows),
      userGroups: extra.userGroups,
      weights: extra.weights,
      affinity: extra.affinity,
      info: extra.info,
    });
  }

  /** Replaces histories and item metadata with a store's current ones (new items get attribute vectors). */
  withData(rows: Interaction[], items: Map<string, ItemMeta>, userGroups?: Map<string, string>): PreferenceModel {
    return new PreferenceModel({ ...this.parts, history: histories(rows), itemMeta: new Map([...this.parts.itemMeta, ...items]), userGroups: userGroups ?? this.parts.userGroups });
  }

  // ---------- vectors ----------

  private userVec(u: number): { vec: ArrayLike<number>; off: number; bias: number } {
    if (u >= 0) return { vec: this.parts.P, off: u * this.parts.factors, bias: this.parts.bu[u] };
    return { vec: this.coldUser, off: 0, bias: 0 };
  }

  /** Feature indices of an item (from its category and attributes). */
  private itemFeatureIdx(itemId: string): number[] {
    let f = this.itemFeatureCache.get(itemId);
    if (!f) {
      const meta = this.parts.itemMeta.get(itemId);
      f = [];
      if (meta?.category) f.push(this.features.get(`${CATEGORY_KEY}#${meta.category}`));
      for (const [k, v] of meta?.attributes ?? []) f.push(this.features.get(`${k}#${v}`));
      f = [...new Set(f.filter((x) => x >= 0))];
      this.itemFeatureCache.set(itemId, f);
    }
    return f;
  }

  /** Item vector and bias; an unknown item with known attributes gets the mean of its attribute embeddings. */
  itemVector(itemId: string): { vec: Float64Array; bias: number; cold: boolean } | undefined {
    const K = this.parts.factors;
    const i = this.items.get(itemId);
    if (i >= 0) return { vec: Float64Array.from(this.parts.V.subarray(i * K, i * K + K)), bias: this.parts.bi[i], cold: false };
    const f = this.itemFeatureIdx(itemId);
    if (f.length === 0) return undefined;
    const vec = new Float64Array(K);
    let bias = 0;
    for (const x of f) {
      for (let k = 0; k < K; k++) vec[k] += this.parts.E[x * K + k] / f.length;
      bias += this.parts.d[x] / f.length;
    }
    return { vec, bias, cold: true };
  }

  // ---------- PreferencePort ----------

  score(userId: string, itemId: string): number {
    const K = this.parts.factors;
    const uv = this.userVec(this.users.get(userId));
    const iv = this.itemVector(itemId);
    let s = this.parts.mu + uv.bias;
    if (iv) {
      s += iv.bias;
      for (let k = 0; k < K; k++) s += uv.vec[uv.off + k] * iv.vec[k];
    } else if (this.kind === 'implicit') {
      s += meanOf(this.parts.bi) - 1;
    }
    const g = this.parts.affinity ?? 0;
    if (g > 0) s += g * this.historyTerm(itemId, this.userFeatureWeights(userId));
    return this.clip(s);
  }

  private clip(s: number): number {
    const r = this.parts.ratingRange;
    return r ? Math.min(r[1], Math.max(r[0], s)) : s;
  }

  /** Scores of all known items for a user (cold user: mean user vector, i.e. popularity + attribute priors). */
  scoreAll(userId: string): Float64Array {
    const K = this.parts.factors;
    const { V, bi, mu } = this.parts;
    const nI = this.items.size;
    const uv = this.userVec(this.users.get(userId));
    const out = new Float64Array(nI);
    for (let i = 0; i < nI; i++) {
      let s = mu + uv.bias + bi[i];
      for (let k = 0; k < K; k++) s += uv.vec[uv.off + k] * V[i * K + k];
      out[i] = s;
    }
    const g = this.parts.affinity ?? 0;
    const wf = g > 0 ? this.userFeatureWeights(userId) : undefined;
    if (wf && wf.size > 0) {
      for (let i = 0; i < nI; i++) out[i] += g * this.historyTerm(this.items.ids[i], wf);
    }
    if (this.users.get(userId) < 0) {
      // popularity prior for new users
      const pop = this.parts.popularity;
      let max = 1;
      for (let i = 0; i < nI; i++) max = Math.max(max, pop[i]);
      for (let i = 0; i < nI; i++) out[i] += Math.log1p(pop[i]) / Math.log1p(max);
    }
    return out;
  }

  private userFeatureWeights(userId: string): Map<number, number> {
    const m = new Map<number, number>();
    for (const h of this.parts.history.get(userId) ?? []) {
      const w = eventWeight(this.parts.weights, h.event, 4);
      for (const f of this.itemFeatureIdx(h.item)) m.set(f, (m.get(f) ?? 0) + w);
    }
    return m;
  }

  private historyTerm(itemId: string, wf: Map<number, number>): number {
    const fs = this.itemFeatureIdx(itemId);
    if (fs.length === 0) return 0;
    let s = 0;
    for (const f of fs) s += Math.log1p(wf.get(f) ?? 0);
    return s / fs.length;
  }

  isKnownUser(userId: string): boolean {
    return this.users.has(userId);
  }

  recommend(userId: string, k: number, opts: { exclude?: 'bought' | 'seen' } = {}): Array<{ itemId: string; score: number }> {
    const scores = this.scoreAll(userId);
    const ex = new Set<number>();
    for (const h of this.parts.history.get(userId) ?? []) {
      if (opts.exclude === 'seen' || h.event === 'buy') {
        const i = this.items.get(h.item);
        if (i >= 0) ex.add(i);
      }
    }
    return topK(scores, k, ex).map((i) => ({ itemId: this.items.ids[i], score: this.clip(scores[i]) }));
  }

  /**
   * Taste profile from the user's attribute-space factors θ_u (see choice.ts): a choice model
   * over the catalogue, items = their attribute values + category, fitted on the user's
   * weighted events with a prior centred on their group's θ (the `segment` column of
   * users.csv when the store has one) or on everyone's θ̄. Attributes are ranked by
   * θ_u,f − θ̄_f (how much more than the average user they go for f), categories by θ_u,c.
   * Evidence: the user's items with that value and the events on them. `类型` (item type)
   * duplicates the category and is left to `categories`. Never reads tastes.json.
   */
  tasteProfile(userId: string, topN = 10): TasteProfile {
    const hist = this.parts.history.get(userId) ?? [];
    const tc = this.choice();
    const nF = this.features.size;
    const w = new Float64Array(tc.items.size);
    const evidence = new Map<number, Array<{ itemId: string; event: string }>>();
    for (const h of hist) {
      const i = tc.items.get(h.item);
      if (i < 0) continue;
      w[i] += eventWeight(this.parts.weights, h.event, 4);
      for (let t = tc.data.start[i]; t < tc.data.start[i + 1]; t++) {
        const f = tc.data.feat[t];
        const ev = evidence.get(f) ?? [];
        ev.push({ itemId: h.item, event: h.event });
        evidence.set(f, ev);
      }
    }
    const group = this.parts.userGroups?.get(userId);
    const prior = (group !== undefined && tc.groupTheta(group)) || tc.thetaBar;
    const theta = fitChoice(tc.data, w, prior, { ...CHOICE_DEFAULTS, lambda: PROFILE_LAMBDA, lambdaScale: tc.lambdaScale });
    const entry = (f: number, score: number): TasteEntry => {
      const name = this.features.ids[f];
      const at = name.indexOf('#');
      return { key: name.slice(0, at), value: name.slice(at + 1), score: Math.round(score * 1000) / 1000, evidence: dedupeEvidence(evidence.get(f) ?? []).slice(0, 5) };
    };
    const attrs: TasteEntry[] = [];
    const cats: TasteEntry[] = [];
    for (let f = 0; f < nF; f++) {
      const name = this.features.ids[f];
      if (!tc.used[f] || name.startsWith('类型#')) continue;
      if (name.startsWith(`${CATEGORY_KEY}#`)) cats.push(entry(f, theta[f]));
      else attrs.push(entry(f, theta[f] - tc.thetaBar[f] + (hist.length === 0 ? tc.thetaBar[f] : 0)));
    }
    attrs.sort((a, b) => b.score - a.score);
    cats.sort((a, b) => b.score - a.score);
    return { userId, attributes: attrs.slice(0, topN), categories: cats.slice(0, topN), coldStart: !this.users.has(userId) && hist.length === 0 };
  }

  private choiceCache: { data: ChoiceData; items: IdMap; thetaBar: Float64Array; used: Uint8Array; groupTheta: (g: string) => Float64Array | undefined; lambdaScale: Float64Array } | undefined;

  /** The catalogue as a choice-model design (items with metadata), θ̄ on everyone's events, group θs on demand. */
  private choice(): NonNullable<PreferenceModel['choiceCache']> {
    if (this.choiceCache) return this.choiceCache;
    const items = new IdMap();
    const start = [0];
    const feat: number[] = [];
    const used = new Uint8Array(this.features.size);
    for (const id of new Set([...this.parts.items, ...this.parts.itemMeta.keys()])) {
      const fs = this.itemFeatureIdx(id);
      if (fs.length === 0) continue;
      items.add(id);
      for (const f of fs) {
        feat.push(f);
        used[f] = 1;
      }
      start.push(feat.length);
    }
    const data: ChoiceData = { nFeatures: this.features.size, start: Int32Array.from(start), feat: Int32Array.from(feat) };
    const weightsOf = (users: Iterable<string>): Float64Array => {
      const w = new Float64Array(items.size);
      for (const u of users) for (const h of this.parts.history.get(u) ?? []) {
        const i = items.get(h.item);
        if (i >= 0) w[i] += eventWeight(this.parts.weights, h.event, 4);
      }
      return w;
    };
    const thetaBar = fitChoice(data, weightsOf(this.parts.history.keys()), undefined, { lambda: 0.01, iterations: 300, step: 1 });
    const groups = new Map<string, Float64Array | undefined>();
    const groupTheta = (g: string): Float64Array | undefined => {
      if (!groups.has(g)) {
        const members = [...(this.parts.userGroups ?? new Map<string, string>())].filter(([, x]) => x === g).map(([u]) => u);
        groups.set(g, members.length ? fitChoice(data, weightsOf(members), thetaBar, { lambda: GROUP_LAMBDA, iterations: 200, step: 1 }) : undefined);
      }
      return groups.get(g);
    };
    const lambdaScale = Float64Array.from(this.features.ids, (name) => (name.startsWith(`${CATEGORY_KEY}#`) ? CATEGORY_PRIOR_SCALE : 1));
    this.choiceCache = { data, items, thetaBar, used, groupTheta, lambdaScale };
    return this.choiceCache;
  }

  // ---------- persistence (core/mf/persist.ts) ----------

  save(dir: string): { files: string[]; bytes: number } {
    return saveModel(this.parts, dir);
  }

  static load(dir: string): PreferenceModel {
    return new PreferenceModel(loadModelParts(dir));
  }
}

function histories(rows: Interaction[]): Map<string, HistoryEntry[]> {
  const h = new Map<string, HistoryEntry[]>();
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.user}\u0000${r.item}\u0000${r.event}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = h.get(r.user) ?? [];
    list.push({ item: r.item, event: r.event });
    h.set(r.user, list);
  }
  return h;
}

function countUsers(items: IdMap, rows: Interaction[]): Float64Array {
  const pop = new Float64Array(items.size);
  const seen = new Set<string>();
  for (const r of rows) {
    const i = items.get(r.item);
    const key = `${r.user}\u0000${r.item}`;
    if (i < 0 || seen.has(key)) continue;
    seen.add(key);
    pop[i]++;
  }
  return pop;
}

function meanOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : 0;
}

const EVENT_RANK: Record<string, number> = { buy: 0, rate: 1, cart: 2, fav: 3, click: 4, view: 5 };

function dedupeEvidence(ev: Array<{ itemId: string; event: string }>): Array<{ itemId: string; event: string }> {
  // one line per item, with its strongest event; strongest items first
  const best = new Map<string, string>();
  for (const e of ev) {
    const cur = best.get(e.itemId);
    if (cur === undefined || (EVENT_RANK[e.event] ?? 9) < (EVENT_RANK[cur] ?? 9)) best.set(e.itemId, e.event);
  }
  return [...best].map(([itemId, event]) => ({ itemId, event })).sort((a, b) => (EVENT_RANK[a.event] ?? 9) - (EVENT_RANK[b.event] ?? 9));
}
