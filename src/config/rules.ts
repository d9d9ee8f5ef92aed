// Rule files under rules/: the association's numbers (points, caps, windows, fees, subject lines) as data.
// Each is validated by zod at start-up; a bad file stops start-up naming the file, line and key.
//
// zod and the YAML parser are loaded when a schema is first built or a file read, not when this module
// (or a form kind, whose validator extends kindRulesBase) is imported: `conken extract` needs the form
// kinds to recognise a form, never their rule schemas (BENCHMARKS.md "CLI cold start"). So the schemas
// are functions that build them once: intakeRulesSchema(), kindRulesBase(), monthDay().
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { loadNow } from './lazy-module.ts';

/** zod, loaded now if it is not yet (the schema builders call this). */
export function zod(): typeof z {
  return loadNow<typeof import('zod')>('zod').z;
}

/** A schema built on first use, then kept. */
export function lazySchema<S>(build: () => S): () => S {
  let schema: S | undefined;
  return () => (schema ??= build());
}

export const monthDay = lazySchema(() => zod().string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]|end)$/, 'expected MM-DD or MM-end'));

function buildIntakeRulesSchema() {
  const z = zod();
  return z.object({
    subjects: z.object({
      /** Reply/forward prefixes stripped before matching (compared after NFKC, case-insensitive). */
      prefixes: z.array(z.string().min(1)).min(1),
      /** Words that make an unmatched subject a near miss (staff exception) instead of unrelated mail. */
      nearMissKeywords: z.array(z.string().min(1)),
      /** Words people put before the rule (再送, 訂正 …), in brackets, before a colon or alone: removed before matching. */
      annotations: z.array(z.string().min(1)).default([]),
      /**
       * Words that make a mail speak of an application (subject or the top of the body). A mail whose subject
       * matches no rule, carrying no recognisable form, is a near miss for staff when it has one; else ignored.
       */
      mentionKeywords: z.array(z.string().min(1)).default([]),
      /** Edit distance, as a fraction of the expected text's length, still counted as a near miss. */
      nearMissMaxDistance: z.number().min(0).max(1),
    }).strict(),
    attachments: z.object({
      maxBytes: z.number().int().positive(),
      zip: z.object({
        maxEntries: z.number().int().positive(),
        maxTotalBytes: z.number().int().positive(),
      }).strict(),
    }).strict(),
    autoReplies: z.object({
      /** No sender gets more automatic mails than this per day (Asia/Tokyo). */
      maxPerSenderPerDay: z.number().int().positive(),
    }).strict(),
    ocr: z.object({
      /** A value read by OCR below this confidence (0–100) is never used as read: a person confirms it. */
      minConfidence: z.number().min(0).max(100),
    }).strict().default({ minConfidence: 85 }),
    retention: z.object({
      /** A closed case (approved, rejected) loses its personal data this many years after it closed (SPEC §7). */
      closedCaseYears: z.number().positive(),
    }).strict().default({ closedCaseYears: 5 }),
  }).strict();
}
export const intakeRulesSchema = lazySchema(buildIntakeRulesSchema);
export type IntakeRules = z.infer<ReturnType<typeof buildIntakeRulesSchema>>;

function buildKindRulesBase() {
  const z = zod();
  /** What every form kind's rule file has; a kind extends it with its own keys. */
  return z.object({
    kind: z.string().min(1),
    /** Japanese name of the application, used in notices. */
    label: z.string().min(1),
    /** First letter of the case numbers of this kind, e.g. R → R-2026-000123. */
    casePrefix: z.string().regex(/^[A-Z]$/),
    subject: z.object({ tag: z.string().min(1), title: z.string().min(1) }).strict(),
    /** Fee in JPY, tax included. */
    fee: z.number().int().positive(),
    fields: z.object({
      required: z.array(z.string()),
      /** Groups of which at least one must be filled, e.g. [phone, mobile]. */
      oneOf: z.array(z.array(z.string()).min(2)).default([]),
      /** Empty is reported to the reviewer, not the applicant. */
      expected: z.array(z.string()).default([]),
      /**
       * Required fields an application that came by this channel may leave empty (then only the reviewer is
       * told), e.g. `post: [email]`: a paper form's contact is its postal address.
       */
      optionalByChannel: z.object({ mail: z.array(z.string()).default([]), post: z.array(z.string()).default([]) }).strict().default({ mail: [], post: [] }),
    }).strict(),
  });
}
/** What every form kind's rule file has: `kindRulesBase().extend({...})` in a kind's validator. */
export const kindRulesBase = lazySchema(buildKindRulesBase);
export type KindRules = z.infer<ReturnType<typeof buildKindRulesBase>>;

export class RulesError extends Error {}

/**
 * Parse a YAML rule file with a zod schema (or the function that builds it: intakeRulesSchema); errors
 * name the file, the line and the key.
 */
export function loadRuleFile<S extends z.ZodType>(file: string, schemaOrBuild: S | (() => S)): z.infer<S> {
  if (!existsSync(file)) throw new RulesError(`rule file ${file}: missing`);
  const schema = typeof schemaOrBuild === 'function' ? schemaOrBuild() : schemaOrBuild;
  const { LineCounter, parseDocument, isNode } = loadNow<typeof import('yaml')>('yaml');
  const text = readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? '?';
    throw new RulesError(`rule file ${file}, line ${line}: ${e.message.split('\n')[0]}`);
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const keyPath = issue.path.map(String);
  // Point at the deepest node that exists: the bad value itself or, for a missing key, its parent.
  let line: number | undefined;
  for (let depth = keyPath.length; depth >= 0 && line === undefined; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(keyPath.slice(0, depth).map((k) => (/^\d+$/.test(k) ? Number(k) : k)), true);
    if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
  }
  throw new RulesError(`rule file ${file}, line ${line ?? '?'}, key ${keyPath.join('.') || '(root)'}: ${issue.message}`);
}

export function ruleFilePath(rulesDir: string, name: string): string {
  return path.join(rulesDir, `${name}.yaml`);
}
