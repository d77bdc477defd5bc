/**
 * The copy generator behind GeneratorPort: encodes attributes + controls, decodes candidates
 * (a greedy row and sampled rows in one batch, plus beam search), reranks them by attribute
 * coverage, preferred values, contradictions and likelihood, and returns `n` diverse drafts.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { GenerateRequest, GeneratedCopy, GeneratorPort } from '../domain/ports';
import type { LengthBucket } from '../domain/types';
import { Attribute, AttributeTable, attrCoverage, parseAttrs } from './attrs';
import { Controls, LENGTH_TARGET, TONE_BIAS, toneScore } from './controls';
import { TONES } from '../domain/types';
import type { Tone } from '../domain/types';
import { beamSearch, DecodeOptions, Hypothesis, LoadedModel, sampleRows } from './decode';
import { loadWeights } from './persist';
import { CharVocab } from './vocab';
import { charBigramSet, copyFaults, faultKinds } from './metrics';
import { ConstraintRules, CopyConstraints } from './constraints';
import { CopyLexicon, loadLexicon } from './lexicon';
import { BOS } from './vocab';
import { RetrievalIndex } from './retrieval';
import { consensusScores, PhraseMemory } from './selection';
import { Composer, defaultPhraseBook, PhraseBook } from './phrasebook';
import { modelsDir } from '../util/paths';
import { initRuntime } from '../tf/runtime';
import { loadAdvertiseGen, sharedPath, SHARED } from '../data/datasets';

export interface RerankWeights {
  /** per unit of toneScore (marker words per 100 chars) */
  tone?: number;
  /** per unit of within-text distinct-bigram ratio (penalises self-repetition) */
  distinct?: number;
  coverage: number;
  prefer: number;
  contradiction: number;
  logp: number;
  /** per unit of consensus: mean character BLEU (0–1) against the request's other candidates (see selection.ts) */
  consensus?: number;
  /** per unit of novelty: share of the candidate's bigrams that the remembered drafts did not use */
  novelty?: number;
  /** per kind of fault the candidate still has (metrics.copyFaults): large, so a faulty candidate never beats a clean one */
  fault?: number;
}

/** Candidates of a retrieval-augmented model per request: this many exemplars (at least n), a greedy row and `samples` samples each. */
export const EXEMPLAR_PLAN = { sources: 3, samples: 2 };

export const DEFAULT_RERANK: RerankWeights = { coverage: 1, prefer: 0.3, contradiction: 1, logp: 0.3, tone: 0.08, distinct: 0.5, consensus: 5, novelty: 2, fault: 100 };

/** Sampled rows per request next to the greedy row (no-exemplar models): 10 at temperature 0.8 and 10 at 1.0. */
export const DRAFT_TEMPERATURES: readonly number[] = [...new Array<number>(10).fill(0.8), ...new Array<number>(10).fill(1.0)];

/** Drafts a generator remembers to vary its phrasing (see PhraseMemory). */
export const PHRASE_MEMORY_WINDOW = 2000;

/**
 * While decoding with a phrase memory, a character that followed the previous one `c` times in the
 * remembered drafts has its probability multiplied by (1 + c)^−AVOID_EXPONENT: the samples explore
 * other phrasing the more a phrase has been used (0: off).
 */
export const AVOID_EXPONENT = 0.15;

/**
 * The same for the first character of a draft (how often remembered drafts opened with it): the model
 * opens most copy with 这款, so openings are steered harder than the phrasing inside.
 */
export const OPENING_AVOID_EXPONENT = 0.5;

/**
 * Drafts: a token that would repeat a bigram already in the same draft has its probability × this
 * (the model likes to say 简约 four times; human copy repeats 5 % of its bigrams, drafts did 16 %).
 */
export const REPEAT_BIGRAM_FACTOR = 0.1;

