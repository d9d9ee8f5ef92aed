// Values OCR read below the confidence threshold (rules/intake.yaml ocr.minConfidence): each is a staff
// finding `field.unconfirmed`, and the case cannot be complete until a person confirms it (`conken
// confirm`). Text and Word forms carry confidence 1 and never get here.
import { fieldSources, type ApplicationBase } from '../extract/forms/form-kind.ts';
import { finding, staffFieldLabel, type Finding } from './findings.ts';

/** `cpd[2].title` → the field `cpd`, row 2. */
function position(field: string): { field: string; row?: number } {
  const m = /^([A-Za-z]+)\[(\d+)\]/.exec(field);
  return m ? { field: m[1]!, row: Number(m[2]) } : { field };
}

export function unconfirmedFindings(application: ApplicationBase, minConfidence: number): Finding[] {
  const out: Finding[] = [];
  for (const [field, source] of fieldSources(application)) {
    if (source.confidence * 100 >= minConfidence) continue;
    const read = source.text.trim() === '' ? '（空欄）' : `「${source.text.replace(/\s+/g, ' ').slice(0, 60)}」`;
    const where = position(field);
    // The label names the place on the form (実務経験 2行目の勤務先); the field's code is what conken confirm takes.
    const label = staffFieldLabel(field, application.kind);
    out.push(finding('field.unconfirmed', 'staff',
      `${label === field ? field : `${label}（${field}）`}をOCRで確実に読み取れませんでした。読取値${read}、信頼度 ${Math.round(source.confidence * 100)}%、${source.location}。スキャン画像（conken case に切り抜きの場所）と照合し、conken confirm で確定してください。`,
      { field, ...(where.row !== undefined ? { row: where.row } : {}) }));
  }
  return out;
}
