/**
 * The copywriter pipeline: "draft copy of item I for user U".
 *
 *   taste profile (preference model) ─┐
 *   the user's reviews → sentiment ───┼→ tone + strategy (doubt → reassuring, else the bandit)
 *   item attributes ──────────────────┘→ generator → message template → compliance → dedupe → store
 *
 * Every dependency is injected (the three model ports, the store view, the SQLite
 * db), so the pipeline runs the same on the shipped models (loadCopywriter) and,
 * for unit tests, on small hand-made ports.
 */
import { randomBytes } from 'crypto';
import { Db, audit, decideDraft, immediate, nowIso } from '../store/db';
import { INSERT_DRAFT_SQL, INSERT_DRAFT_VERSION_SQL, insertDraftParams, rowToDraft, type DraftRow } from '../store/drafts';
import { explain, type Doubt } from './explain';

export { INSERT_DRAFT_SQL, INSERT_DRAFT_VERSION_SQL, insertDraftParams, rowToDraft } from '../store/drafts';
export { explain, TONE_LABEL, type Doubt } from './explain';
import { ComplianceRules, defaultRules } from '../compliance/rules';
import { CheckReport, checkText, rewrite } from '../compliance/check';
import { pseudonymize, snippet } from '../privacy/pseudonym';
import type { CatalogItem, GeneratorPort, PreferencePort, SentimentPort, StorePort, TasteEntry, TasteProfile } from '../domain/ports';
import { Draft, DraftRequest, DraftResult, DraftStateError, InvalidRequestError, LENGTHS, LengthBucket, TONES, Tone, UnknownEntityError } from '../domain/types';
import { MessageTemplates, MessageParts, VisitorKind, composeMessage, defaultTemplates } from './templates';
import { isNearDuplicate } from './similarity';
import { phrasingChooser } from './phrasing';
import { Strategy, chooseStrategies, parseStrategy, strategyId } from './strategy';
import { Rng, mathRng } from '../util/random';
import { formatAttributes } from '../data/attributes';

export const MAX_DRAFTS = 5;
/** Strategies tried after the sampled one when its candidates do not give n distinct compliant drafts. */
export const FALLBACK_STRATEGIES = 2;
/** Preferred attribute values considered "the user's top" (the bench metric uses the same number). */
export const TOP_PREFS = 3;
/** Aspects about the shop rather than the product: a doubt about them applies to any category. */
export const CROSS_CATEGORY_ASPECTS = ['物流', '客服'];
/** A negative clause raises a doubt only when the analyzer is at least this sure of it (see models/sentiment/model_card.md). */
export const DOUBT_MIN_CONFIDENCE = 0.6;

export interface CopywriterDeps {
  store: StorePort;
  preference: PreferencePort;
  sentiment: SentimentPort;
  generator: GeneratorPort;
  db: Db;
  /** Key of the user pseudonyms (see core/privacy). */
  pseudonymKey: string;
  templates?: MessageTemplates;
  rules?: ComplianceRules;
  /** Randomness for the bandit and generation seeds (seeded in tests). */
  rng?: Rng;
  /** Candidates asked of the generator beyond the drafts wanted (spares for dedupe and compliance). */
  spareCandidates?: number;
}

/** What the pipeline knows about a user (internal: holds the raw id). */
export interface UserInsight {
  userId: string;
  taste: TasteProfile;
  doubts: Doubt[];
  segment: string;
  /** Who the greeting addresses: has not bought yet, returning, or away for a while. */
  visitor: VisitorKind;
}

