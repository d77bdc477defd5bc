/**
 * Message templates: how the generated product copy is wrapped into a message for
 * one user (greeting, a line about what they like, the copy, a line answering their
 * doubt, a call to action, an offer). A team edits core/copywriter/templates.json
 * (or points COPYDESK_TEMPLATES at its own file); the file is validated on load and
 * a bad one is refused with a DataError naming the file and the field.
 */
import * as path from 'path';
import { DataError } from '../data/errors';
import { readUtf8 } from '../data/table';
import { PROJECT_ROOT } from '../util/paths';
import { TONES, Tone, LengthBucket } from './types';

export interface MessageTemplates {
  greeting: Record<Tone, string[]>;
  preference: string[];
  /** Per aspect (尺码, 面料…) and `default`. */
  doubt: Record<string, string[]>;
  cta: Record<Tone, string[]>;
  offer: string[];
  file: string;
}

/** Beside the sources (also when running from the compiled dist/). */
export const DEFAULT_TEMPLATES_FILE = path.join(PROJECT_ROOT, 'core', 'copywriter', 'templates.json');
export const PLACEHOLDERS = ['title', 'category', 'pref', 'body'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function variants(file: string, field: string, v: unknown, allowEmptyString = false): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new DataError(file, undefined, field, 'must be a non-empty list of strings');
  return v.map((s, i) => {
    if (typeof s !== 'string' || (!allowEmptyString && s.trim() === '')) throw new DataError(file, undefined, `${field}[${i}]`, allowEmptyString ? 'must be a string' : 'must be a non-empty string');
    for (const m of s.matchAll(/\{([^{}]*)\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1])) throw new DataError(file, undefined, `${field}[${i}]`, `unknown placeholder {${m[1]}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`);
    }
    return s;
  });
}

function perTone(file: string, field: string, v: unknown, allowEmptyString: boolean): Record<Tone, string[]> {
  if (!isObject(v)) throw new DataError(file, undefined, field, `must be an object with one list per tone (${TONES.join(', ')})`);
  const out = {} as Record<Tone, string[]>;
  for (const t of TONES) {
    if (!(t in v)) throw new DataError(file, undefined, `${field}.${t}`, 'is missing');
    out[t] = variants(file, `${field}.${t}`, v[t], allowEmptyString);
  }
  for (const k of Object.keys(v)) if (!TONES.includes(k as Tone)) throw new DataError(file, undefined, `${field}.${k}`, `is not a tone (${TONES.join(', ')})`);
  return out;
}

/** Loads and validates a templates file. */
export function loadTemplates(file: string = process.env.COPYDESK_TEMPLATES ?? DEFAULT_TEMPLATES_FILE): MessageTemplates {
  let raw: unknown;
  try {
    raw = JSON.parse(readUtf8(file));
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(file, undefined, undefined, `not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) throw new DataError(file, undefined, undefined, 'must be a JSON object with greeting, preference, doubt, cta, offer');
  if (!isObject(raw.doubt)) throw new DataError(file, undefined, 'doubt', 'must be an object {aspect: [lines]} with a "default" entry');
  const doubt: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw.doubt)) doubt[k] = variants(file, `doubt.${k}`, v);
  if (!doubt.default) throw new DataError(file, undefined, 'doubt.default', 'is missing (used for aspects without their own lines)');
  for (const [k, lines] of Object.entries(doubt)) lines.forEach((l, i) => { if (l.includes('{body}')) throw new DataError(file, undefined, `doubt.${k}[${i}]`, '{body} belongs in no template line'); });
  return {
    greeting: perTone(file, 'greeting', raw.greeting, true),
    preference: variants(file, 'preference', raw.preference),
    doubt,
    cta: perTone(file, 'cta', raw.cta, false),
    offer: variants(file, 'offer', raw.offer),
    file,
  };
}

let cached: MessageTemplates | undefined;
export function defaultTemplates(): MessageTemplates {
  return (cached ??= loadTemplates());
}

export interface MessageParts {
  tone: Tone;
  length: LengthBucket;
  body: string;
  title: string;
  category: string;
  /** The user's preferred values that the item has (may be empty). */
  pref: string[];
  /** The aspect of the user's doubt to answer, if any. */
  doubtAspect?: string;
  /** Which variant of each list (drafts of one request use different ones). */
  variant: number;
  /** Add the offer line (long messages add it anyway). */
  offer?: boolean;
}

function pick<T>(list: T[], i: number): T {
  return list[((i % list.length) + list.length) % list.length];
}

function fill(s: string, p: MessageParts): string {
  return s.replace(/\{(title|category|pref|body)\}/g, (_m, k: string) => (k === 'pref' ? p.pref.join('、') : k === 'body' ? p.body : k === 'title' ? p.title : p.category));
}

function endSentence(s: string): string {
  const t = s.trim();
  if (t === '' || /[。！？!?～~…]$/.test(t)) return t;
  return `${t.replace(/[，,、；;：:]+$/, '')}。`;
}

/** Assembles the message: greeting, preference line, body, doubt line, call to action (+ offer). */
export function composeMessage(t: MessageTemplates, p: MessageParts): string {
  const parts: string[] = [];
  const greeting = fill(pick(t.greeting[p.tone], p.variant), p);
  if (greeting && p.length !== 'short') parts.push(greeting);
  if (p.pref.length > 0) parts.push(endSentence(fill(pick(t.preference, p.variant), p)));
  parts.push(endSentence(p.body));
  if (p.doubtAspect) parts.push(endSentence(fill(pick(t.doubt[p.doubtAspect] ?? t.doubt.default, p.variant), p)));
  parts.push(endSentence(fill(pick(t.cta[p.tone], p.variant), p)));
  if (p.offer || p.length === 'long') parts.push(endSentence(fill(pick(t.offer, p.variant), p)));
  return parts.join('');
}
