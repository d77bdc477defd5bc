/** model_card.md for a trained model: data, parameters, size, timing (metrics are added by the bench). */
import * as fs from 'fs';
import * as path from 'path';
import type { PreferenceModel } from './model';

export function modelCardText(model: PreferenceModel, extra = ''): string {
  const i = model.info;
  return [
    `# Preference model (${model.kind}, ${i.algorithm})`,
    '',
    `- Data: \`${i.data}\` (format ${i.format}); ${model.users.size} users, ${model.items.size} items${model.features.size ? `, ${model.features.size} attribute values/categories` : ''}.`,
    `- Algorithm: ${i.algorithm}; options: \`${JSON.stringify(i.options)}\`.`,
    `- Factors: ${model.parts.factors}.`,
    `- Trained ${i.trainedAt} in ${i.trainSeconds.toFixed(2)} s on this machine.`,
    `- Files: model.json (ids, metadata, histories) + weights.bin (Float32).`,
    extra,
  ].join('\n');
}

/** Writes model_card.md unless a hand-maintained one (with a `<!-- keep -->` marker) is there. */
export function writeModelCard(dir: string, model: PreferenceModel): void {
  const file = path.join(dir, 'model_card.md');
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('<!-- keep -->')) return;
  fs.writeFileSync(file, `${modelCardText(model)}\n`);
}
