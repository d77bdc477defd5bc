/**
 * Review sentiment: polarity of Chinese reviews (calibrated, with a neutral band) and
 * aspect-level polarity (尺码, 面料, 做工, 颜色, 物流, 价格, 客服, 气味, 款式).
 *
 *   const sentiment = await loadSentimentModel();           // models/sentiment
 *   const [r] = await sentiment.analyze(['尺码偏小，面料起球']);
 */
import * as path from 'path';
import { modelsDir } from '../util/paths';
import { SentimentAnalyzer, AspectPolarityMode } from './analyzer';
import { SentimentClassifier } from './classifier';

export { SentimentAnalyzer, SentimentInputError, checkReviewText } from './analyzer';
export type { AspectPolarityMode } from './analyzer';
export { SentimentClassifier } from './classifier';
export type { SentimentConfig, ExtraMembers } from './classifier';
export { LinearMember } from './linear';
export { GruMember } from './gru-member';
export { combineLogits, fitEnsemble } from './ensemble';
export { cascadeLogits, fitCascade } from './cascade';
export type { CascadeConfig } from './cascade';
export type { MemberKind, MemberWeight } from './ensemble';
export { labelFor, fitTemperature, NEUTRAL_HALF_WIDTH } from './calibrate';
export { findAspectMentions, splitClauses } from './aspects';
export { ASPECT_LEXICON } from './aspects/lexicon';

export function defaultSentimentDir(): string {
  return path.join(modelsDir(), 'sentiment');
}

/** Loads the shipped (or a given) sentiment model as a SentimentPort. */
export async function loadSentimentModel(dir = defaultSentimentDir(), opts: { aspectMode?: AspectPolarityMode } = {}): Promise<SentimentAnalyzer> {
  return new SentimentAnalyzer(await SentimentClassifier.load(dir), opts.aspectMode);
}
