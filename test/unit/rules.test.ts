import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadRules } from '../../src/app/load-rules.ts';
import { Templates } from '../../src/outbound/templates.ts';
import { loadConfig } from '../../src/config/config.ts';

const RULES = path.resolve(import.meta.dirname, '../../rules');

function rulesCopy(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-rules-'));
  cpSync(RULES, dir, { recursive: true });
  return dir;
}

describe('rule files', () => {
  it('loads the shipped rules', () => {
    const rules = loadRules(RULES);
    expect(rules.kinds.renewal).toMatchObject({ casePrefix: 'R', fee: 11000 });
    expect(rules.intake.autoReplies.maxPerSenderPerDay).toBeGreaterThan(0);
  });

  it('names the file, line and key of a bad value', () => {
    const dir = rulesCopy();
    const file = path.join(dir, 'renewal.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('minimumPoints: 30', 'minimumPoints: thirty'));
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('thirty')) + 1;
    expect(() => loadRules(dir)).toThrow(new RegExp(`renewal\\.yaml, line ${line}, key cpd\\.minimumPoints`));
  });

  it('names a missing key and an unknown one', () => {
    const dir = rulesCopy();
    const file = path.join(dir, 'intake.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/autoReplies:\n.*\n.*maxPerSenderPerDay: \d+\n/, 'autoReplies: {}\n'));
    expect(() => loadRules(dir)).toThrow(/intake\.yaml, line \d+, key autoReplies\.maxPerSenderPerDay/);
    const dir2 = rulesCopy();
    writeFileSync(path.join(dir2, 'renewal.yaml'), readFileSync(path.join(dir2, 'renewal.yaml'), 'utf8') + '\nfees: 1\n');
    expect(() => loadRules(dir2)).toThrow(/renewal\.yaml.*fees|renewal\.yaml.*Unrecognized/);
  });

  it('rejects a window bound that is not MM-DD', () => {
    const dir = rulesCopy();
    const file = path.join(dir, 'renewal.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('to: "02-end"', 'to: "February"'));
    expect(() => loadRules(dir)).toThrow(/key window\.to: expected MM-DD/);
  });
});

describe('templates and config', () => {
  it('refuses a template without its subject', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conken-tpl-'));
    cpSync(path.resolve(import.meta.dirname, '../../mail-templates'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'accepted.txt'), 'no front matter\n');
    expect(() => Templates.load(dir)).toThrow(/accepted\.txt.*front matter/);
  });

  it('takes environment overrides over defaults and validates them', () => {
    const config = loadConfig({ cwd: '/srv/x', env: { CONKEN_DB_PATH: 'db/x.db', CONKEN_INBOX_POLL_SECONDS: '9' } });
    expect(config.database.path).toBe('/srv/x/db/x.db');
    expect(config.inbox.pollSeconds).toBe(9);
    expect(config.outbox.dir).toBe('/srv/x/data/outbox');
    expect(() => loadConfig({ cwd: '/srv/x', env: { CONKEN_INBOX_POLL_SECONDS: '-1' } })).toThrow(/inbox\.pollSeconds/);
  });
});
