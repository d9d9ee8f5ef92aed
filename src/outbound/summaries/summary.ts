// The reviewer summary seam: one summariser per form kind turns the application and our computed
// figures into plain-text tables for the review-request mail.

export interface ReviewSummary {
  fieldsTable: string;
  /** Titled sections a kind adds (a renewal's CPD table, a certification's exam report and experience timeline). */
  sections: { title: string; body: string }[];
}

export type Summariser = (application: Record<string, unknown>, computed: Record<string, unknown>) => ReviewSummary;

/** Left-aligned two-column text table (labels padded with ideographic spaces for Japanese fonts). */
export function labelValueTable(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([l]) => [...l].length));
  return rows.map(([l, v]) => `　${l}${'　'.repeat(width - [...l].length)}：${v}`).join('\n');
}
