// Loads every rule file: rules/intake.yaml plus one rules/<kind>.yaml per registered form kind.
import { intakeRulesSchema, loadRuleFile, ruleFilePath, type IntakeRules, type KindRules } from '../config/rules.ts';
import { formKinds } from '../kinds/index.ts';
import { existsSync } from 'node:fs';
import { DEFAULT_STATEMENT_RULES, statementRulesSchema, type StatementRules } from '../payments/statements/generic-csv.ts';
import { DEFAULT_REVIEW_RULES, reviewRulesSchema, type ReviewRules } from '../config/review-rules.ts';

export interface Rules {
  intake: IntakeRules;
  kinds: Record<string, KindRules>;
  /** rules/statements.yaml: Zengin date window and the generic CSV layouts (defaults when the file is absent). */
  statements: StatementRules;
  /** rules/review.yaml: rejection reasons, four eyes, certification numbers (defaults when the file is absent). */
  review: ReviewRules;
}

export function loadRules(rulesDir: string): Rules {
  const intake = loadRuleFile(ruleFilePath(rulesDir, 'intake'), intakeRulesSchema);
  const kinds: Record<string, KindRules> = {};
  for (const k of formKinds()) kinds[k.kind] = loadRuleFile(ruleFilePath(rulesDir, k.kind), k.validator.rulesSchema);
  const statementsFile = ruleFilePath(rulesDir, 'statements');
  const statements = existsSync(statementsFile) ? loadRuleFile(statementsFile, statementRulesSchema) : DEFAULT_STATEMENT_RULES;
  const reviewFile = ruleFilePath(rulesDir, 'review');
  const review = existsSync(reviewFile) ? loadRuleFile(reviewFile, reviewRulesSchema) : DEFAULT_REVIEW_RULES;
  return { intake, kinds, statements, review };
}
