// Finance's pages: statements dropped on the upload area (or chosen) are sent at once, with the bytes' progress;
// on the queue, l links the selected payment to its top candidate, and after an action the next payment
// takes the focus. j / k / Enter come from app.js. No inline handlers (the CSP allows scripts from here only).
(function () {
  'use strict';
  const typing = (el) => el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);

  function send(form) {
    if (window.htmx) window.htmx.trigger(form, 'submit');
    else form.requestSubmit();
  }

  document.addEventListener('DOMContentLoaded', () => {
    const form = document.getElementById('upload-form');
    const input = document.getElementById('statements');
    const zone = document.querySelector('[data-dropzone]');
    if (form && input && zone) {
      input.addEventListener('change', () => { if (input.files && input.files.length) send(form); });
      ['dragenter', 'dragover'].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add('over'); }));
      ['dragleave', 'drop'].forEach((t) => zone.addEventListener(t, () => zone.classList.remove('over')));
      zone.addEventListener('drop', (e) => {
        e.preventDefault();
        if (!e.dataTransfer || !e.dataTransfer.files.length) return;
        input.files = e.dataTransfer.files;
        send(form);
      });
      const bar = document.getElementById('upload-progress');
      form.addEventListener('htmx:xhr:progress', (e) => {
        if (!bar || !e.detail.lengthComputable) return;
        bar.hidden = false;
        bar.value = Math.round((e.detail.loaded / e.detail.total) * 100);
      });
      form.addEventListener('htmx:afterRequest', () => { if (bar) bar.hidden = true; input.value = ''; });
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