export interface Candidate {
  text: string;
  /** mean log-probability per token */
  meanLogp: number;
  source: 'greedy' | 'sample' | 'beam' | 'retrieval' | 'composed';
  /** composed candidates: the training sentences joined (remembered as used when chosen) */
  units?: string[];
}

export class UsageProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageProblem';
  }
}

/**
 * AdvertiseGen masks brand names as the literal `BRAND` (and lost characters as `<UNK>`);
 * the model learned to write them. Copy never shows either placeholder.
 */
export function withoutPlaceholders(text: string): string {
  return text.replace(/BRAND|<UNK>|<unk>/g, '');
}

/** Distinct character bigrams / all bigrams within one text. */
export function selfDistinct(text: string): number {
  const cs = Array.from(text);
  if (cs.length < 2) return 0;
  return charBigramSet(text).size / (cs.length - 1);
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / Math.max(1, a.size + b.size - inter);
}

export class Seq2SeqGenerator implements GeneratorPort {
  constructor(
    readonly model: LoadedModel,
    readonly vocab: CharVocab,
    readonly table: AttributeTable,
    readonly meta: Record<string, unknown> = {},
    readonly retrieval?: RetrievalIndex,
    /** The phrasing of the drafts this generator wrote lately: `generate` prefers candidates that differ from it. */
    readonly memory: PhraseMemory = new PhraseMemory(PHRASE_MEMORY_WINDOW),
    /** Part lexicon and legitimate doubled characters (lexicon.ts): decoding constraints and fault checks use it. */
    readonly lexicon?: CopyLexicon,
    /** Human sentences to compose candidates from (phrasebook.ts); none: model candidates only. */
    phrasebook?: PhraseBook,
  ) {
    this.banned = vocab.nonTextIds();
    this.composer = phrasebook ? new Composer(phrasebook, lexicon) : undefined;
  }

  /** Composes retrieval candidates beside the model's (undefined without a phrase book). */
  composer?: Composer;

  /** Token ids never generated beyond the fixed specials (the exemplar marker, when the vocabulary has one). */
  private readonly banned: number[];

  controlsFor(attrs: Attribute[], req: Pick<GenerateRequest, 'tone' | 'length' | 'aspect' | 'prefer'>): Controls {
    if (!TONES.includes(req.tone)) throw new UsageProblem(`unknown tone "${req.tone}" (use ${TONES.join(', ')})`);
    const values = new Set(attrs.map((a) => a.value));
    return {
      tone: req.tone,
      length: req.length ?? (req.tone === 'concise' ? 'short' : 'medium'),
      aspect: req.aspect ?? 'appearance',
      prefer: (req.prefer ?? []).filter((v) => values.has(v)),
    };
  }

  source(attrs: Attribute[], c: Controls, exemplar?: string): number[] {
    return this.vocab.encodeSource(attrs, c, exemplar !== undefined && this.model.cfg.exemplarChars ? { text: withoutPlaceholders(exemplar), chars: this.model.cfg.exemplarChars } : undefined);
  }

  /** Whether this model reads an exemplar (retrieval-augmented) and has an index to take it from. */
  get usesExemplars(): boolean {
    return Boolean(this.model.cfg.exemplarChars && this.retrieval && this.retrieval.size > 0);
  }

  /**
   * The sources to decode from: with exemplars, one per nearest training copy (`k` of them, each
   * an edit of a different human copy); otherwise the plain source.
   */
  sources(attrs: Attribute[], c: Controls, k: number): number[][] {
    if (!this.usesExemplars || !this.retrieval) return [this.source(attrs, c)];
    const hits = this.retrieval.nearest(attrs, k);
    return hits.length ? hits.map((h) => this.source(attrs, c, h.summary)) : [this.source(attrs, c)];
  }

  decodeOptions(length: LengthBucket, extra: DecodeOptions = {}, tone?: Tone): DecodeOptions {
    const L = LENGTH_TARGET[length];
    return { noRepeatNgram: 4, noImmediateRepeat: 4, minLen: L.min, maxLen: L.max, topP: 0.9, bias: tone ? this.toneBias(tone) : undefined, banned: this.banned, ...extra };
  }

