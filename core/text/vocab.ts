/**
 * Vocabularies (word- or character-level): token ↔ id with special tokens, built from
 * token sequences with a minimum frequency and a maximum size, saved as JSON.
 *
 * Ids: `<pad>`=0, `<unk>`=1, `<bos>`=2, `<eos>`=3, then the extra specials in the order
 * given (control tokens such as `<tone:warm>`), then the tokens by descending frequency
 * (ties by code-point order, so builds are deterministic).
 */
import * as fs from 'fs';
import { DataError } from '../data/errors';
import { segment, chars } from './segment';

export const PAD = '<pad>';
export const UNK = '<unk>';
export const BOS = '<bos>';
export const EOS = '<eos>';
export const BASE_SPECIALS: readonly string[] = [PAD, UNK, BOS, EOS];
export const PAD_ID = 0;
export const UNK_ID = 1;
export const BOS_ID = 2;
export const EOS_ID = 3;

/** Word tokens come from `segment`, character tokens from `chars`. */
export type VocabLevel = 'word' | 'char';

export interface VocabBuildOptions {
  /** Keep tokens seen at least this often (default 1). */
  minFreq?: number;
  /** At most this many ids in all, specials included (default: no limit). */
  maxSize?: number;
  /** Extra special tokens after the four base ones (e.g. control tokens). */
  specials?: string[];
  /** Which tokenizer the vocabulary is meant for (default 'word'); stored in the JSON. */
  level?: VocabLevel;
}

export interface EncodeOptions {
  /** Truncate (keeping `<bos>`/`<eos>` if asked for) and, with `pad`, pad to this length. */
  maxLen?: number;
  /** Start with `<bos>`. */
  bos?: boolean;
  /** End with `<eos>`. */
  eos?: boolean;
  /** Pad with `<pad>` (id 0) up to `maxLen` (needs `maxLen`). */
  pad?: boolean;
}

export interface DecodeOptions {
  /**
   * Default true: stop at the first `<eos>` and drop `<pad>`, `<bos>` and the extra
   * specials; `<unk>` stays visible. False: every id becomes its token.
   */
  stripSpecials?: boolean;
}

/** The JSON form written by `save`. */
export interface VocabJSON {
  format: 'copydesk-vocab';
  version: 1;
  level: VocabLevel;
  /** Number of leading tokens that are specials (4 + extras). */
  specials: number;
  /** Every token, index = id. */
  tokens: string[];
}

export class Vocab {
  private readonly ids = new Map<string, number>();
  private readonly specialIds: Set<number>;

  private constructor(
    private readonly tokens: string[],
    readonly specialCount: number,
    readonly level: VocabLevel,
  ) {
    tokens.forEach((t, i) => this.ids.set(t, i));
    this.specialIds = new Set(tokens.slice(0, specialCount).map((_, i) => i));
  }

  /** Builds a vocabulary from token sequences. */
  static build(sequences: Iterable<string[]>, opts: VocabBuildOptions = {}): Vocab {
    const minFreq = opts.minFreq ?? 1;
    const specials = [...BASE_SPECIALS];
    for (const s of opts.specials ?? []) if (!specials.includes(s)) specials.push(s);
    if (opts.maxSize !== undefined && opts.maxSize < specials.length) {
      throw new Error(`maxSize ${opts.maxSize} is smaller than the ${specials.length} special tokens`);
    }
    const counts = new Map<string, number>();
    for (const seq of sequences) for (const t of seq) counts.set(t, (counts.get(t) ?? 0) + 1);
    const special = new Set(specials);
    let kept = [...counts].filter(([t, c]) => c >= minFreq && !special.has(t));
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (opts.maxSize !== undefined) kept = kept.slice(0, opts.maxSize - specials.length);
    return new Vocab([...specials, ...kept.map(([t]) => t)], specials.length, opts.level ?? 'word');
  }

  /** Builds a vocabulary from raw texts, tokenised by `segment` (word) or `chars` (char). */
  static fromTexts(texts: Iterable<string>, opts: VocabBuildOptions = {}): Vocab {
    const tok = opts.level === 'char' ? chars : (t: string) => segment(t);
    function* seqs() {
      for (const t of texts) yield tok(t);
    }
    return Vocab.build(seqs(), opts);
  }

  /** Number of ids (specials included). */
  get size(): number {
    return this.tokens.length;
  }

