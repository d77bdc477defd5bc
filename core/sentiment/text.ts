/**
 * The text steps sentiment needs, from the shared text core (core/text) when it is
 * there: normalisation (full-width → half-width, traditional → simplified…) and jieba words.
 */
import * as fs from 'fs';
import * as path from 'path';

type TextCore = { normalize(text: string): string; segment(text: string, opts?: { normalize?: boolean }): string[] };

let core: TextCore | null | undefined;
function textCore(): TextCore | null {
  if (core === undefined) {
    const dir = path.join(__dirname, '..', 'text');
    core = null;
    if (fs.existsSync(path.join(dir, 'index.ts')) || fs.existsSync(path.join(dir, 'index.js'))) {
      try {
        core = require('../text') as TextCore;
      } catch {
        core = null;
      }
    }
  }
  return core;
}

let jieba: { cut(s: string): string[] } | undefined;

export function normalizeText(text: string): string {
  const c = textCore();
  const base = c ? c.normalize(text) : text.normalize('NFKC');
  return base.toLowerCase();
}

/** jieba words of already-normalised text. */
export function tokenizeWords(norm: string): string[] {
  const c = textCore();
  if (c) return c.segment(norm, { normalize: false });
  jieba ??= require('nodejieba') as { cut(s: string): string[] };
  return jieba.cut(norm);
}
