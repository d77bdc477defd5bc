/**
 * Aspect precision/recall: on the hand-labelled set (core/sentiment/aspects/eval-set.jsonl,
 * sentences written for this project) and, when present, the demo store's reviews.csv.
 * Detection counts (review, aspect) pairs; polarity counts (review, aspect, polarity) triples.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readJsonl, readTable, fields, stringField, FieldError } from '../data/table';
import { demoDir, PROJECT_ROOT } from '../util/paths';
import { SentimentAnalyzer, AspectPolarityMode } from './analyzer';
import { setPRF } from './metrics';

export interface AspectGold {
  text: string;
  aspects: Array<{ aspect: string; polarity: 'positive' | 'negative' }>;
}

/** Resolved from the project root: dist/ builds do not copy .jsonl files. */
export const DEFAULT_ASPECT_SET = path.join(PROJECT_ROOT, 'core', 'sentiment', 'aspects', 'eval-set.jsonl');

export function loadAspectSet(file: string): AspectGold[] {
  return readJsonl(file, (o) => {
    const text = stringField(o, 'text');
    if (!Array.isArray(o.aspects)) throw new FieldError('aspects', 'must be an array');
    const aspects = (o.aspects as Array<Record<string, unknown>>).map((a) => {
      const polarity = stringField(a, 'polarity');
      if (polarity !== 'positive' && polarity !== 'negative') throw new FieldError('aspects', `polarity "${polarity}" is not positive or negative`);
      return { aspect: stringField(a, 'aspect'), polarity: polarity as 'positive' | 'negative' };
    });
    return { text, aspects };
  }).rows;
}

/** data/demo/reviews.csv rows with their known aspects (`尺码:neg|物流:pos`), or null when absent. */
export function demoAspectRows(file = path.join(demoDir(), 'reviews.csv')): AspectGold[] | null {
  if (!fs.existsSync(file)) return null;
  try {
    const t = readTable<{ text: string; aspects: string }>(file, { text: { column: 'text', parse: fields.nonEmpty }, aspects: { column: 'aspects', parse: fields.text } }, { skipBad: true });
    return t.rows.map((r) => ({
      text: r.text,
      aspects: r.aspects
        .split('|')
        .filter((x) => x.includes(':'))
        .map((x) => {
          const [aspect, pol] = x.split(':');
          return { aspect: aspect.trim(), polarity: pol.trim().startsWith('pos') ? ('positive' as const) : ('negative' as const) };
        }),
    }));
  } catch {
    return null;
  }
}

function round(m: { precision: number; recall: number; f1: number }) {
  return { precision: +m.precision.toFixed(4), recall: +m.recall.toFixed(4), f1: +m.f1.toFixed(4) };
}

/** P/R/F1 of aspect detection and of aspect+polarity, for each polarity mode (hybrid is what analyze() uses). */
export function evaluateAspects(analyzer: SentimentAnalyzer, rows: AspectGold[]): Record<string, unknown> {
  const goldDet = rows.map((r) => new Set(r.aspects.map((a) => a.aspect)));
  const goldPol = rows.map((r) => new Set(r.aspects.map((a) => `${a.aspect}:${a.polarity}`)));
  const out: Record<string, unknown> = { n_reviews: rows.length, n_gold_aspects: goldPol.reduce((a, s) => a + s.size, 0) };
  for (const mode of ['hybrid', 'model', 'lexicon'] as AspectPolarityMode[]) {
    const a = new SentimentAnalyzer(analyzer.classifier, mode);
    const res = a.analyzeSync(rows.map((r) => r.text));
    const det = setPRF(res.map((r) => new Set(r.aspects.map((x) => x.aspect))), goldDet);
    const pol = setPRF(res.map((r) => new Set(r.aspects.map((x) => `${x.aspect}:${x.polarity}`))), goldPol);
    if (mode === 'hybrid') out.detection = round(det);
    out[`polarity_${mode}`] = round(pol);
  }
  return out;
}

/** Hand-labelled clauses: the praise a reviewer saw read as complaints, negation and contrast (但/不过/就是). */
export const DEFAULT_CLAUSE_SET = path.join(PROJECT_ROOT, 'core', 'sentiment', 'aspects', 'clause-set.jsonl');

/**
 * The demo store's own review clauses (core/demo/phrases.ts, from which reviews.csv is
 * written): each clause with the aspect and polarity it was written for.
 */
export function demoClauseRows(): AspectGold[] {
  // Loaded lazily: the demo generator is not needed to analyse reviews.
  const { ASPECT_PHRASES } = require('../demo/phrases') as typeof import('../demo/phrases');
  const out: AspectGold[] = [];
  for (const [aspect, byPol] of Object.entries(ASPECT_PHRASES)) {
    for (const pol of ['pos', 'neg'] as const) {
      for (const t of byPol[pol]) out.push({ text: t.replace(/\{sub\}/g, '连衣裙'), aspects: [{ aspect, polarity: pol === 'pos' ? 'positive' : 'negative' }] });
    }
  }
  return out;
}

/** The labelled clause set: the hand-labelled clauses plus the demo store's clauses. */
export function clauseSet(): AspectGold[] {
  return [...loadAspectSet(DEFAULT_CLAUSE_SET), ...demoClauseRows()];
}

/**
 * Precision/recall of "negative aspect" (the doubts the copywriter answers): a predicted
 * (clause, aspect, negative) with confidence ≥ minConfidence against the gold ones.
 * `misses` and `false_alarms` list what went wrong, so a reader can check.
 */
export function evaluateNegativeAspects(analyzer: SentimentAnalyzer, rows: AspectGold[], minConfidence = 0): { n_clauses: number; n_negative: number; precision: number; recall: number; false_alarms: string[]; misses: string[] } {
  const res = analyzer.analyzeSync(rows.map((r) => r.text));
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const falseAlarms: string[] = [];
  const misses: string[] = [];
  rows.forEach((r, i) => {
    const gold = new Set(r.aspects.filter((a) => a.polarity === 'negative').map((a) => a.aspect));
    const pred = new Set(res[i].aspects.filter((a) => a.polarity === 'negative' && (a.confidence ?? 0) >= minConfidence).map((a) => a.aspect));
    for (const a of pred) if (gold.has(a)) tp++; else { fp++; falseAlarms.push(`${r.text} (${a})`); }
    for (const a of gold) if (!pred.has(a)) { fn++; misses.push(`${r.text} (${a})`); }
  });
  return {
    n_clauses: rows.length,
    n_negative: tp + fn,
    precision: +(tp + fp === 0 ? 1 : tp / (tp + fp)).toFixed(4),
    recall: +(tp + fn === 0 ? 1 : tp / (tp + fn)).toFixed(4),
    false_alarms: falseAlarms,
    misses,
  };
}