  /** The extra specials (after `<pad> <unk> <bos> <eos>`). */
  get extraSpecials(): string[] {
    return this.tokens.slice(BASE_SPECIALS.length, this.specialCount);
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** The id of a token, `<unk>` (1) when unknown. */
  id(token: string): number {
    return this.ids.get(token) ?? UNK_ID;
  }

  /** The token of an id; throws on an id outside the vocabulary. */
  token(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.tokens.length) {
      throw new RangeError(`token id ${id} is outside the vocabulary (size ${this.tokens.length})`);
    }
    return this.tokens[id];
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  /** Tokens → ids, with optional `<bos>`/`<eos>`, truncation and padding. */
  encode(tokens: string[], opts: EncodeOptions = {}): number[] {
    if (opts.pad && opts.maxLen === undefined) throw new Error('encode: pad needs maxLen');
    const extra = (opts.bos ? 1 : 0) + (opts.eos ? 1 : 0);
    if (opts.maxLen !== undefined && opts.maxLen < extra) throw new Error(`encode: maxLen ${opts.maxLen} leaves no room for <bos>/<eos>`);
    let body = tokens.map((t) => this.id(t));
    if (opts.maxLen !== undefined) body = body.slice(0, opts.maxLen - extra);
    const ids = [...(opts.bos ? [BOS_ID] : []), ...body, ...(opts.eos ? [EOS_ID] : [])];
    if (opts.pad) while (ids.length < opts.maxLen!) ids.push(PAD_ID);
    return ids;
  }

  /** Tokenises a text the way the vocabulary's level says, then encodes it. */
  encodeText(text: string, opts: EncodeOptions = {}): number[] {
    return this.encode(this.level === 'char' ? chars(text) : segment(text), opts);
  }

  /** Ids → tokens (see DecodeOptions). */
  decode(ids: number[], opts: DecodeOptions = {}): string[] {
    const strip = opts.stripSpecials ?? true;
    const out: string[] = [];
    for (const id of ids) {
      const t = this.token(id);
      if (strip) {
        if (id === EOS_ID) break;
        if (id !== UNK_ID && this.isSpecial(id)) continue;
      }
      out.push(t);
    }
    return out;
  }

  toJSON(): VocabJSON {
    return { format: 'copydesk-vocab', version: 1, level: this.level, specials: this.specialCount, tokens: [...this.tokens] };
  }

  /** Checks and rebuilds a vocabulary; problems are DataErrors naming `source` and the field. */
  static fromJSON(obj: unknown, source = 'vocabulary JSON'): Vocab {
    const bad = (field: string | undefined, problem: string) => new DataError(source, undefined, field, problem);
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw bad(undefined, 'is not a vocabulary (expected a JSON object)');
    const o = obj as Record<string, unknown>;
    if (o.format !== 'copydesk-vocab') throw bad('format', `is ${JSON.stringify(o.format)}, expected "copydesk-vocab"`);
    if (o.version !== 1) throw bad('version', `is ${JSON.stringify(o.version)}, this code reads version 1`);
    const level = o.level ?? 'word';
    if (level !== 'word' && level !== 'char') throw bad('level', `is ${JSON.stringify(level)}, expected "word" or "char"`);
    if (!Array.isArray(o.tokens)) throw bad('tokens', 'must be an array of strings');
    const tokens = o.tokens as unknown[];
    const seen = new Set<string>();
    tokens.forEach((t, i) => {
      if (typeof t !== 'string' || t === '') throw bad('tokens', `entry ${i} is not a non-empty string`);
      if (seen.has(t)) throw bad('tokens', `entry ${i} "${t}" appears twice`);
      seen.add(t);
    });
    BASE_SPECIALS.forEach((s, i) => {
      if (tokens[i] !== s) throw bad('tokens', `id ${i} must be ${s} (found ${JSON.stringify(tokens[i])})`);
    });
    const specials = o.specials;
    if (typeof specials !== 'number' || !Number.isInteger(specials) || specials < BASE_SPECIALS.length || specials > tokens.length) {
      throw bad('specials', `must be an integer between ${BASE_SPECIALS.length} and the number of tokens`);
    }
    return new Vocab(tokens as string[], specials, level);
  }

  save(file: string): void {
    fs.writeFileSync(file, `${JSON.stringify(this.toJSON())}\n`);
  }

  /** Loads a saved vocabulary; a missing or malformed file gives a DataError naming it. */
  static load(file: string): Vocab {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DataError(file, undefined, undefined, code === 'ENOENT' ? 'vocabulary file not found' : `cannot read (${code ?? String(e)})`);
    }
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new DataError(file, undefined, undefined, `not a valid vocabulary: malformed JSON (${(e as Error).message})`);
    }
    return Vocab.fromJSON(obj, file);
  }
}
