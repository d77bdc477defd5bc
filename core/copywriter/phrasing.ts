/**
 * The phrasing bandit: which wording of each template slot (greeting for a returning user in
 * the warm tone, the 尺码 doubt answer, the call to action …) a segment's reviewers approve.
 * Each line of core/copywriter/templates.json is an arm, keyed by slot and line text (so a
 * team edit that reorders lines keeps what was learned). Drafts of a request take the
 * lines in the order of one Thompson draw per request (different drafts, different lines);
 * a decision on a draft rewards the lines its text contains (recognised by their longest
 * literal piece). The posteriors live in bandit_arms under the segment `phrasing:<segment>`,
 * written by core/copywriter/strategy.ts (the table's one writer).
 */
import type { Db } from '../store/db';
import type { Rng } from '../util/random';
import { beta } from '../util/random';
import type { MessageTemplates } from './templates';

export const PHRASING_PREFIX = 'phrasing:';

/** The bandit segment holding a strategy segment's phrasing arms. */
export function phrasingSegment(segment: string): string {
  return `${PHRASING_PREFIX}${segment}`;
}

/** Every slot of a templates file with its lines. */
export function templateSlots(t: MessageTemplates): Array<{ slot: string; lines: string[] }> {
  const out: Array<{ slot: string; lines: string[] }> = [];
  for (const [visitor, byTone] of Object.entries(t.greeting)) for (const [tone, lines] of Object.entries(byTone)) out.push({ slot: `greeting.${visitor}.${tone}`, lines });
  out.push({ slot: 'preference', lines: t.preference });
  for (const [aspect, lines] of Object.entries(t.doubt)) out.push({ slot: `doubt.${aspect}`, lines });
  for (const [tone, lines] of Object.entries(t.cta)) out.push({ slot: `cta.${tone}`, lines });
  out.push({ slot: 'offer', lines: t.offer });
  return out;
}

export const armKey = (slot: string, line: string) => `${slot}|${line}`;

/** Shortest literal piece by which a line is recognised in a draft (shorter lines are not learned from). */
export const MIN_LITERAL = 4;

/** The longest piece of a line without placeholders or punctuation. */
export function literalOf(line: string): string {
  return line.split(/\{[a-z]+\}|[，。？！、：～!?,.~…]/).sort((a, b) => b.length - a.length)[0] ?? '';
}

/** The arms (slot|line) whose line a draft's text contains. */
export function usedPhrasings(text: string, t: MessageTemplates): string[] {
  const out: string[] = [];
  for (const { slot, lines } of templateSlots(t)) {
    for (const l of lines) {
      const lit = literalOf(l);
      if (lit.length >= MIN_LITERAL && text.includes(lit)) out.push(armKey(slot, l));
    }
  }
  return out;
}

/**
 * One Thompson draw per line of a slot for a request: the returned chooser gives draft k of
 * the request the k-th best-drawn line, so drafts of one request use different lines and
 * the approved ones come first as the posteriors sharpen.
 */
export function phrasingChooser(db: Db, segment: string, rng: Rng): (slot: string, lines: string[], draft: number) => string {
  const states = new Map((db.prepare('SELECT strategy, alpha, beta FROM bandit_arms WHERE segment = ?').all(phrasingSegment(segment)) as Array<{ strategy: string; alpha: number; beta: number }>).map((a) => [a.strategy, a]));
  const orders = new Map<string, string[]>();
  return (slot, lines, draft) => {
    let order = orders.get(slot);
    if (!order) {
      order = lines
        .map((l) => {
          const st = states.get(armKey(slot, l));
          return { l, draw: beta(rng, st?.alpha ?? 1, st?.beta ?? 1) };
        })
        .sort((a, b) => b.draw - a.draw)
        .map((x) => x.l);
      orders.set(slot, order);
    }
    return order[((draft % order.length) + order.length) % order.length];
  };
}
