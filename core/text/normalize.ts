/**
 * Unicode normalisation for Chinese e-commerce text (reviews, titles, copy).
 *
 * What `normalize` does, in order:
 * 1. Strips the BOM, zero-width characters (U+200B–U+200D, U+2060, U+FEFF) and control
 *    characters (C0/C1, DEL); tabs and line breaks become spaces.
 * 2. Emoji (pictographs incl. ZWJ sequences, skin tones, flags, keycaps): a run of them
 *    becomes one `<emoji>` token (option `emoji: 'remove'` drops them, `'keep'` keeps them).
 * 3. NFKC, except for Chinese sentence punctuation ，！？：；… which is kept full-width on
 *    purpose (it separates clauses and the generator writes it). So full-width letters,
 *    digits and symbols become ASCII (ＸＬ码 → xl码, １００％ → 100%), （）→ (), ～ → ~,
 *    the ideographic space → a space, ① → 1.
 * 4. Latin letters are lower-cased.
 * 5. URLs (http(s)://…, www.…) become one `<url>` token (option `url: 'remove'` drops them).
 * 6. ASCII , ! ? ; : next to a Chinese character become ，！？；：, and a `.` right after a
 *    Chinese character becomes 。 (so 好评!! and 好评！！ give the same tokens); numbers like
 *    1,000 or 1.5 are untouched.
 * 7. Runs of whitespace collapse to one space, spaces next to ，。！？；：、 go; the ends are trimmed.
 *
 * Placeholders `<url>` and `<emoji>` are kept whole by `segment` and `chars`.
 */

export const URL_TOKEN = '<url>';
export const EMOJI_TOKEN = '<emoji>';
/** The placeholder tokens normalize can insert. */
export const PLACEHOLDERS: readonly string[] = [URL_TOKEN, EMOJI_TOKEN];

export interface NormalizeOptions {
  /** What to do with URLs (default 'placeholder' → `<url>`). */
  url?: 'placeholder' | 'remove';
  /** What to do with emoji (default 'placeholder' → `<emoji>`, one per run). */
  emoji?: 'placeholder' | 'remove' | 'keep';
  /** Lower-case Latin letters (default true). */
  lowercase?: boolean;
}

/** Chinese punctuation kept full-width through NFKC. */
const KEEP_FULLWIDTH = new Set(['，', '！', '？', '：', '；', '…']);

const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const LINE_BREAKS = /[\t\n\r\u2028\u2029\u0085]/g;

const EMOJI_ONE = '(?:[\\p{Extended_Pictographic}--[\\u00A9\\u00AE\\u203C-\\u2299]]|\\p{Regional_Indicator}|[#*0-9]\\uFE0F?\\u20E3)(?:\\uFE0F|\\u20E3|[\\u{1F3FB}-\\u{1F3FF}]|[\\u{E0020}-\\u{E007F}]|\\u200D(?:\\p{Extended_Pictographic}|\\p{Regional_Indicator}))*';
/** A run of emoji, possibly separated by spaces. */
// Extended_Pictographic minus ©®™‼ and the arrows/letterlike symbols below U+2300, which are
// ordinary text in reviews (™ then goes through NFKC). The `v` flag allows the set subtraction.
const EMOJI_RUN = new RegExp(`${EMOJI_ONE}(?:\\s*${EMOJI_ONE})*`, 'gv');

/** URLs stop at whitespace, Chinese characters, full-width forms and CJK punctuation. */
const URL_RE = /(?:https?:\/\/|www\.)[^\s\u3000-\u303F\u3400-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF<>"'，。！？；：]+/giu;

const HAN = '\\p{Script=Han}';
const ASCII_TO_CN: Record<string, string> = { ',': '，', '!': '！', '?': '？', ';': '；', ':': '：' };
/** A run of ASCII , ! ? ; : with a Han (or Chinese punctuation) character on one side. */
const PUNCT_AFTER_HAN = new RegExp(`(?<=[${HAN}，。！？；：…] *)[,!?;:]+`, 'gu');
const PUNCT_BEFORE_HAN = new RegExp(`[,!?;:]+(?= *${HAN})`, 'gu');
/** Spaces next to Chinese sentence punctuation carry nothing. */
const SPACE_AROUND_CN_PUNCT = / *([，。！？；：、]) */g;
const PERIOD_AFTER_HAN = new RegExp(`(?<=${HAN})\\.(?![0-9a-z])`, 'giu');

function nfkcKeeping(text: string): string {
  let out = '';
  let run = '';
  for (const ch of text) {
    if (KEEP_FULLWIDTH.has(ch)) {
      out += run.normalize('NFKC') + ch;
      run = '';
    } else {
      run += ch;
    }
  }
  return out + run.normalize('NFKC');
}

function replaceEmoji(text: string, mode: 'placeholder' | 'remove'): string {
  return text.replace(EMOJI_RUN, mode === 'placeholder' ? EMOJI_TOKEN : ' ');
}

/** Normalises one text as described at the top of this module. */
export function normalize(text: string, opts: NormalizeOptions = {}): string {
  const emoji = opts.emoji ?? 'placeholder';
  let t = text.replace(LINE_BREAKS, ' ').replace(INVISIBLE, '').replace(CONTROL, '');
  if (emoji !== 'keep') t = replaceEmoji(t, emoji);
  t = t.replace(/[\uFE00-\uFE0F]/g, '');
  t = nfkcKeeping(t);
  if (opts.lowercase ?? true) t = t.toLowerCase();
  t = t.replace(URL_RE, (m) => {
    // Trailing ASCII sentence punctuation belongs to the sentence, not the URL.
    const tail = /[.,!?;:)\]]+$/.exec(m)?.[0] ?? '';
    return (opts.url === 'remove' ? ' ' : URL_TOKEN) + tail;
  });
  t = t.replace(PUNCT_AFTER_HAN, (m) => [...m].map((c) => ASCII_TO_CN[c]).join(''));
  t = t.replace(PUNCT_BEFORE_HAN, (m) => [...m].map((c) => ASCII_TO_CN[c]).join(''));
  t = t.replace(PERIOD_AFTER_HAN, '。');
  return t.replace(/\s+/g, ' ').replace(SPACE_AROUND_CN_PUNCT, '$1').trim();
}
