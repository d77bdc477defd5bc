/**
 * The text steps sentiment uses, from the shared text core: normalisation (full-width →
 * half-width, lower case, <url>/<emoji> placeholders…) and jieba words with the e-commerce
 * dictionary. A trained model depends on these: changing them means retraining.
 */
import { normalize, segment } from '../text';

export function normalizeText(text: string): string {
  return normalize(text);
}

/** jieba words of already-normalised text. */
export function tokenizeWords(norm: string): string[] {
  return segment(norm, { normalize: false });
}
