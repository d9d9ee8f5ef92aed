// The composition root: configuration, rules, templates, database and stores, built once at start-up.
// A bad rule file or template stops start-up here with a message naming the file.
import type { Config } from '../config/config.ts';
import { loadRules, type Rules } from './load-rules.ts';
import { openDatabase, type Db } from '../cases/db.ts';
import { CaseStore } from '../cases/case-store.ts';
import { ContentStore } from '../intake/content-store.ts';
import { Templates } from '../outbound/templates.ts';
import type { Logger } from '../shared/log.ts';

export interface App {
  config: Config;
  rules: Rules;
  db: Db;
  cases: CaseStore;
  files: ContentStore;
  templates: Templates;
  log: Logger;
}

export function createApp(config: Config, log: Logger, options: { readOnly?: boolean } = {}): App {
  const rules = loadRules(config.rulesDir);
  const templates = Templates.load(config.templatesDir);
  const db = openDatabase(config.database.path, options);
  return { config, rules, db, cases: new CaseStore(db), files: new ContentStore(config.store.dir), templates, log };
}

export function closeApp(app: App): void {
  app.db.close();
}
