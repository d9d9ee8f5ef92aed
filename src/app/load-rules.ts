// Loads every rule file: rules/intake.yaml plus one rules/<kind>.yaml per registered form kind.
import { intakeRulesSchema, loadRuleFile, ruleFilePath, type IntakeRules, type KindRules } from '../config/rules.ts';
import { VALIDATORS } from '../validate/index.ts';

export interface Rules {
  intake: IntakeRules;
  kinds: Record<string, KindRules>;
}

export function loadRules(rulesDir: string): Rules {
  const intake = loadRuleFile(ruleFilePath(rulesDir, 'intake'), intakeRulesSchema);
  const kinds: Record<string, KindRules> = {};
  for (const validator of VALIDATORS) kinds[validator.kind] = loadRuleFile(ruleFilePath(rulesDir, validator.kind), validator.rulesSchema);
  return { intake, kinds };
}
