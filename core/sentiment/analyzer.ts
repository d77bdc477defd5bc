/**
 * The SentimentPort: per review a label (positive / negative / neutral inside the band),
 * the calibrated probability, and aspect polarities per clause. An aspect's polarity comes
 * from the clause's own opinion words when it has any (aspect-specific phrase, else a general
 * opinion word, else a fault marker; negation flips, contrast words start a new clause),
 * otherwise from the classifier on that clause alone; each with a confidence.
 */
import type { AspectSentiment, SentimentPort, SentimentResult } from '../domain/ports';
import { findAspectMentions, AspectMention, Polarity } from './aspects';
import { labelFor } from './calibrate';
import { CONTRAST_MARKERS } from './aspects/lexicon';
import { SentimentClassifier } from './classifier';

/** Bad input to analyze(): empty, not text, or garbled. */
export class SentimentInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SentimentInputError';
  }
}

const READABLE = /[\p{L}\p{N}]/gu;

/** Refuses what is not a review: non-strings, empty text, and text that is mostly noise (□□□, �, control bytes). */
export function checkReviewText(text: unknown, where = 'text'): string {
  if (typeof text !== 'string') throw new SentimentInputError(`${where} is not a string (got ${text === null ? 'null' : typeof text})`);
  const t = text.trim();
  if (t === '') throw new SentimentInputError(`${where} is empty`);
  const cs = Array.from(t);
  const bad = cs.filter((c) => c === '\uFFFD' || /[\u0000-\u0008\u000E-\u001F\u007F]/.test(c)).length;
  const readable = (t.match(READABLE) ?? []).length;
  if (readable === 0 || bad / cs.length > 0.2) throw new SentimentInputError(`${where} looks garbled (no readable words: "${t.slice(0, 20)}${t.length > 20 ? '…' : ''}")`);
  return text;
}

const LEADING_CONTRAST = new RegExp(`^(${[...CONTRAST_MARKERS, '美中不足的是', '唯一的缺点是'].sort((a, b) => b.length - a.length).join('|')})`);

/** Confidence of a polarity read from the clause's own words, by where it came from. */
export const CUE_CONFIDENCE = { aspect: 0.9, general: 0.8, fault: 0.75 } as const;

/** How aspect polarity is decided: the opinion-phrase lexicon first (then the model), the model only, or the lexicon only. */
export type AspectPolarityMode = 'hybrid' | 'model' | 'lexicon';

export class SentimentAnalyzer implements SentimentPort {
  constructor(
    readonly classifier: SentimentClassifier,
    readonly aspectMode: AspectPolarityMode = 'hybrid',
  ) {}

  get neutralHalfWidth(): number {
    return this.classifier.config.neutralHalfWidth;
  }

  async analyze(texts: string[]): Promise<SentimentResult[]> {
    return this.analyzeSync(texts);
  }

  analyzeSync(texts: string[]): SentimentResult[] {
    if (!Array.isArray(texts)) throw new SentimentInputError('analyze() takes an array of texts');
    texts.forEach((t, i) => checkReviewText(t, texts.length > 1 ? `text ${i + 1}` : 'text'));
    const probs = this.classifier.probabilities(texts);
    const mentions = texts.map((t) => findAspectMentions(t));
    const clauses = [...new Set(mentions.flat().filter((m) => this.needsModel(m)).map((m) => m.clause))];
    const clauseProb = new Map<string, number>();
    if (clauses.length > 0) {
      const p = this.classifier.probabilities(clauses);
      clauses.forEach((c, i) => clauseProb.set(c, p[i]));
    }
    return texts.map((_, i) => ({
      label: labelFor(probs[i], this.neutralHalfWidth),
      probability: probs[i],
      aspects: this.aspectsOf(mentions[i], clauseProb, probs[i]),
    }));
  }

  private needsModel(m: AspectMention): boolean {
    return this.aspectMode === 'model' || (this.aspectMode === 'hybrid' && !m.cue);
  }

  /**
   * The polarity the model gives a clause. Short clauses are often inside the neutral band
   * (客服态度很好 → 0.47): then the whole review's polarity is used when it is clear, and
   * otherwise no polarity is claimed for that mention.
   */
  private modelPolarity(clauseP: number, reviewP: number): { polarity: Polarity; confidence: number } | undefined {
    const w = this.neutralHalfWidth;
    // The review's polarity stands in for the clause's at half the confidence.
    const [p, weight] = Math.abs(clauseP - 0.5) > w ? [clauseP, 1] : Math.abs(reviewP - 0.5) > w ? [reviewP, 0.5] : [undefined, 0];
    return p === undefined ? undefined : { polarity: p >= 0.5 ? 'positive' : 'negative', confidence: +(2 * Math.abs(p - 0.5) * weight).toFixed(3) };
  }

  private aspectsOf(mentions: AspectMention[], clauseProb: Map<string, number>, reviewP: number): AspectSentiment[] {
    const out: AspectSentiment[] = [];
    const seen = new Set<string>();
    for (const m of mentions) {
      let polarity: Polarity | undefined;
      let confidence = 0;
      if (this.needsModel(m)) {
        const mp = this.modelPolarity(clauseProb.get(m.clause)!, reviewP);
        polarity = mp?.polarity;
        confidence = mp?.confidence ?? 0;
      } else {
        polarity = m.cue;
        confidence = CUE_CONFIDENCE[m.cueSource ?? 'aspect'];
      }
      if (!polarity) continue;
      const key = `${m.aspect}|${polarity}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // The evidence quotes the clause without the word that opened it (但是面料硬邦邦的 → 面料硬邦邦的).
      const clause = m.clause.replace(LEADING_CONTRAST, '') || m.clause;
      out.push({ aspect: m.aspect, polarity, evidence: clause.length > 40 ? `${clause.slice(0, 40)}…` : clause, confidence });
    }
    return out;
  }
}
