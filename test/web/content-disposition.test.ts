// Attachment names come from applicants' mailers: a name must never break out of the header or name a path.
import { describe, expect, it } from 'vitest';
import { contentDisposition } from '../../src/web/routes/file-response.ts';

describe('Content-Disposition of attachments', () => {
  it('an ASCII stand-in and the real name per RFC 5987', () => {
    expect(contentDisposition('attachment', '受講証明書.pdf')).toBe(`attachment; filename="_____.pdf"; filename*=UTF-8''${encodeURIComponent('受講証明書.pdf')}`);
    expect(contentDisposition('inline', 'scan 01.png')).toBe(`inline; filename="scan_01.png"; filename*=UTF-8''scan%2001.png`);
  });

  it('quotes, line breaks, paths and parentheses cannot escape', () => {
    const header = contentDisposition('attachment', '..\\..\\evil"; filename="x.html\r\nSet-Cookie: a=b\'(1).pdf');
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.match(/"/g)).toHaveLength(2);
    expect(header).not.toContain('..');
    expect(header).not.toContain('\\');
    expect(header.split("filename*=UTF-8''")[1]).toMatch(/^[A-Za-z0-9%._~!-]+$/);
    expect(contentDisposition('attachment', '')).toBe(`attachment; filename="file"; filename*=UTF-8''file`);
  });
});
