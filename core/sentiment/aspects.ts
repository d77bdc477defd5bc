/**
 * Aspect mentions in a review: the review is cut into clauses; a clause that names an
 * aspect (lexicon term or aspect-specific opinion phrase) is a mention, with the opinion
 * phrase's polarity when one is there (negation flips it). The analyzer gives the
 * remaining mentions the polarity of the classifier on that clause.
 */
import { ASPECT_LEXICON, NEGATORS, GENERAL_OPINION, FAULT_MARKERS, CONTRAST_MARKERS, PROCESS_TERMS } from './aspects/lexicon';
import { normalizeText } from './text';

export type Polarity = 'positive' | 'negative';

export interface AspectMention {
  aspect: string;
  /** The clause carrying it (evidence). */
  clause: string;
  /** Polarity from the clause's opinion words, if it has any. */
  cue?: Polarity;
  /** Where the cue came from: an aspect-specific phrase (偏小), a general opinion word (不错), or a fault marker (唯一的缺点是). */
  cueSource?: 'aspect' | 'general' | 'fault';
}

const CLAUSE_BREAK = /[，,。.!！?？;；~～…\n\r\t、]+|\s{1,}/;
const CONTRAST = /(?<=[\p{Script=Han}a-z0-9])(?=但是|不过|可是|只是|就是|唯一的缺点|美中不足)|(?<=[\p{Script=Han}])(?=但(?!是))/u;
const HAN = /\p{Script=Han}/gu;

