// Notice templates (mail-templates/*.txt): YAML front matter with the subject, a Mustache body.
// Loaded and checked once at start-up; rendering never HTML-escapes (these are plain-text mails).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Mustache from 'mustache';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { NOTICE_NAMES, type NoticeName } from '../cases/transition.ts';
import type { NoticeAudience } from '../cases/notice-snapshot.ts';

/** A template per notice the case transition can call for, and the office's own mails (not about one case). */
export const OFFICE_TEMPLATE_NAMES = ['staff-digest', 'renewal-reminder', 'audit-request', 'audit-reminder', 'audit-passed', 'audit-failed', 'audit-waived'] as const;
export type OfficeTemplateName = (typeof OFFICE_TEMPLATE_NAMES)[number];
export const TEMPLATE_NAMES = [...NOTICE_NAMES, ...OFFICE_TEMPLATE_NAMES] as const;
export type TemplateName = NoticeName | OfficeTemplateName;

/** `audience` says who the notice is for: the applicant (the case's address, capped per day) or the reviewer. */
const frontMatterSchema = z.object({ subject: z.string().min(1), audience: z.enum(['applicant', 'reviewer', 'staff']) }).strict();

export interface Template {
  subject: string;
  audience: NoticeAudience | 'staff';
  body: string;
}

export class TemplateError extends Error {}

export class Templates {
  private readonly templates: Map<string, Template>;
  private readonly partials: Record<string, string>;

  constructor(templates: Map<string, Template>, partials: Record<string, string>) {
    this.templates = templates;
    this.partials = partials;
  }

  static load(dir: string): Templates {
    const templates = new Map<string, Template>();
    const partials: Record<string, string> = {};
    if (!existsSync(dir)) throw new TemplateError(`template folder ${dir}: missing`);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt') && f.startsWith('_'))) {
      partials[file.replace(/\.txt$/, '')] = readFileSync(path.join(dir, file), 'utf8');
    }
    for (const name of TEMPLATE_NAMES) {
      const file = path.join(dir, `${name}.txt`);
      if (!existsSync(file)) throw new TemplateError(`template ${file}: missing`);
      const text = readFileSync(file, 'utf8');
      const m = text.match(/^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/);
      if (!m) throw new TemplateError(`template ${file}: expected a '---' front matter block with subject: and audience:`);
      let front: unknown;
      try {
        front = parseYaml(m[1]!);
      } catch (error) {
        throw new TemplateError(`template ${file}: front matter: ${(error as Error).message}`);
      }
      const parsed = frontMatterSchema.safeParse(front);
      if (!parsed.success) throw new TemplateError(`template ${file}: front matter: ${parsed.error.issues[0]!.path.join('.') || 'front matter'}: ${parsed.error.issues[0]!.message}`);
      try {
        Mustache.parse(m[2]!);
        Mustache.parse(parsed.data.subject);
      } catch (error) {
        throw new TemplateError(`template ${file}: ${(error as Error).message}`);
      }
      // A case's notice goes to its applicant or the reviewer, never to staff (the office's own mails may).
      const office = (OFFICE_TEMPLATE_NAMES as readonly string[]).includes(name);
      if (!office && parsed.data.audience === 'staff') throw new TemplateError(`template ${file}: front matter: audience: applicant or reviewer expected`);
      templates.set(name, { subject: parsed.data.subject, audience: parsed.data.audience, body: m[2]! });
    }
    return new Templates(templates, partials);
  }

  /** Who a notice goes to, as its template declares. */
  audienceOf(name: NoticeName): NoticeAudience {
    const t = this.templates.get(name);
    if (!t) throw new TemplateError(`template ${name}: not loaded`);
    if (t.audience === 'staff') throw new TemplateError(`template ${name}: a case notice cannot go to staff`);
    return t.audience;
  }

  render(name: TemplateName, view: Record<string, unknown>): { subject: string; text: string } {
    const t = this.templates.get(name);
    if (!t) throw new TemplateError(`template ${name}: not loaded`);
    const options = { escape: (s: unknown) => String(s) };
    const subject = Mustache.render(t.subject, view, undefined, options).replace(/\s+/g, ' ').trim();
    const partials = Object.fromEntries(Object.entries(this.partials).map(([k, v]) => [k, Mustache.render(v, view, undefined, options)]));
    // Collapse the blank lines left where sections rendered empty.
    const text = Mustache.render(t.body, view, partials, options).replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
    return { subject, text };
  }
}
