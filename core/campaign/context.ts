/**
 * What drafting a campaign batch needs, loaded once per process (or worker thread): the
 * store view, the three models, templates and compliance rules, the pseudonym key. Built on
 * loadCopywriter, so campaigns and single drafts use the same models and settings.
 */
import type { CopywriterDeps } from '../copywriter/pipeline';
import { defaultTemplates, MessageTemplates } from '../copywriter/templates';
import { defaultRules, ComplianceRules } from '../compliance/rules';
import type { Store } from '../data/store';
import type { Db } from '../store/db';

export interface CampaignContext {
  deps: Pick<CopywriterDeps, 'store' | 'preference' | 'sentiment' | 'generator'>;
  store: Store;
  templates: MessageTemplates;
  rules: ComplianceRules;
  pseudonymKey: string;
  storeDir: string;
  loadSeconds: number;
}

const loaded = new Map<string, Promise<CampaignContext>>();

/** Loads (once per store folder and process) the models over a store. */
export function campaignContext(storeDir: string, opts: { db?: Db; pseudonymKey?: string } = {}): Promise<CampaignContext> {
  const key = storeDir;
  let p = loaded.get(key);
  if (!p) {
    p = (async () => {
      const t0 = Date.now();
      const { loadCopywriter } = require('../copywriter/load') as typeof import('../copywriter/load');
      const cw = await loadCopywriter({ storeDir, db: opts.db ?? ':memory:', pseudonymKey: opts.pseudonymKey });
      return {
        deps: { store: cw.deps.store, preference: cw.deps.preference, sentiment: cw.deps.sentiment, generator: cw.deps.generator },
        store: cw.store,
        templates: cw.deps.templates ?? defaultTemplates(),
        rules: cw.deps.rules ?? defaultRules(),
        pseudonymKey: cw.deps.pseudonymKey,
        storeDir,
        loadSeconds: (Date.now() - t0) / 1000,
      };
    })();
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
  }
  return p;
}