/** Cuts a text into clauses at punctuation and before contrast words (但是, 不过…). */
export function splitClauses(text: string): string[] {
  return normalizeText(text)
    .split(CLAUSE_BREAK)
    .flatMap((c) => c.split(CONTRAST))
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

interface Hit {
  at: number;
  len: number;
  polarity?: Polarity;
}

function negatedBefore(clause: string, at: number): boolean {
  const before = clause.slice(Math.max(0, at - 4), at);
  return NEGATORS.some((n) => before.endsWith(n) || (n.length === 1 && before.slice(-2, -1) === n && /[太很太是算]/.test(before.slice(-1))));
}

/** Lexicon hits of one aspect in a clause; overlapping shorter hits inside longer ones are dropped. */
function hitsOf(clause: string, aspect: string): Hit[] {
  const e = ASPECT_LEXICON[aspect];
  const hits: Hit[] = [];
  const scan = (words: string[], polarity?: Polarity) => {
    for (const w of words) {
      for (let at = clause.indexOf(w); at >= 0; at = clause.indexOf(w, at + 1)) hits.push({ at, len: w.length, polarity });
    }
  };
  scan(e.terms);
  scan(e.positive, 'positive');
  scan(e.negative, 'negative');
  // Longest first; drop hits inside a longer one.
  hits.sort((a, b) => b.len - a.len || a.at - b.at);
  const kept: Hit[] = [];
  for (const h of hits) {
    if (kept.some((k) => h.at >= k.at && h.at + h.len <= k.at + k.len)) continue;
    kept.push(h);
  }
  return kept;
}

function scoreOf(clause: string, hits: Hit[]): number {
  let score = 0;
  for (const h of hits) {
    if (!h.polarity) continue;
    const s = h.polarity === 'positive' ? 1 : -1;
    score += negatedBefore(clause, h.at) ? -s : s;
  }
  return score;
}

function opensContrast(clause: string): boolean {
  return CONTRAST_MARKERS.some((m) => clause.startsWith(m)) || FAULT_MARKERS.some((m) => clause.startsWith(m));
}

/** General opinion words in a clause, longest first, none inside another (不满意 is not 满意). */
function generalHits(clause: string): Hit[] {
  const hits: Hit[] = [];
  for (const [words, polarity] of [[GENERAL_OPINION.positive, 'positive'], [GENERAL_OPINION.negative, 'negative']] as Array<[string[], Polarity]>) {
    for (const w of words) for (let at = clause.indexOf(w); at >= 0; at = clause.indexOf(w, at + 1)) hits.push({ at, len: w.length, polarity });
  }
  // 面料好, 质量很好: a clause that ends on 好 praises what it names.
  if (clause.endsWith('好')) hits.push({ at: clause.length - 1, len: 1, polarity: 'positive' });
  hits.sort((a, b) => b.len - a.len || a.at - b.at);
  const kept: Hit[] = [];
  for (const h of hits) if (!kept.some((k) => h.at < k.at + k.len && h.at + h.len > k.at)) kept.push(h);
  return kept;
}

/**
 * The clause's polarity: its aspect-specific phrases first (偏小, 回复及时), else its general
 * opinion words (做工不错, 和详情页说的一样), else a fault marker (唯一的缺点是…); negation flips.
 */
function cueOf(clause: string, hits: Hit[]): { cue?: Polarity; cueSource?: AspectMention['cueSource'] } {
  const pol = (x: number): Polarity | undefined => (x > 0 ? 'positive' : x < 0 ? 'negative' : undefined);
  const own = pol(scoreOf(clause, hits));
  if (own) return { cue: own, cueSource: 'aspect' };
  const general = pol(scoreOf(clause, generalHits(clause)));
  if (general) return { cue: general, cueSource: 'general' };
  if (FAULT_MARKERS.some((m) => clause.includes(m))) return { cue: 'negative', cueSource: 'fault' };
  return {};
}

/** Han characters of a clause outside the given hits: is there anything besides the aspect word? */
function restLength(clause: string, hits: Hit[]): number {
  // A mask, not slicing: overlapping hits (这个价 and 价格 in 这个价格很值) must not cut away more than they cover.
  const covered = new Array<boolean>(clause.length).fill(false);
  for (const h of hits) for (let k = h.at; k < h.at + h.len; k++) covered[k] = true;
  const rest = [...clause].map((ch, k) => (covered[k] ? '' : ch)).join('');
  return (rest.match(HAN) ?? []).length;
}

/** Does a clause name an aspect (by its terms) other than this one? (没有色差 is about 颜色, not the 价格 before it.) */
function namesOtherAspect(clause: string, aspect: string): boolean {
  return Object.keys(ASPECT_LEXICON).some((a) => a !== aspect && ASPECT_LEXICON[a].terms.some((t) => clause.includes(t)));
}

/** The aspect mentions of a text, in order; one per (aspect, polarity cue, clause). */
export function findAspectMentions(text: string): AspectMention[] {
  const clauses = splitClauses(text);
  const out: AspectMention[] = [];
  for (let i = 0; i < clauses.length; i++) {
    const all = Object.keys(ASPECT_LEXICON).map((aspect) => ({ aspect, hits: hitsOf(clauses[i], aspect) }));
    const named = new Set(all.filter((a) => ASPECT_LEXICON[a.aspect].terms.some((t) => clauses[i].includes(t))).map((a) => a.aspect));
    for (const { aspect, hits: first } of all) {
      if (first.length === 0) continue;
      // An opinion word alone (好看, 很快) belongs to the aspect the clause names, if it names one (颜色好看 is not 款式).
      if (!named.has(aspect) && named.size > 0) continue;
      let clause = clauses[i];
      let hits = first;
      // "尺码嘛，有点偏小": a clause that only names the aspect borrows the next clause.
      // Not across a contrast (面料好，唯一的缺点是有点长: the fault is not the 面料's), nor a clause about another aspect.
      if (restLength(clause, hits) < 2 && !hits.some((h) => h.polarity) && i + 1 < clauses.length && !opensContrast(clauses[i + 1]) && !namesOtherAspect(clauses[i + 1], aspect)) {
        clause = `${clause}，${clauses[i + 1]}`;
        hits = hitsOf(clause, aspect);
      }
      const cue = cueOf(clause, hits);
      const termWords = hits.filter((h) => !h.polarity).map((h) => clause.slice(h.at, h.at + h.len));
      if (!cue.cue && termWords.length > 0 && termWords.every((w) => PROCESS_TERMS.includes(w))) continue;
      out.push({ aspect, clause, ...cue });
    }
  }
  return out;
}
