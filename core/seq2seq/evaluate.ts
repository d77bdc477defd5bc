/** Runs the generator (or the retrieval peer) over pairs and scores it (used by `eval generator` and the bench). */
import { Attribute, parseAttrs, AttributeTable } from './attrs';
import { evaluate, EvalReport } from './metrics';
import { Seq2SeqGenerator, withoutPlaceholders } from './generator';
import type { CopyLexicon } from './lexicon';
import { RetrievalIndex } from './retrieval';
import type { Pair } from './data';
import { createProgress } from '../util/progress';
import { PhraseMemory } from './selection';

export type EvalMode = 'greedy' | 'beam' | 'rerank' | 'hybrid' | 'retrieval';

/** The decoding `eval generator` and the bench use by default (the best measured on validation). */
export const SHIPPED_DECODE: EvalMode = 'rerank';

export async function evaluatePairs(
  pairs: Pair[],
  mode: EvalMode,
  opts: { generator?: Seq2SeqGenerator; table: AttributeTable; index?: RetrievalIndex; quiet?: boolean; lexicon?: CopyLexicon; constrain?: boolean },
): Promise<{ report: EvalReport; outputs: string[] }> {
  const items: Array<{ attrs: Attribute[]; reference: string; output: string }> = [];
  // As in a campaign: the reranked drafts avoid the phrasing of the drafts before them (outputs depend on the input order).
  const memory = new PhraseMemory(Math.max(1, pairs.length));
  const progress = createProgress(`eval generator (${mode})`, pairs.length, { quiet: opts.quiet });
  const t0 = process.hrtime.bigint();
  for (const p of pairs) {
    const attrs = parseAttrs(p.content);
    let output: string;
    if (mode === 'retrieval') {
      if (!opts.index) throw new Error('the retrieval peer needs an index of training pairs');
      output = opts.index.nearest(attrs, 1)[0]?.summary ?? '';
    } else {
      const g = opts.generator;
      if (!g) throw new Error('no generator loaded');
      const c = g.controlsFor(attrs, { tone: 'warm' });
      const reranked = (cands: ReturnType<Seq2SeqGenerator['candidates']>) => g.rerank(attrs, c, cands, 1, undefined, memory)[0]?.text ?? '';
      const constrain = opts.constrain;
      if (mode === 'hybrid') output = reranked(g.candidates(attrs, c, { ...g.candidatePlan(1), exemplars: 3, memory, constrain }));
      else if (mode === 'rerank') output = reranked(g.candidates(attrs, c, { ...g.candidatePlan(1), memory, constrain }));
      else output = g.decodeOne(attrs, c, mode, {}, constrain !== false);
    }
    items.push({ attrs, reference: p.summary, output });
    progress.update(items.length);
  }
  progress.stop();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const lexicon = opts.lexicon ?? opts.generator?.lexicon;
  return { report: evaluate(items, opts.table, seconds / Math.max(1, pairs.length), { lexicon, humanText: withoutPlaceholders }), outputs: items.map((i) => i.output) };
}
