// Finance's pages: statements dropped on the upload area (or chosen) are sent at once, with the bytes' progress;
// on the queue, l links the selected payment to its top candidate, and after an action the next payment
// takes the focus. j / k / Enter come from app.js. No inline handlers (the CSP allows scripts from here only).
(function () {
  'use strict';
  const typing = (el) => el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);

  document.addEventListener('DOMContentLoaded', () => {
    const form = document.getElementById('upload-form');
    const input = document.getElementById('statements');
    const zone = document.querySelector('[data-dropzone]');
    if (form && input && zone) {
      const bar = document.getElementById('upload-progress');
      const jobs = document.getElementById('jobs');
      // Each file sent as its own request, its bytes as the body (no multipart for the server to scan), one
      // after another; the answer (the job's panel, which polls itself) goes on top of the list.
      const upload = async (files) => {
        const token = JSON.parse(document.body.getAttribute('hx-headers') || '{}')['x-csrf-token'] || '';
        for (const file of files) {
          await new Promise((resolve) => {
            const xhr = new XMLHttpRequest();
            xhr.open('POST', '/finance/imports/file');
            xhr.setRequestHeader('content-type', 'application/octet-stream');
            xhr.setRequestHeader('x-file-name', encodeURIComponent(file.name));
            xhr.setRequestHeader('x-csrf-token', token);
            xhr.setRequestHeader('hx-request', 'true');
            xhr.upload.addEventListener('progress', (e) => {
              if (!bar || !e.lengthComputable) return;
              bar.hidden = false;
              bar.value = Math.round((e.loaded / e.total) * 100);
            });
            xhr.addEventListener('loadend', () => {
              const html = xhr.status === 200 ? xhr.responseText : '<p class="error" role="alert"></p>';
              const box = document.createElement('div');
              box.innerHTML = html;
              if (xhr.status !== 200) {
                box.firstChild.textContent = xhr.status === 413
                  ? `${file.name}: ファイルが大きすぎます。1件も登録していません。`
                  : `${file.name}: 送信できませんでした（${xhr.status || '接続エラー'}）。1件も登録していません。`;
              }
              const nodes = [...box.childNodes];
              nodes.reverse().forEach((n) => jobs.insertBefore(n, jobs.firstChild));
              nodes.forEach((n) => { if (n.nodeType === 1 && window.htmx) window.htmx.process(n); });
              resolve();
            });
            xhr.send(file);
          });
        }
        if (bar) bar.hidden = true;
        input.value = '';
      };
      input.addEventListener('change', () => { if (input.files && input.files.length) upload([...input.files]); });
      ['dragenter', 'dragover'].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add('over'); }));
      ['dragleave', 'drop'].forEach((t) => zone.addEventListener(t, () => zone.classList.remove('over')));
      zone.addEventListener('drop', (e) => {
        e.preventDefault();
        if (!e.dataTransfer || !e.dataTransfer.files.length) return;
        upload([...e.dataTransfer.files]);
      });
    }

    const split = document.getElementById('split-form');
    if (split) {
      const out = document.getElementById('split-sum');
      const total = Number(split.dataset.total);
      const sum = () => {
        let s = 0;
        split.querySelectorAll('input[name="pick"]:checked').forEach((box) => {
          const amount = split.querySelector(`input[name="amount-${box.value}"]`);
          s += Number(String(amount ? amount.value : '').replace(/[^0-9]/g, '')) || 0;
        });
        out.textContent = s.toLocaleString('ja-JP');
        out.classList.toggle('mismatch', s > total);
      };
      split.addEventListener('input', sum);
      split.addEventListener('change', sum);
      sum();
    }
  });

  /** The queue row in hand: the focused one, else the selected one. */
  function currentRow() {
    const a = document.activeElement;
    return (a && a.closest && a.closest('tr[data-payment]')) || document.querySelector('tr[data-payment].selected');
  }

  document.addEventListener('keydown', (e) => {
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key !== 'l') return;
    const row = currentRow();
    const top = row && row.querySelector('button[data-link-top]');
    if (top) { e.preventDefault(); top.click(); }
  });

  // After a payment is handled on the queue, the next one waiting takes the focus.
  document.addEventListener('htmx:afterSettle', (e) => {
    const row = e.detail && e.detail.elt && e.detail.elt.closest ? e.detail.elt.closest('tr[data-payment]') : null;
    if (!row || !row.hasAttribute('data-done')) return;
    let next = row.nextElementSibling;
    while (next && next.hasAttribute('data-done')) next = next.nextElementSibling;
    document.querySelectorAll('[data-rows] tr.selected').forEach((tr) => tr.classList.remove('selected'));
    const link = next ? next.querySelector('.row-link') : null;
    if (link) { next.classList.add('selected'); link.focus(); }
  });
})();
