// The composition root: configuration, rules, templates, database and stores, built once at start-up.
// A bad rule file or template stops start-up here with a message naming the file.
import type { Config } from '../config/config.ts';
import { loadRules, type Rules } from './load-rules.ts';
// Registers the form kinds (each stage's generic code asks them): load-rules.ts reads their rule files.
import '../kinds/index.ts';
import { openDatabase, type Db } from '../cases/db.ts';
import { CaseStore } from '../cases/case-store.ts';
import { PaymentLedger } from '../cases/payment-ledger.ts';
import { OutboxStore } from '../cases/outbox-store.ts';
import { CaseWriter } from '../cases/case-writer.ts';
import { JobRunsStore } from '../cases/job-runs-store.ts';
import { ContentStore } from '../intake/content-store.ts';
import { Templates } from '../outbound/templates.ts';
import type { Logger } from '../shared/log.ts';

export interface App {
  config: Config;
  rules: Rules;
  db: Db;
  /** Cases with their mails, attachments, findings and events. */
  cases: CaseStore;
  /** Statement imports, payments, links and verdicts. */
  payments: PaymentLedger;
  outbox: OutboxStore;
  /** The one writer of a case's state (status, findings, notices): see src/cases/transition.ts. */
  writer: CaseWriter;
  /** The record of scheduled job runs (src/app/jobs/). */
  jobRuns: JobRunsStore;
  files: ContentStore;
  templates: Templates;
  log: Logger;
}

export function createApp(config: Config, log: Logger, options: { readOnly?: boolean } = {}): App {
  const rules = loadRules(config.rulesDir);
  const templates = Templates.load(config.templatesDir);
  const db = openDatabase(config.database.path, options);
  const cases = new CaseStore(db);
  const payments = new PaymentLedger(db);
  const outbox = new OutboxStore(db);
  const writer = new CaseWriter({ cases, payments, outbox }, {
    from: config.mail.from,
    reviewerAddress: config.mail.reviewer,
    messageIdDomain: config.mail.messageIdDomain,
    maxPerSenderPerDay: rules.intake.autoReplies.maxPerSenderPerDay,
    audienceOf: (name) => templates.audienceOf(name),
    kindOf: (kind) => (rules.kinds[kind] ? { label: rules.kinds[kind].label, fee: rules.kinds[kind].fee } : undefined),
  });
  return { config, rules, db, cases, payments, outbox, writer, jobRuns: new JobRunsStore(db), files: new ContentStore(config.store.dir), templates, log };
}

export function closeApp(app: App): void {
  app.db.close();
}