  /** Token-id form of TONE_BIAS for this vocabulary. */
  toneBias(tone: Tone): Map<number, number> | undefined {
    const m = new Map<number, number>();
    for (const [ch, f] of Object.entries(TONE_BIAS[tone])) {
      const id = this.vocab.index.get(ch);
      if (id !== undefined) m.set(id, f);
    }
    return m.size ? m : undefined;
  }

  /** The fault constraints for decoding copy for these attributes (see constraints.ts). */
  constraintsFor(attrs: Attribute[], rules: Partial<ConstraintRules> = {}): CopyConstraints {
    return new CopyConstraints(this.vocab, attrs, this.lexicon, rules);
  }

  /** Greedy or beam output for evaluation (one text per input; with exemplars, from the nearest one). */
  decodeOne(attrs: Attribute[], c: Controls, mode: 'greedy' | 'beam', extra: DecodeOptions = {}, constrain = true): string {
    const src = this.sources(attrs, c, 1)[0];
    const o = this.decodeOptions(c.length, { ...(constrain ? { constraints: this.constraintsFor(attrs) } : {}), ...extra });
    const h = mode === 'beam' ? beamSearch(this.model, src, { beamSize: 4, n: 1, ...o })[0] : sampleRows(this.model, src, [0], o)[0];
    return withoutPlaceholders(this.vocab.decode(h.ids));
  }

  /**
   * Candidates: per source (see `sources`: one per exemplar for a retrieval-augmented model), a greedy
   * row and sampled rows in one batch (`temperatures`, one per row; or `samples` rows at `temperature`);
   * optionally beam search (first source) and, with `exemplars`, the nearest training copies themselves.
   */
  candidates(
    attrs: Attribute[],
    c: Controls,
    opts: {
      samples?: number; temperature?: number; temperatures?: readonly number[]; beam?: number; seed?: number; exemplars?: number; sources?: number; decode?: DecodeOptions;
      /** decode away from the phrasing in this memory (see AVOID_EXPONENT) */
      memory?: PhraseMemory; avoidExponent?: number; openingExponent?: number;
      /** false: decode without the fault constraints (for measuring them); `rules` switches single ones off */
      constrain?: boolean; rules?: Partial<ConstraintRules>;
      /** false: no composed candidates even with a phrase book */
      compose?: boolean;
    } = {},
  ): Candidate[] {
    const srcs = this.sources(attrs, c, opts.sources ?? 1);
    const followBias = opts.memory ? this.avoidBias(opts.memory, opts.avoidExponent ?? AVOID_EXPONENT, opts.openingExponent ?? OPENING_AVOID_EXPONENT) : undefined;
    const constraints = opts.constrain === false ? {} : { constraints: this.constraintsFor(attrs, opts.rules) };
    const o = this.decodeOptions(c.length, { seed: opts.seed ?? 1, repeatBigramFactor: REPEAT_BIGRAM_FACTOR, ...(followBias ? { followBias } : {}), ...constraints, ...opts.decode }, c.tone);
    const toCand = (h: Hypothesis, source: Candidate['source']): Candidate => ({ text: withoutPlaceholders(this.vocab.decode(h.ids)), meanLogp: h.logp / Math.max(1, h.ids.length + 1), source });
    const temps = [0, ...(opts.temperatures ?? new Array<number>(opts.samples ?? 7).fill(opts.temperature ?? 0.8))];
    const out = srcs.flatMap((src, k) => sampleRows(this.model, src, temps, { ...o, seed: (o.seed ?? 1) + 7919 * k }).map((h, i) => toCand(h, i === 0 ? 'greedy' : 'sample')));
    if (opts.beam) out.push(...beamSearch(this.model, srcs[0], { ...o, beamSize: opts.beam, n: Math.min(2, opts.beam) }).map((h) => toCand(h, 'beam')));
    // Retrieval exemplars: the copy of the training items sharing most attributes, scored like model output
    // (their likelihood term is the mean of the model candidates', so coverage and contradictions decide).
    if (opts.exemplars && this.retrieval) {
      const mean = out.reduce((a, x) => a + x.meanLogp, 0) / Math.max(1, out.length);
      for (const hit of this.retrieval.nearest(attrs, opts.exemplars)) out.push({ text: withoutPlaceholders(hit.summary), meanLogp: mean, source: 'retrieval' });
    }
    if (this.composer && opts.compose !== false) out.push(...this.composer.candidates(attrs, out, opts.seed ?? 1));
    return out;
  }

