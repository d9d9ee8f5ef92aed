// Keyboard-first workbench: shortcuts (listed in the ? dialog and the README) and focus after an update.
// No inline handlers anywhere (the CSP allows scripts from this origin only).
(function () {
  'use strict';
  const typing = (el) => el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
  const dialog = () => document.getElementById('shortcuts');

  function toggleHelp() {
    const d = dialog();
    if (!d) return;
    if (d.open) d.close(); else d.showModal();
  }

  /** The rows of a list page, moved through with j / k. */
  function moveRow(step) {
    const links = [...document.querySelectorAll('[data-rows] .row-link')];
    if (!links.length) return;
    const current = links.indexOf(document.activeElement);
    const next = links[Math.min(links.length - 1, Math.max(0, current === -1 ? 0 : current + step))];
    document.querySelectorAll('[data-rows] tr.selected').forEach((tr) => tr.classList.remove('selected'));
    next.closest('tr').classList.add('selected');
    next.focus();
  }

  function clickAction(value) {
    const b = document.querySelector(`#confirm-form button[name="action"][value="${value}"]`);
    if (b) b.click();
  }

  let pendingG = false;
  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && document.getElementById('confirm-form')) {
      e.preventDefault();
      clickAction(e.shiftKey ? 'all' : 'all-next');
      return;
    }
    if (t && t.classList && t.classList.contains('confirm-input')) {
      if (e.key === 'Enter' && !e.shiftKey && !e.altKey) {
        // Enter confirms this value only (as read if untouched, as corrected otherwise).
        e.preventDefault();
        t.closest('.confirm-row').querySelector('button.confirm-one').click();
      } else if (e.key === 'Escape') {
        t.value = t.dataset.reading || '';
      }
      return;
    }
    if (typing(t) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === '?') { e.preventDefault(); toggleHelp(); return; }
    if (e.key === '/') {
      const s = document.querySelector('[data-shortcut="/"]');
      if (s) { e.preventDefault(); s.focus(); s.select(); }
      return;
    }
    if (e.key === 'j') { e.preventDefault(); moveRow(1); return; }
    if (e.key === 'k') { e.preventDefault(); moveRow(-1); return; }
    if (e.key === 'n') {
      const next = document.querySelector('[data-next]');
      if (next) { e.preventDefault(); window.location.href = next.href; }
      return;
    }
    if (e.key === 'g') { pendingG = true; setTimeout(() => { pendingG = false; }, 800); return; }
    if (e.key === 'q' && pendingG) { pendingG = false; window.location.href = '/queue'; }
  });

  document.addEventListener('DOMContentLoaded', () => {
    const open = document.getElementById('shortcuts-open');
    if (open) open.addEventListener('click', toggleHelp);
  });

  // After a value is confirmed in place: focus the next value to confirm, else the message.
  document.addEventListener('htmx:afterSettle', () => {
    const input = document.querySelector('.confirm-row.has-error .confirm-input') || document.querySelector('.confirm-input');
    if (input) { input.focus(); input.select(); return; }
    const flash = document.querySelector('#work .flash');
    if (flash) flash.focus();
  });
})();
