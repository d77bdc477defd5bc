/**
 * What one sentiment training run reports (the training pipeline returns it, the model card
 * prints it): data, epochs, calibration, held-out figures and the ensemble members.
 */
import type { LabelNoiseAction } from './label-noise';
import type { MemberWeight } from './ensemble';
import type { MemberHistory } from './members';

export interface TrainSummary {
  trainRows: number;
  droppedAsLeaks: number;
  skipped: Array<{ file: string; line: number; problem: string }>;
  epochs: Array<{ epoch: number; loss: number; valAccuracy: number; seconds: number; eval?: Record<string, number> }>;
  bestEpoch: number;
  temperature: number;
  validation: { accuracy: number; macro_f1: number; n: number; ece: number; nll: number };
  test: { accuracy: number; macro_f1: number; n: number };
  evalFiles: Record<string, { accuracy: number; macro_f1: number; n: number }>;
  trainingSeconds: number;
  modelBytes: number;
  /** Student recipe: the teacher's agreement with the hard labels, and the label-noise step. */
  student?: { teacherAgreement: number; flagged: number; labelNoise: LabelNoiseAction; trainRows: number; pseudoLabelled?: number; unlabelledSeen?: number };
  /** Ensemble members: weight, own temperature, best epoch and accuracy of each alone. */
  members?: Array<MemberWeight & { bestEpoch: number; valAccuracy: number; testAccuracy: number; evalAccuracy: Record<string, number>; history?: MemberHistory[] }>;
}