  /**
   * A decoding bias from a phrase memory: after token `prev`, each token that followed it `c` times in
   * the remembered drafts is weighted (1 + c)^−exponent. Undefined when off or the memory is empty.
   */
  avoidBias(memory: PhraseMemory, exponent: number, openingExponent = exponent): DecodeOptions['followBias'] {
    if (!(exponent > 0 || openingExponent > 0) || memory.size === 0) return undefined;
    const cache = new Map<number, Map<number, number> | undefined>();
    return (prev) => {
      if (cache.has(prev)) return cache.get(prev);
      const seen = memory.followers(prev === BOS ? PhraseMemory.START : this.vocab.tokens[prev] ?? '');
      let f: Map<number, number> | undefined;
      if (seen) {
        f = new Map();
        for (const [ch, count] of seen) {
          const id = this.vocab.index.get(ch);
          if (id !== undefined) f.set(id, Math.pow(1 + count, -(prev === BOS ? openingExponent : exponent)));
        }
      }
      cache.set(prev, f);
      return f;
    };
  }

  score(attrs: Attribute[], c: Controls, cand: Candidate, w: RerankWeights = DEFAULT_RERANK): number {
    const cov = attrCoverage(attrs, cand.text);
    const pref = c.prefer.length ? c.prefer.filter((v) => cand.text.includes(v)).length / c.prefer.length : 0;
    const contra = this.table.contradictions(attrs, cand.text).length;
    const faults = w.fault ? w.fault * faultKinds(copyFaults(cand.text, attrs, this.lexicon)) : 0;
    return w.coverage * cov + w.prefer * pref - w.contradiction * contra + w.logp * cand.meanLogp + (w.tone ?? 0) * toneScore(cand.text, c.tone) + (w.distinct ? w.distinct * selfDistinct(cand.text) : 0) - faults;
  }

  /**
   * Best `n` candidates, one at a time: own score (see `score`) + consensus with the other candidates
   * + novelty against `memory` (the drafts written before; each pick is remembered, so the drafts of
   * one request also differ from each other), skipping near-duplicates (character-bigram Jaccard > 0.6).
   * Without a memory, a fresh one serves this request only.
   */
  rerank(attrs: Attribute[], c: Controls, cands: Candidate[], n: number, w: RerankWeights = DEFAULT_RERANK, memory: PhraseMemory = new PhraseMemory()): GeneratedCopy[] {
    const pool = cands.filter((x) => x.text.length > 0);
    const own = pool.map((x) => this.score(attrs, c, x, w));
    const agree = w.consensus ? consensusScores(pool.map((x) => x.text)) : pool.map(() => 0);
    const total = (i: number) => own[i] + (w.consensus ?? 0) * agree[i] + (w.novelty ? w.novelty * memory.freshShare(pool[i].text) : 0);
    const bigrams = pool.map((x) => charBigramSet(x.text));
    const chosen: Array<{ i: number; score: number }> = [];
    const taken = (i: number, nearToo: boolean) => chosen.some(({ i: j }) => pool[j].text === pool[i].text || (nearToo && jaccard(bigrams[j], bigrams[i]) > 0.6));
    // Near-duplicates are skipped first; when too few candidates remain, the rest fill in (never an exact duplicate).
    for (const nearToo of [true, false]) {
      while (chosen.length < n) {
        let best = -1, bestScore = -Infinity;
        pool.forEach((_, i) => {
          if (taken(i, nearToo)) return;
          const s = total(i);
          if (s > bestScore) best = i, bestScore = s;
        });
        if (best < 0) break;
        chosen.push({ i: best, score: bestScore });
        memory.remember(pool[best].text);
        if (pool[best].units) this.composer?.chosen(pool[best]);
      }
    }
    return chosen.map(({ i, score }) => ({ text: pool[i].text, score: Math.round(score * 1000) / 1000 }));
  }

