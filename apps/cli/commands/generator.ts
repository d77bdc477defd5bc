/**
 * Generator commands: `train generator`, `eval generator`, `generate`.
 */
import { Command } from 'commander';
import * as path from 'path';
import { subcommand } from '../group';
import { UsageError } from '../usage-error';
import { TONES, LENGTHS } from '../../../core/domain/types';
import { ASPECTS } from '../../../core/domain/ports';
import { modelsDir, workDir } from '../../../core/util/paths';
import { loadAdvertiseGen } from '../../../core/data/datasets';
import { describeSkipped } from '../../../core/data/table';
import * as fs from 'fs';
import { sharedPath, SHARED } from '../../../core/data/datasets';
import { Attribute, parseAttributes } from '../../../core/data/attributes';

type Seq2Seq = typeof import('../../../core/seq2seq/index');
const seq2seq = (): Seq2Seq => require('../../../core/seq2seq/index') as Seq2Seq;

/** Turns the generator's own errors (bad attributes, bad model files, bad options) into clean one-line errors. */
function asUsage(e: unknown): never {
  const s = seq2seq();
  if (e instanceof s.AttributeError || e instanceof s.UsageProblem || e instanceof s.ModelFileError) throw new UsageError(e.message);
  throw e;
}

const collect = (v: string, prev: string[]) => [...prev, v];
const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive integer (got "${v}")`);
  return n;
};

export function register(program: Command): void {
  subcommand(program, 'train', 'generator')
    .description('train the copy generator (char GRU encoder–decoder with attention and copy) on AdvertiseGen-style JSONL')
    .requiredOption('--data <file>', 'training JSONL ({"content","summary"}); repeatable', collect, [])
    .option('--out <dir>', 'where the best model is written', path.join(modelsDir(), 'generator'))
    .option('--work <dir>', 'checkpoint folder', path.join(workDir(), 'generator'))
    .option('--epochs <n>', 'maximum epochs', int('--epochs'), 30)
    .option('--batch-size <n>', 'batch size', int('--batch-size'), 32)
    .option('--lr <x>', 'Adam learning rate', (v) => Number(v), 2e-3)
    .option('--seed <n>', 'seed (split, init, batch order)', (v) => Number(v), 42)
    .option('--val-size <n>', 'held-out validation pairs', int('--val-size'), 250)
    .option('--patience <n>', 'early stopping patience (epochs)', int('--patience'), 3)
    .option('--max-len <n>', 'target length cap (characters)', int('--max-len'), 120)
    .option('--max-steps <n>', 'stop after this many steps in this run', int('--max-steps'))
    .option('--config <json>', 'model config overrides, e.g. {"decHidden":256,"copy":false}')
    .option('--resume', 'continue from the checkpoint in --work')
    .option('--exemplar-chars <n>', 'retrieval-augmented: end each source with this many characters of a similar training copy', int('--exemplar-chars'))
    .option('--exemplar-pick <how>', 'random (one of the 3 nearest by attributes) | copy (of the 10 nearest, the one whose copy is closest to the target)', 'random')
    .option('--init <dir>', 'start from this trained model (weights and vocabulary)')
    .option('--skip-bad', 'skip malformed lines (reported) instead of stopping')
    .action(async (o) => {
      const { initRuntime } = require('../../../core/tf/runtime') as typeof import('../../../core/tf/runtime');
      const { trainGenerator } = require('../../../core/seq2seq/train') as typeof import('../../../core/seq2seq/train');
      await initRuntime();
      const pairs = o.data.flatMap((f: string) => {
        const loaded = loadAdvertiseGen(f, { skipBad: o.skipBad });
        const note = describeSkipped(loaded);
        if (note) process.stderr.write(`${note}\n`);
        return loaded.rows;
      });
      if (!['random', 'copy'].includes(o.exemplarPick)) throw new UsageError(`--exemplar-pick must be random or copy (got "${o.exemplarPick}")`);
      let config = {};
      if (o.config) {
        try { config = JSON.parse(o.config); } catch { throw new UsageError(`--config must be JSON (got ${o.config})`); }
      }
      const r = await trainGenerator({
        pairs, out: o.out, work: o.work, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, seed: o.seed, valSize: o.valSize,
        patience: o.patience, maxTgt: o.maxLen, maxSteps: o.maxSteps, resume: o.resume, config, exemplarChars: o.exemplarChars, exemplarPick: o.exemplarPick, init: o.init,
      });
      process.stderr.write(`done: ${r.state.step} steps, best epoch ${r.state.bestEpoch + 1} (val loss ${r.state.bestVal.toFixed(4)}), ${Math.round(r.state.trainSeconds)} s; model in ${o.out}\n`);
    });

  subcommand(program, 'train', 'generator-lexicon')
    .description('learn the copy lexicon (per-category garment/body parts, doubled characters) from the training part of AdvertiseGen-style JSONL')
    .requiredOption('--data <file>', 'training JSONL ({"content","summary"})')
    .option('--out <dir>', 'model folder the lexicon is written to', path.join(modelsDir(), 'generator'))
    .option('--split <part>', 'all | train: learn from all of --data or from the training part of its seeded split (as in training)', 'train')
    .action((o) => {
      const { learnLexicon, saveLexicon, LEXICON_FILE } = require('../../../core/seq2seq/lexicon') as typeof import('../../../core/seq2seq/lexicon');
      if (!['all', 'train'].includes(o.split)) throw new UsageError(`--split must be all or train (got "${o.split}")`);
      const rows = loadAdvertiseGen(o.data).rows;
      const pairs = o.split === 'train' ? seq2seq().split(rows, 250, 42).train : rows;
      const lex = learnLexicon(pairs, `${path.basename(o.data)} (${o.split === 'train' ? 'training part of the seeded split, seed 42' : 'all'}: ${pairs.length} copies)`);
      saveLexicon(o.out, lex);
      process.stderr.write(`${LEXICON_FILE}: ${Object.keys(lex.allowed).length} categories, ${lex.parts.length} parts, ${lex.doubles.length} doubled characters → ${o.out}\n`);
    });

  subcommand(program, 'eval', 'generator')
    .description('score the generator (or the retrieval peer) on {"content","summary"} JSONL; prints one JSON object')
    .requiredOption('--data <file>', 'evaluation JSONL')
    .option('--json', 'compact JSON (one line)')
    .option('--limit <n>', 'only the first N pairs', int('--limit'))
    .option('--predictions-out <file>', 'write one {"text": …} per input line, in order')
    .option('--model <dir>', 'model folder', path.join(modelsDir(), 'generator'))
    .option('--decode <mode>', 'greedy | beam | rerank | hybrid (rerank + retrieval exemplars) (default: the shipped setting)')
    .option('--peer <name>', 'evaluate a baseline instead of the model: retrieval')
    .option('--index <file>', 'training JSONL for the retrieval peer and the exemplars (default: the training part of the shared AdvertiseGen split)')
    .option('--split <part>', 'val | train: use that part of the seeded split of --data (as in training) instead of all of it')
    .option('--skip-bad', 'skip malformed lines (reported) instead of stopping')
    .option('--sheet <file>', 'also write an HTML sheet: attributes, human copy and drafts side by side, faults highlighted')
    .option('--sheet-size <n>', 'inputs on the sheet (evenly spaced over the input)', int('--sheet-size'), 30)
    .action(async (o) => {
      const { initRuntime } = require('../../../core/tf/runtime') as typeof import('../../../core/tf/runtime');
      const { evaluatePairs } = require('../../../core/seq2seq/evaluate') as typeof import('../../../core/seq2seq/evaluate');
      const s = seq2seq();
      o.decode ??= (require('../../../core/seq2seq/evaluate') as typeof import('../../../core/seq2seq/evaluate')).SHIPPED_DECODE;
      const mode = o.peer ? o.peer : o.decode;
      if (o.peer && o.peer !== 'retrieval') throw new UsageError(`--peer must be "retrieval" (got "${o.peer}")`);
      if (!o.peer && !['greedy', 'beam', 'rerank', 'hybrid'].includes(o.decode)) throw new UsageError(`--decode must be greedy, beam, rerank or hybrid (got "${o.decode}")`);
      if (o.split && !['val', 'train'].includes(o.split)) throw new UsageError(`--split must be val or train (got "${o.split}")`);
      const loaded = loadAdvertiseGen(o.data, { skipBad: o.skipBad });
      const note = describeSkipped(loaded);
      if (note) process.stderr.write(`${note}\n`);
      let pairs = loaded.rows;
      const valSize = 250;
      const seed = 42;
      let trainPart: typeof pairs | undefined;
      if (o.split) {
        const sp = s.split(pairs, valSize, seed);
        pairs = o.split === 'val' ? sp.val : sp.train;
        trainPart = sp.train;
      }
      if (o.limit) pairs = pairs.slice(0, o.limit);
      let generator: import('../../../core/seq2seq/generator').Seq2SeqGenerator | undefined;
      let table: import('../../../core/seq2seq/attrs').AttributeTable;
      // The retrieval peer's index and a retrieval-augmented model's exemplars come from training pairs only, never from what is evaluated.
      const idxPairs = o.index ? loadAdvertiseGen(o.index).rows : trainPart ?? s.split(loadAdvertiseGen(sharedPath(SHARED.advertiseGen)).rows, valSize, seed).train;
      const index = new s.RetrievalIndex(idxPairs);
      if (mode === 'retrieval') {
        table = s.AttributeTable.fromAttrStrings(idxPairs.map((p) => p.content));
      } else {
        await initRuntime();
        // Composed candidates take sentences from the same training pairs, never from a pair with the evaluated attributes.
        const { PhraseBook } = require('../../../core/seq2seq/phrasebook') as typeof import('../../../core/seq2seq/phrasebook');
        const evaluated = new Set(pairs.map((p) => p.content));
        const attrTable = path.join(o.model, 'attributes.json');
        const phrasebook = fs.existsSync(attrTable) ? PhraseBook.build(idxPairs.filter((p) => !evaluated.has(p.content)), s.AttributeTable.fromJSON(JSON.parse(fs.readFileSync(attrTable, 'utf8')) as Record<string, string[]>)) : undefined;
        generator = await s.loadGenerator(o.model, { retrieval: index, phrasebook }).catch(asUsage);
        table = generator.table;
      }
      const { loadLexicon } = require('../../../core/seq2seq/lexicon') as typeof import('../../../core/seq2seq/lexicon');
      const lexicon = generator?.lexicon ?? loadLexicon(o.model);
      const { report, outputs } = await evaluatePairs(pairs, mode, { generator, table, index, lexicon }).catch(asUsage);
      if (o.predictionsOut) fs.writeFileSync(o.predictionsOut, outputs.map((t) => JSON.stringify({ text: t })).join('\n') + '\n');
      if (o.sheet) await writeSheet(o.sheet, o.sheetSize, pairs, outputs, mode, report, generator, lexicon);
      // rerank/hybrid choose with one phrase memory over the input, in order (see models/generator/model_card.md)
      const selection = mode === 'rerank' || mode === 'hybrid' ? { selection: { consensus: s.DEFAULT_RERANK.consensus, novelty: s.DEFAULT_RERANK.novelty, steer: s.AVOID_EXPONENT, steer_opening: s.OPENING_AVOID_EXPONENT, fault: s.DEFAULT_RERANK.fault, constraints: 'on', repeat: s.REPEAT_BIGRAM_FACTOR, memory: 'one over the input, in order', compose: generator?.composer ? { ...generator.composer.plan, sentences: generator.composer.book.size } : 'off' } } : {};
      const out = { ...report, decode: mode, ...selection, data: o.data, split: o.split ?? 'all' };
      process.stdout.write(`${JSON.stringify(out, null, o.json ? 0 : 2)}\n`);
    });

  program
    .command('generate')
    .description('write marketing copy drafts for an attribute string (each one passes the 广告法 check: rewritten or withheld)')
    .requiredOption('--attrs <attrs>', `attributes, e.g. "类型#裙*材质#雪纺*风格#清新" (类型 required; at most ${MAX_ATTRS_CHARS} characters)`)
    .option('--tone <tone>', 'warm | excited | reassuring | concise', 'warm')
    .option('--n <n>', `number of drafts (1-${MAX_GENERATE_N})`, '3')
    .option('--length <bucket>', 'short | medium | long')
    .option('--aspect <aspect>', 'appearance | texture | function')
    .option('--prefer <values>', 'comma-separated attribute values to emphasise')
    .option('--seed <n>', 'sampling seed', (v) => Number(v), 1)
    .option('--model <dir>', 'model folder', path.join(modelsDir(), 'generator'))
    .option('--json', 'print the drafts as JSON')
    .action(async (o) => {
      if (!TONES.includes(o.tone)) throw new UsageError(`--tone must be warm, excited, reassuring or concise (got "${o.tone}")`);
      if (o.length && !LENGTHS.includes(o.length)) throw new UsageError(`--length must be short, medium or long (got "${o.length}")`);
      if (o.aspect && !ASPECTS.includes(o.aspect)) throw new UsageError(`--aspect must be appearance, texture or function (got "${o.aspect}")`);
      const n = Number(o.n);
      if (!Number.isInteger(n) || n < 1 || n > MAX_GENERATE_N) throw new UsageError(`--n must be an integer from 1 to ${MAX_GENERATE_N} (got "${o.n}")`);
      if (o.attrs.length > MAX_ATTRS_CHARS) throw new UsageError(`--attrs is ${o.attrs.length} characters long; at most ${MAX_ATTRS_CHARS} are accepted`);
      const s = seq2seq();
      try { s.parseAttrs(o.attrs); } catch (e) { asUsage(e); }
      checkAttrsArgument(o.attrs);
      const { rewrite } = require('../../../core/compliance/check') as typeof import('../../../core/compliance/check');
      const g = await s.loadGenerator(o.model).catch(asUsage);
      const t0 = Date.now();
      const raw = await g
        .generate({ attrs: o.attrs, tone: o.tone, n, length: o.length, aspect: o.aspect, prefer: o.prefer ? String(o.prefer).split(/[,，]/).map((x: string) => x.trim()).filter(Boolean) : undefined, seed: o.seed })
        .catch(asUsage);
      // The same 广告法 check as drafts: a violation is rewritten, or the copy withheld (never printed).
      const checked = raw.map((d) => ({ d, rw: rewrite(d.text) }));
      const drafts = checked.filter((c) => !c.rw.withheld).map((c) => ({ ...c.d, text: c.rw.text, compliance: { ok: true, findings: c.rw.findings } }));
      const withheld = checked.length - drafts.length;
      if (o.json) process.stdout.write(`${JSON.stringify({ drafts, withheld, seconds: (Date.now() - t0) / 1000 })}\n`);
      else {
        drafts.forEach((d, i) => process.stdout.write(`${i + 1}. ${d.text}\n   (score ${d.score}${d.compliance.findings.length ? `; 合规改写 ${d.compliance.findings.length} 处` : ''})\n`));
        if (withheld > 0) process.stdout.write(`(${withheld} draft(s) withheld by the compliance check)\n`);
      }
    });
}

/** Longest attribute string `generate` accepts (a 10,000-character one ran 45 s). */
export const MAX_ATTRS_CHARS = 500;
export const MAX_GENERATE_N = 10;

/** Refuses, before any model loads, an attribute string that is too long or has no 类型 (the generator needs the category). */
export function checkAttrsArgument(attrs: string): void {
  if (attrs.length > MAX_ATTRS_CHARS) throw new UsageError(`--attrs is ${attrs.length} characters long; at most ${MAX_ATTRS_CHARS} are accepted`);
  let parsed: Attribute[];
  try { parsed = parseAttributes(attrs); } catch (e) { throw new UsageError(`--attrs: ${(e as Error).message}`); }
  if (!parsed.some((a) => a.key === '类型')) throw new UsageError('--attrs has no 类型#… pair: the category (类型#裙, 类型#裤 …) decides what the copy is about, so it is required');
}

/**
 * The HTML reading sheet of `eval generator --sheet`: `size` inputs evenly spaced over the evaluated ones, each
 * with the evaluated output and (for the model) a fresh request of three drafts, faults highlighted.
 */
async function writeSheet(
  file: string, size: number, pairs: Array<{ content: string; summary: string }>, outputs: string[], mode: string,
  report: import('../../../core/seq2seq/metrics').EvalReport, generator: import('../../../core/seq2seq/generator').Seq2SeqGenerator | undefined,
  lexicon: import('../../../core/seq2seq/lexicon').CopyLexicon | undefined,
): Promise<void> {
  const { renderSheet } = require('../../../core/seq2seq/sheet') as typeof import('../../../core/seq2seq/sheet');
  const { withoutPlaceholders } = require('../../../core/seq2seq/generator') as typeof import('../../../core/seq2seq/generator');
  const s = seq2seq();
  const k = Math.min(size, pairs.length);
  const picks = [...new Set(Array.from({ length: k }, (_, i) => Math.floor((i * pairs.length) / k)))];
  const rows = [];
  for (const i of picks) {
    const attrs = s.parseAttrs(pairs[i].content);
    const drafts = [{ label: `evaluated output (${mode})`, text: outputs[i] }];
    if (generator) {
      const more = await generator.generate({ attrs: pairs[i].content, tone: 'warm', n: 3, seed: i + 1 });
      more.forEach((d, j) => drafts.push({ label: `draft ${j + 1} of a 3-draft request`, text: d.text }));
    }
    rows.push({ attrs, human: withoutPlaceholders(pairs[i].summary), drafts });
  }
  const rates = [
    ...(report.faults ? [{ label: `model (${mode}), ${report.n} outputs`, r: report.faults }] : []),
    ...(report.human ? [{ label: `human copy, ${report.n} references`, r: report.human.faults }] : []),
  ];
  const note = `corpus BLEU-4 ${report.corpus_bleu4} · distinct-2 ${report.distinct2} (human ${report.human?.distinct2}) · attribute coverage ${report.attr_coverage} (human ${report.human?.attr_coverage})`;
  fs.writeFileSync(file, renderSheet(rows, { title: `Generator reading sheet: ${rows.length} of ${pairs.length} inputs`, lexicon, rates, note }));
  process.stderr.write(`sheet: ${rows.length} inputs → ${file}\n`);
}
