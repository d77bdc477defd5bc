/** The copy generator: char GRU encoder–decoder with attention and copy, decoding, reranking, metrics. */
export { loadGenerator, defaultGeneratorDir, Seq2SeqGenerator, DEFAULT_RERANK, DRAFT_TEMPERATURES, AVOID_EXPONENT, OPENING_AVOID_EXPONENT, REPEAT_BIGRAM_FACTOR, UsageProblem } from './generator';
export { consensusScores, PhraseMemory } from './selection';
export type { Candidate, RerankWeights } from './generator';
export { parseAttrs, AttributeError, AttributeTable, attrCoverage } from './attrs';
export { toneOf, lengthOf, aspectOf, controlsOf, TONE_LIST, LENGTHS, ASPECTS } from './controls';
export type { Controls } from './controls';
export { sentenceBleu, charBleu, corpusBleu, rougeN, rougeL, distinct2, evaluate, words, copyFaults, faultKinds, faultRates } from './metrics';
export type { CopyFaults, FaultRates, PartLexicon } from './metrics';
export { learnLexicon, loadLexicon } from './lexicon';
export type { CopyLexicon } from './lexicon';
export { CopyConstraints } from './constraints';
export type { EvalReport } from './metrics';
export { RetrievalIndex } from './retrieval';
export { greedy, beamSearch, sample, sampleRows, blockedTokens, sampleToken } from './decode';
export type { DecodeOptions, Hypothesis } from './decode';
export { trainGenerator } from './train';
export type { TrainOptions, TrainResult } from './train';
export { split } from './data';