  /**
   * What a request for `n` drafts decodes: a greedy row and samples per source; a retrieval-augmented
   * model decodes from several exemplars (each draft can edit a different human copy).
   */
  candidatePlan(n: number): { samples?: number; temperatures?: readonly number[]; sources: number } {
    return this.usesExemplars ? { samples: EXEMPLAR_PLAN.samples, sources: Math.max(EXEMPLAR_PLAN.sources, n) } : { temperatures: DRAFT_TEMPERATURES, sources: 1 };
  }

  /** Adds drafts written before (oldest first) to the phrase memory `generate` steers away from. */
  remember(texts: string[]): void {
    for (const t of texts) this.memory.remember(t);
  }

  async generate(req: GenerateRequest): Promise<GeneratedCopy[]> {
    const attrs = parseAttrs(req.attrs);
    if (!Number.isInteger(req.n) || req.n < 1 || req.n > 10) throw new UsageProblem(`n must be an integer from 1 to 10 (got ${req.n})`);
    const c = this.controlsFor(attrs, req);
    const cands = this.candidates(attrs, c, { ...this.candidatePlan(req.n), seed: req.seed ?? 1, memory: this.memory });
    return this.rerank(attrs, c, cands, req.n, DEFAULT_RERANK, this.memory);
  }
}

export function defaultGeneratorDir(): string {
  return path.join(modelsDir(), 'generator');
}

/**
 * The exemplar corpus a retrieval-augmented model edits from when the caller gives none: the shared
 * AdvertiseGen copy when it is there (it is read in place, never shipped); otherwise none, and the
 * model writes without an exemplar (it was trained to, on 10 % of its examples).
 */
export function defaultExemplarIndex(): RetrievalIndex | undefined {
  const file = sharedPath(SHARED.advertiseGen);
  return fs.existsSync(file) ? new RetrievalIndex(loadAdvertiseGen(file, { skipBad: true }).rows) : undefined;
}

/** Loads the shipped generator (models/generator by default); initialises the TF runtime first. */
export async function loadGenerator(
  dir: string = defaultGeneratorDir(),
  /** phrasebook: the one to compose from (false: none; default: built from the shared AdvertiseGen training part when present, see phrasebook.ts) */
  opts: { retrieval?: RetrievalIndex; phrasebook?: PhraseBook | false } = {},
): Promise<Seq2SeqGenerator> {
  await initRuntime();
  const { w, cfg, vocab, json } = loadWeights(dir);
  const tableFile = path.join(dir, 'attributes.json');
  const table = fs.existsSync(tableFile) ? AttributeTable.fromJSON(JSON.parse(fs.readFileSync(tableFile, 'utf8')) as Record<string, string[]>) : new AttributeTable();
  const retrieval = opts.retrieval ?? (cfg.exemplarChars ? defaultExemplarIndex() : undefined);
  const lexicon = loadLexicon(dir);
  const book = opts.phrasebook === undefined ? defaultPhraseBook(table) : opts.phrasebook || undefined;
  return new Seq2SeqGenerator({ w, cfg }, vocab, table, json.training ?? {}, retrieval, undefined, lexicon, book);
}
