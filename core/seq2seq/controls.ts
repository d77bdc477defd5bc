/**
 * Control signals of a generation request and the rules that derive them from
 * training copy (so the model learns what each control token means):
 *   tone    — concise: copy ≤ 85 chars; excited: ≥ 2.2 intensity markers (！, 超, 太, 吸睛, 哦…) per
 *             100 chars (and more than comfort words); reassuring: ≥ 2.2 comfort/quality words
 *             (舒适, 亲肤, 品质, 放心, 不易…) per 100 chars; otherwise warm.
 *   length  — short ≤ 100 chars < medium ≤ 120 < long (terciles of AdvertiseGen copy).
 *   aspect  — appearance / texture / function: whichever keyword family the copy uses most.
 *   prefer  — the attribute value the copy mentions first (marked in the source so the model learns to lead with it).
 */
import type { Tone, LengthBucket } from '../domain/types';
import type { AspectFocus } from '../domain/ports';
import { ASPECTS } from '../domain/ports';
import type { Attribute } from './attrs';


const EXCITED = ['！', '超级', '太', '爆款', '绝对', '简直', '必备', '吸睛', '抢眼', '惊艳', '满满', '棒', '炸', '秒', '哦', '哒', '啦', '不要太', '超', '非常', '十足', '亮眼', '很'];
const REASSURING = ['舒适', '亲肤', '透气', '柔软', '品质', '放心', '安心', '不用担心', '耐穿', '不易', '贴心', '呵护', '细腻', '保暖', '质感', '做工', '不会', '无需担心', '不起球', '不变形', '精致', '自在', '轻松'];
const APPEARANCE = ['颜色', '色调', '图案', '印花', '造型', '设计', '时尚', '视觉', '显瘦', '显高', '线条', '版型', '气质', '优雅', '个性', '亮眼', '吸睛', '美', '甜美', '帅气', '款式', '撞色', '刺绣', '领'];
const TEXTURE = ['面料', '材质', '手感', '柔软', '亲肤', '透气', '舒适', '细腻', '顺滑', '垂感', '质感', '纯棉', '棉', '针织', '雪纺', '丝', '弹力', '厚实', '轻薄', '垂坠'];
const FUNCTION = ['保暖', '遮肉', '遮挡', '修饰', '方便', '实用', '穿脱', '活动', '百搭', '搭配', '通勤', '运动', '日常', '防风', '收纳', '口袋', '拉链', '束缚', '行走', '场合'];

function count(text: string, words: string[]): number {
  let n = 0;
  for (const w of words) for (let i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + w.length)) n++;
  return n;
}

export function toneOf(copy: string): Tone {
  const len = Math.max(1, [...copy].length);
  if (len <= 85) return 'concise';
  const e = (count(copy, EXCITED) / len) * 100;
  const r = (count(copy, REASSURING) / len) * 100;
  if (e >= 2.2 && e >= r) return 'excited';
  if (r >= 2.2) return 'reassuring';
  return 'warm';
}

/**
 * Tone at decoding time. The control token is learnt from the rule-labelled copy, but it is a weak
 * signal for a small model, so the decoder also multiplies the probability of a few tone-marker
 * characters (`TONE_BIAS`) and the reranker rewards copy whose markers match (`toneScore`).
 */
export const TONE_BIAS: Record<Tone, Record<string, number>> = {
  excited: { '！': 12, '。': 0.2, '超': 3, '太': 2, '哦': 3, '啦': 3, '吸': 2, '爆': 2, '满': 1.5, '哒': 2 },
  reassuring: { '舒': 1.6, '适': 1.3, '亲': 1.6, '放': 1.6, '品': 1.6, '贴': 1.4, '柔': 1.4, '透': 1.4, '不': 1.2 },
  concise: {},
  warm: {},
};

/** How strongly a text carries the requested tone (marker words per 100 characters, signed). */
export function toneScore(text: string, tone: Tone): number {
  const len = Math.max(1, [...text].length);
  const e = (count(text, EXCITED) / len) * 100;
  const r = (count(text, REASSURING) / len) * 100;
  switch (tone) {
    case 'excited': return e - 0.5 * r;
    case 'reassuring': return r - 0.5 * e;
    case 'concise': return len <= 85 ? 1 : -(len - 85) / 40;
    case 'warm': return -0.5 * Math.max(0, e - 2);
  }
}

export function lengthOf(copy: string): LengthBucket {
  const len = [...copy].length;
  return len <= 100 ? 'short' : len <= 120 ? 'medium' : 'long';
}

/** Target lengths (characters) the decoder aims for, per bucket. */
export const LENGTH_TARGET: Record<LengthBucket, { min: number; max: number }> = {
  short: { min: 60, max: 100 },
  medium: { min: 95, max: 125 },
  long: { min: 115, max: 160 },
};

export function aspectOf(copy: string): AspectFocus {
  const s = [count(copy, APPEARANCE), count(copy, TEXTURE) * 1.3, count(copy, FUNCTION) * 1.3];
  const i = s.indexOf(Math.max(...s));
  return ASPECTS[i];
}

/** The attribute value mentioned first in the copy (undefined when none is). */
export function firstMentioned(attrs: Attribute[], copy: string): string | undefined {
  let best: string | undefined;
  let at = Infinity;
  for (const a of attrs) {
    if (a.key === '类型') continue;
    const i = copy.indexOf(a.value);
    if (i >= 0 && i < at) { at = i; best = a.value; }
  }
  return best;
}

export interface Controls {
  tone: Tone;
  length: LengthBucket;
  aspect: AspectFocus;
  prefer: string[];
}

export function controlsOf(attrs: Attribute[], copy: string): Controls {
  const f = firstMentioned(attrs, copy);
  return { tone: toneOf(copy), length: lengthOf(copy), aspect: aspectOf(copy), prefer: f ? [f] : [] };
}
