/**
 * Chinese text core: normalisation, jieba segmentation with the e-commerce dictionary,
 * character tokens, stopwords and vocabularies. See each module for the details.
 */
export { normalize, URL_TOKEN, EMOJI_TOKEN, PLACEHOLDERS } from './normalize';
export type { NormalizeOptions } from './normalize';
export { segment, chars, USER_DICT_FILE } from './segment';
export type { SegmentOptions } from './segment';
export { isStopword, removeStopwords, readWordList, STOPWORDS_FILE } from './stopwords';
export { Vocab, PAD, UNK, BOS, EOS, PAD_ID, UNK_ID, BOS_ID, EOS_ID, BASE_SPECIALS } from './vocab';
export type { VocabBuildOptions, VocabJSON, VocabLevel, EncodeOptions, DecodeOptions } from './vocab';
