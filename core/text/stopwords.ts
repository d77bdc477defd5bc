/**
 * Stopwords: Copydesk's own list (dict/stopwords.txt) plus every token made only of
 * punctuation or symbols. Negations and degree words are deliberately not stopwords
 * (the sentiment model needs 不, 没, 很, 太 …); see the header of the list.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../util/paths';

export const STOPWORDS_FILE = path.join(PROJECT_ROOT, 'core', 'text', 'dict', 'stopwords.txt');

/** Reads a word list: one word per line, `#` comments and blank lines ignored. */
export function readWordList(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

let stopwords: Set<string> | undefined;

function stopwordSet(): Set<string> {
  if (!stopwords) stopwords = new Set(readWordList(STOPWORDS_FILE));
  return stopwords;
}

const ONLY_PUNCT = /^[\p{P}\p{S}\s]+$/u;
const PLACEHOLDER = /^<[a-z_]+>$/;

/** True for a listed stopword or a token of only punctuation/symbols (placeholders like `<url>` are not). */
export function isStopword(word: string): boolean {
  if (PLACEHOLDER.test(word)) return false;
  return stopwordSet().has(word) || ONLY_PUNCT.test(word);
}

/** The tokens that are not stopwords, in order. */
export function removeStopwords(tokens: string[]): string[] {
  return tokens.filter((t) => !isStopword(t));
}