export interface Copywriter {
  draft(req: DraftRequest): Promise<DraftResult>;
  /** Supersedes a pending draft and returns a new one for the same user, item and tone, different from its siblings. */
  regenerate(draftId: string, actor?: string, opts?: { noEvidence?: boolean }): Promise<Draft>;
  /** Compliance of an edited text: findings and the rewrite that would be stored. */
  checkEdit(text: string): CheckReport;
  /** Stores an edited text as a new version of a pending draft (compliance-rewritten; refused when it would be withheld). */
  saveEdit(draftId: string, text: string, editor: string): { saved: boolean; draft?: Draft; report: CheckReport };
  insight(userId: string): Promise<UserInsight>;
  /** The generator's copy inside a draft made by this instance (for evaluation; undefined for older drafts). */
  bodyOf(draftId: string): string | undefined;
  pseudonym(userId: string): string;
  deps: CopywriterDeps;
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** The bandit's segment: the store's marketing segment, else the user's top category, else `cold`. */
export function segmentOf(taste: TasteProfile, storeSegment?: string): string {
  if (storeSegment && storeSegment.trim() !== '') return `seg:${storeSegment.trim()}`;
  if (taste.coldStart || taste.categories.length === 0) return 'cold';
  return `cat:${taste.categories[0].value}`;
}

/** Doubts relevant to an item: negative aspects from reviews of the same category, or about the shop. */
export function relevantDoubts(doubts: Doubt[], item: CatalogItem): Doubt[] {
  return doubts.filter((d) => d.category === item.category || CROSS_CATEGORY_ASPECTS.includes(d.aspect));
}

/** The user's top preferred attribute values that the item has. */
export function preferredValuesOf(taste: TasteProfile, item: CatalogItem, top = TOP_PREFS): TasteEntry[] {
  const values = new Set(item.attributes.map((a) => a.value));
  return taste.attributes.slice(0, top).filter((e) => values.has(e.value));
}

/**
 * What the pipeline knows about each user: taste profile, doubts from their own reviews (one
 * sentiment call over all the users' reviews, so a campaign batch analyses them together) and
 * the bandit segment. Same result per user as one call per user.
 */
export async function userInsights(deps: Pick<CopywriterDeps, 'store' | 'preference' | 'sentiment' | 'templates'>, userIds: string[]): Promise<UserInsight[]> {
  const { store, preference, sentiment } = deps;
  const templates = deps.templates ?? defaultTemplates();
  const reviews = userIds.map((u) => store.reviewsBy(u));
  const flat = reviews.flat();
  const results = flat.length > 0 ? await sentiment.analyze(flat.map((r) => r.text)) : [];
  let k = 0;
  return userIds.map((userId, u) => {
    const taste = preference.tasteProfile(userId, 10);
    const doubts: Doubt[] = [];
    for (const r of reviews[u]) {
      const res = results[k++];
      const item = store.item(r.itemId);
      for (const a of res.aspects) {
        // Only a negative clause the analyzer is sure of: praise is never answered as a complaint.
        const confidence = a.confidence ?? 1;
        if (a.polarity !== 'negative' || confidence < DOUBT_MIN_CONFIDENCE) continue;
        doubts.push({ aspect: a.aspect, evidence: snippet(a.evidence || r.text), category: item?.category ?? '', itemId: r.itemId, confidence });
      }
    }
    return { userId, taste, doubts, segment: segmentOf(taste, store.segmentOf?.(userId)), visitor: visitorOf(store, templates, userId) };
  });
}

/** Who the greeting addresses: no purchase yet, returning, or away for `lapsedAfterDays` (on the store's clock). */
export function visitorOf(store: StorePort, templates: MessageTemplates, userId: string): VisitorKind {
  const v = store.visitOf?.(userId);
  const purchases = v?.purchases ?? store.boughtBy(userId).size;
  if (purchases === 0) return 'first';
  return v?.daysSinceLastVisit !== undefined && v.daysSinceLastVisit >= templates.lapsedAfterDays ? 'lapsed' : 'returning';
}

/** A message for one user around a generated copy, compliance-rewritten; undefined when the check withholds it. */
export function compliantMessage(templates: MessageTemplates, rules: ComplianceRules, parts: MessageParts): { text: string; findings: Draft['compliance']['findings'] } | undefined {
  const rw = rewrite(composeMessage(templates, parts), rules);
  return rw.withheld ? undefined : { text: rw.text, findings: rw.findings };
}

/** The drafts row and its first version, as the pipeline and campaigns insert them (`?` placeholders, in this order). */
export function createCopywriter(deps: CopywriterDeps): Copywriter {
  const { store, preference, sentiment, generator, db } = deps;
  const templates = deps.templates ?? defaultTemplates();
  const rules = deps.rules ?? defaultRules();
  const rng = deps.rng ?? mathRng;
  const spare = deps.spareCandidates ?? 1;
  const insights = new Map<string, UserInsight>();
  const bodies = new Map<string, string>();

  const pseudonym = (userId: string) => pseudonymize(userId, deps.pseudonymKey);

  async function insight(userId: string): Promise<UserInsight> {
    const cached = insights.get(userId);
    if (cached) return cached;
    const [out] = await userInsights({ store, preference, sentiment, templates }, [userId]);
    insights.set(userId, out);
    return out;
  }

  function pickItem(userId: string): CatalogItem {
    const bought = store.boughtBy(userId);
    for (const r of preference.recommend(userId, 20)) {
      if (bought.has(r.itemId)) continue;
      const item = store.item(r.itemId);
      if (item) return item;
    }
    throw new InvalidRequestError(`no item to recommend for user ${pseudonym(userId)}`);
  }

  interface Plan {
    ins: UserInsight;
    item: CatalogItem;
    prefs: TasteEntry[];
    doubt?: Doubt;
    toneReason: 'doubt' | 'bandit' | 'requested';
    noEvidence: boolean;
    /** The marketer named the item (else the preference model picked it). */
    requestedItem: boolean;
  }

  async function plan(req: { userId: string; itemId?: string; tone?: Tone | 'auto'; noEvidence?: boolean }): Promise<Plan & { fixedTone?: Tone }> {
    if (!store.hasUser(req.userId)) throw new UnknownEntityError('user', req.userId);
    let item: CatalogItem | undefined;
    if (req.itemId !== undefined) {
      item = store.item(req.itemId);
      if (!item) throw new UnknownEntityError('item', req.itemId);
    }
    if (req.tone !== undefined && req.tone !== 'auto' && !TONES.includes(req.tone)) throw new InvalidRequestError(`unknown tone "${req.tone}" (auto, ${TONES.join(', ')})`);
    const ins = await insight(req.userId);
    item ??= pickItem(req.userId);
    const doubts = relevantDoubts(ins.doubts, item);
    const doubt = mostFrequent(doubts);
    const requested = req.tone !== undefined && req.tone !== 'auto' ? req.tone : undefined;
    const toneReason = requested ? 'requested' : doubt ? 'doubt' : 'bandit';
    const fixedTone = requested ?? (doubt ? 'reassuring' : undefined);
    return { ins, item, prefs: preferredValuesOf(ins.taste, item), doubt, toneReason, fixedTone, noEvidence: req.noEvidence === true, requestedItem: req.itemId !== undefined };
  }

  interface Candidate {
    text: string;
    /** The generator's copy inside the message. */
    body: string;
    strategy: Strategy;
    score: number;
    findings: Draft['compliance']['findings'];
  }

  /**
   * Asks the generator for copy with the first strategy (one call, a spare candidate
   * or two), wraps, checks and keeps the candidates different enough from `avoid` and
   * from each other; falls back to the next strategies only when that is not enough.
   */
  async function candidates(p: Plan, strategies: Strategy[], want: number, avoid: string[], variantBase: number, avoidBodies: string[] = []): Promise<Candidate[]> {
    const picked: Candidate[] = [];
    const attrs = formatAttributes(p.item.attributes);
    const prefer = p.prefs.map((e) => e.value);
    // Phrasings come from the phrasing bandit of the segment (one draw per request), not from the draft's position.
    const choose = phrasingChooser(db, p.ins.segment, rng);
    for (let si = 0; si < strategies.length && picked.length < want; si++) {
      const s = strategies[si];
      const seed = Math.floor(rng.next() * 2 ** 31);
      const ask = Math.min(10, want - picked.length + spare + si);
      const gens = await generator.generate({ attrs, tone: s.tone, length: s.length, aspect: s.emphasis, prefer, n: ask, seed });
      gens.sort((a, b) => b.score - a.score);
      for (const g of gens) {
        if (picked.length >= want) break;
        const rw = compliantMessage(templates, rules, {
          tone: s.tone, length: s.length, body: g.text, title: p.item.title, category: p.item.category,
          pref: prefer, doubtAspect: p.doubt?.aspect, variant: variantBase + picked.length, visitor: p.ins.visitor, offers: p.item.offers, choose,
        });
        if (!rw) continue;
        // Different greetings must not hide the same copy: compare whole messages and the bodies.
        if ([...avoid, ...picked.map((c) => c.text)].some((t) => isNearDuplicate(t, rw.text))) continue;
        if ([...avoidBodies, ...picked.map((c) => c.body)].some((t) => isNearDuplicate(t, g.text))) continue;
        picked.push({ text: rw.text, body: g.text, strategy: s, score: g.score - 0.05 * rw.findings.length, findings: rw.findings });
      }
    }
    return picked;
  }

  const insertRequest = (id: string, req: DraftRequest, n: number) =>
    db.prepare('INSERT INTO requests (id, source, requested_by, channel, thread_ts, user_id, item_id, tone, n, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      id, req.source?.kind ?? 'cli', req.source?.requestedBy ?? null, req.source?.channel ?? null, req.source?.threadTs ?? null,
      req.userId, req.itemId ?? null, req.tone ?? 'auto', n, nowIso(),
    );

  function insertDraft(d: Draft, requestId: string | null, userId: string, segment: string, supersedes: string | null, channel?: string | null): void {
    const at = nowIso();
    db.prepare(INSERT_DRAFT_SQL).run(...insertDraftParams(d, { requestId, userId, pseudonym: pseudonym(userId), segment, supersedes, channel, at }));
    db.prepare(INSERT_DRAFT_VERSION_SQL).run(d.id, d.text, at);
  }

  function toDraft(p: Plan, c: Candidate): Draft {
    const id = newId('d');
    if (bodies.size > 10000) bodies.clear();
    bodies.set(id, c.body);
    return {
      id,
      item_id: p.item.itemId,
      text: c.text,
      tone: c.strategy.tone,
      strategy: strategyId(c.strategy),
      score: Math.round(c.score * 1000) / 1000,
      compliance: { ok: true, findings: c.findings },
      explanation: explain({ prefs: p.prefs, taste: p.ins.taste, item: p.item, requestedItem: p.requestedItem, doubt: p.doubt, tone: c.strategy.tone, toneReason: p.toneReason, noEvidence: p.noEvidence, compliance: c.findings.length }),
    };
  }

  /** The stored result of a request id, if that request was drafted already. */
  function storedResult(requestId: string): DraftResult | undefined {
    const r = db.prepare('SELECT user_id FROM requests WHERE id = ?').get(requestId) as { user_id: string } | undefined;
    if (!r) return undefined;
    const rows = db.prepare('SELECT * FROM drafts WHERE request_id = ? AND supersedes IS NULL ORDER BY score DESC, rowid').all(requestId) as DraftRow[];
    return { user: pseudonym(r.user_id), request_id: requestId, drafts: rows.map(rowToDraft) };
  }

  async function draft(req: DraftRequest): Promise<DraftResult> {
    if (req.requestId !== undefined) {
      const stored = storedResult(req.requestId);
      if (stored) return stored;
    }
    const n = req.n ?? 3;
    if (!Number.isInteger(n) || n < 1 || n > MAX_DRAFTS) throw new InvalidRequestError(`n must be an integer from 1 to ${MAX_DRAFTS} (got ${req.n})`);
    if (req.length !== undefined && !LENGTHS.includes(req.length)) throw new InvalidRequestError(`unknown length "${req.length}" (${LENGTHS.join(', ')})`);
    const p = await plan(req);
    const filter: Partial<Strategy> = {};
    if (p.fixedTone) filter.tone = p.fixedTone;
    if (req.length) filter.length = req.length as LengthBucket;
    // One Thompson draw per request: the best-sampled strategy writes the n drafts (one
    // generator call); the next two are fallbacks when its candidates are too alike or withheld.
    const strategies = chooseStrategies(db, p.ins.segment, 1 + FALLBACK_STRATEGIES, filter, rng);
    const picked = await candidates(p, strategies, n, [], 0);
    const drafts = picked.map((c) => toDraft(p, c)).sort((a, b) => b.score - a.score);
    const requestId = req.requestId ?? newId('r');
    const stored = immediate(db, () => {
      // Another process may have drafted the same request id meanwhile: keep its drafts.
      if (req.requestId !== undefined && db.prepare('SELECT 1 FROM requests WHERE id = ?').get(requestId)) return true;
      insertRequest(requestId, req, n);
      for (const d of drafts) insertDraft(d, requestId, req.userId, p.ins.segment, null, req.source?.channel);
      audit(db, { actor: req.source?.requestedBy ?? req.source?.kind ?? 'cli', action: 'drafted', after: { request_id: requestId, drafts: drafts.map((d) => d.id) } });
      return false;
    });
    if (stored) return storedResult(requestId)!;
    return { user: pseudonym(req.userId), request_id: requestId, drafts };
  }

  async function regenerate(draftId: string, actor = 'cli', opts: { noEvidence?: boolean } = {}): Promise<Draft> {
    const row = db.prepare('SELECT * FROM drafts WHERE id = ?').get(draftId) as DraftRow | undefined;
    if (!row) throw new InvalidRequestError(`unknown draft "${draftId}"`);
    if (row.status !== 'pending') throw new DraftStateError(draftId, row.status);
    const old = parseStrategy(row.strategy);
    const requested = (db.prepare('SELECT tone FROM requests WHERE id = ?').get(row.request_id) as { tone: string } | undefined)?.tone;
    const p = await plan({ userId: row.user_id, itemId: row.item_id, tone: requested === 'auto' || requested === undefined ? 'auto' : (requested as Tone), noEvidence: opts.noEvidence ?? (row.explanation.includes('顾虑') && !row.explanation.includes('「')) });
    const siblings = (db.prepare('SELECT text FROM drafts WHERE request_id = ?').all(row.request_id) as Array<{ text: string }>).map((r) => r.text);
    const strategies = chooseStrategies(db, row.segment, 3, { tone: old.tone }, rng);
    const picked = await candidates(p, strategies, 1, siblings, siblings.length);
    if (picked.length === 0) throw new Error(`could not generate a new draft different from the ${siblings.length} already offered`);
    const d = toDraft(p, picked[0]);
    const ok = immediate(db, () => {
      if (!decideDraft(db, draftId, 'superseded', actor)) return false;
      insertDraft(d, row.request_id, row.user_id, row.segment, draftId, (db.prepare('SELECT channel FROM drafts WHERE id = ?').get(draftId) as { channel: string | null }).channel);
      audit(db, { actor, action: 'regenerated', draftId: d.id, before: { draft_id: draftId }, after: { draft_id: d.id, strategy: d.strategy } });
      return true;
    });
    if (!ok) {
      const now = db.prepare('SELECT status FROM drafts WHERE id = ?').get(draftId) as { status: string };
      throw new DraftStateError(draftId, now.status);
    }
    return d;
  }

  function checkEdit(text: string): CheckReport {
    return checkText(text, rules);
  }

  function saveEdit(draftId: string, text: string, editor: string): { saved: boolean; draft?: Draft; report: CheckReport } {
    const report = checkEdit(text);
    if (report.withheld || report.rewritten === null) return { saved: false, report };
    const finalText = report.rewritten;
    const result = db.transaction(() => {
      const row = db.prepare('SELECT * FROM drafts WHERE id = ?').get(draftId) as DraftRow | undefined;
      if (!row) throw new InvalidRequestError(`unknown draft "${draftId}"`);
      if (row.status !== 'pending') throw new DraftStateError(draftId, row.status);
      const version = row.version + 1;
      const compliance = { ok: true, findings: report.findings.map((f) => ({ term: f.term, category: f.category, action: f.action, replacement: rules.terms.find((t) => t.term === f.term)?.replacement })) };
      db.prepare('INSERT INTO draft_versions (draft_id, version, text, edited_by, created_at) VALUES (?, ?, ?, ?, ?)').run(draftId, version, finalText, editor, nowIso());
      db.prepare('UPDATE drafts SET text = ?, version = ?, edited = 1, compliance_json = ? WHERE id = ?').run(finalText, version, JSON.stringify(compliance), draftId);
      audit(db, { actor: editor, action: 'edited', draftId, before: { version: row.version, text: row.text }, after: { version, text: finalText, findings: report.findings.length } });
      return rowToDraft(db.prepare('SELECT * FROM drafts WHERE id = ?').get(draftId) as DraftRow);
    })();
    return { saved: true, draft: result, report };
  }

  return { draft, regenerate, checkEdit, saveEdit, insight, bodyOf: (id) => bodies.get(id), pseudonym, deps };
}

/** The doubt whose aspect comes up most often (the first of it). */
export function mostFrequent(doubts: Doubt[]): Doubt | undefined {
  if (doubts.length === 0) return undefined;
  const count = new Map<string, number>();
  for (const d of doubts) count.set(d.aspect, (count.get(d.aspect) ?? 0) + 1);
  let best = doubts[0];
  for (const d of doubts) if ((count.get(d.aspect) ?? 0) > (count.get(best.aspect) ?? 0)) best = d;
  return best;
}
