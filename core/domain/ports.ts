/**
 * What the copywriter pipeline needs from each model, as interfaces. Each model
 * module (core/mf, core/sentiment, core/seq2seq) provides a loader returning an
 * object that satisfies its port; the pipeline depends only on these.
 */
import type { Tone, LengthBucket } from './types';

// ---------- preference (core/mf) ----------

export interface TasteEntry {
  /** An attribute value (e.g. 雪纺) or a category, with the attribute key it belongs to (材质, category…). */
  key: string;
  value: string;
  score: number;
  /** Evidence: the user's items and events behind this entry (item ids and event kinds). */
  evidence: Array<{ itemId: string; event: string }>;
}

export interface TasteProfile {
  userId: string;
  /** Sorted, strongest first. */
  attributes: TasteEntry[];
  categories: TasteEntry[];
  coldStart: boolean;
}

export interface PreferencePort {
  /** Top-k items for the user that they have not bought, best first. */
  recommend(userId: string, k: number): Array<{ itemId: string; score: number }>;
  /** Predicted preference of the user for one item. */
  score(userId: string, itemId: string): number;
  tasteProfile(userId: string, topN?: number): TasteProfile;
}

// ---------- sentiment (core/sentiment) ----------

export type Aspect = '尺码' | '面料' | '做工' | '颜色' | '物流' | '价格' | '客服' | '气味' | '款式';

export interface AspectSentiment {
  aspect: string;
  polarity: 'positive' | 'negative';
  /** The clause of the review that carries it (a short snippet). */
  evidence: string;
  /** How sure the analyzer is of the polarity, 0–1 (opinion phrase 0.9, general opinion word 0.8, the model: 2·|p − 0.5|). */
  confidence?: number;
}

export interface SentimentResult {
  label: 'positive' | 'negative' | 'neutral';
  /** Calibrated probability that the text is positive. */
  probability: number;
  aspects: AspectSentiment[];
}

export interface SentimentPort {
  analyze(texts: string[]): Promise<SentimentResult[]>;
}

// ---------- generator (core/seq2seq) ----------

export type AspectFocus = 'appearance' | 'texture' | 'function';
export const ASPECTS: AspectFocus[] = ['appearance', 'texture', 'function'];

export interface GenerateRequest {
  /** AdvertiseGen form: `类型#裙*材质#雪纺*…`. */
  attrs: string;
  tone: Tone;
  length?: LengthBucket;
  aspect?: AspectFocus;
  /** Attribute values to emphasise (from the user's taste profile). */
  prefer?: string[];
  n: number;
  seed?: number;
}

export interface GeneratedCopy {
  text: string;
  /** Reranking score (higher is better): coverage, no contradictions, model likelihood. */
  score: number;
}

export interface GeneratorPort {
  generate(req: GenerateRequest): Promise<GeneratedCopy[]>;
  /** Optional: drafts written before (oldest first, e.g. by an earlier process), so new drafts vary their phrasing from them. */
  remember?(texts: string[]): void;
}

// ---------- the store (core/data/store: catalog, users, events, reviews) ----------

export interface CatalogItem {
  itemId: string;
  title: string;
  category: string;
  attributes: Array<{ key: string; value: string }>;
  price: number;
  /** The item's current offers (包邮, 满199减20 …): the message mentions an offer only when there is one. */
  offers?: string[];
}

export interface UserReview {
  itemId: string;
  text: string;
  rating: number;
  timestamp?: string;
}

/** The read-only view of the store the copywriter needs. */
export interface StorePort {
  hasUser(userId: string): boolean;
  item(itemId: string): CatalogItem | undefined;
  /** The user's own reviews, newest first. */
  reviewsBy(userId: string): UserReview[];
  /** Items the user bought. */
  boughtBy(userId: string): Set<string>;
  /** The user's marketing segment (users.csv `segment`), when the store has one: the strategy bandit learns per segment. */
  segmentOf?(userId: string): string | undefined;
  /** Purchases so far and days since the user's last event (on the store's clock: its latest event), for the greeting. */
  visitOf?(userId: string): { purchases: number; daysSinceLastVisit?: number };
}
