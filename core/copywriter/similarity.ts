/**
 * Near-duplicate test for drafts: Jaccard similarity of the sets of character
 * bigrams (punctuation and spaces ignored). Two drafts whose bigram sets overlap
 * at NEAR_DUPLICATE_THRESHOLD or more are near-duplicates; a request never
 * returns two of them.
 */

/** Bigram Jaccard at or above this: near-duplicates (a reader sees "the same text, a word changed"). */
export const NEAR_DUPLICATE_THRESHOLD = 0.6;

export function charBigrams(text: string): Set<string> {
  const chars = Array.from(text.replace(/[\s\p{P}\p{S}]/gu, ''));
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
  if (chars.length === 1) out.add(chars[0]);
  return out;
}

export function bigramJaccard(a: string, b: string): number {
  const A = charBigrams(a);
  const B = charBigrams(b);
  if (A.size === 0 && B.size === 0) return 1;
  let inter = 0;
  for (const g of A) if (B.has(g)) inter++;
  return inter / (A.size + B.size - inter);
}

export function isNearDuplicate(a: string, b: string, threshold = NEAR_DUPLICATE_THRESHOLD): boolean {
  return bigramJaccard(a, b) >= threshold;
}

/**
 * Greedy pick of up to `n` texts, best first, skipping any text that is a
 * near-duplicate of one already picked (or of one in `avoid`).
 */
export function pickDiverse<T>(candidates: T[], n: number, textOf: (c: T) => string, avoid: string[] = [], threshold = NEAR_DUPLICATE_THRESHOLD): T[] {
  const picked: T[] = [];
  const seen = [...avoid];
  for (const c of candidates) {
    if (picked.length >= n) break;
    const t = textOf(c);
    if (seen.some((s) => isNearDuplicate(s, t, threshold))) continue;
    picked.push(c);
    seen.push(t);
  }
  return picked;
}
