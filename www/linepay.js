/* linepay.js: behaviour of the LINE Pay checkout pages. No libraries, ES2017.
 * Everything it needs (URLs, popup size, localised texts) comes from data-* attributes on <body>,
 * so the pages carry no inline script and this file holds no language. */
(() => {
  'use strict';
  const body = document.body;
  if (!body) return;
  const data = body.dataset;
  const POLL_MS = 2000;
  const POLL_FOR_MS = 30 * 60 * 1000;
  const SUCCESS = ['paid', 'authorized'];
  const ENDED = { cancelled: 'textCancelled', canceled: 'textCancelled', failed: 'textFailed', expired: 'textExpired' };

  const byId = (id) => document.getElementById(id);
  const setStatus = (text) => {
    const el = byId('lp-status');
    if (el && text && el.textContent !== text) el.textContent = text;
  };
  const setState = (state, textKey) => {
    body.dataset.state = state;
    setStatus(data[textKey]);
  };
  const goTo = (url) => { if (url) window.location.replace(url); };

  // Polls url every 2 s (first at once); onStatus gets the lower-cased status and returns false to stop.
  const poll = (url, onStatus) => {
    if (!url) return;
    const started = Date.now();
    const tick = async () => {
      try {
        const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
        if (response.ok) {
          const json = await response.json();
          const status = json && typeof json.status === 'string' ? json.status.toLowerCase() : '';
          if (status && onStatus(status) === false) return;
        }
      } catch (e) {
        // A network hiccup or a half-written answer: ask again at the next tick.
      }
      if (Date.now() - started < POLL_FOR_MS) window.setTimeout(tick, POLL_MS);
    };
    tick();
  };

  // The pay page (desktop): LINE Pay in a centred popup, the status polled until it is final.
  const payPage = () => {
    const paymentUrl = data.paymentUrl;
    const width = parseInt(data.popupWidth, 10) || 700;
    const height = parseInt(data.popupHeight, 10) || 546;
    const openButton = byId('lp-open');
    let popup = null;
    let finished = false;

    const features = () => {
      const x = typeof window.screenX === 'number' ? window.screenX : window.screenLeft;
      const y = typeof window.screenY === 'number' ? window.screenY : window.screenTop;
      let left = Math.round(x + (window.outerWidth - width) / 2);
      let top = Math.round(y + (window.outerHeight - height) / 2);
      // outerWidth/outerHeight read 0 until the browser has measured the window (Chromium, right after load),
      // which would put the popup in the screen's corner: centre it on the viewport then.
      if (!(window.outerWidth > 0 && window.outerHeight > 0)) {
        left = Math.round(x + (window.innerWidth - width) / 2);
        top = Math.round(y + (window.innerHeight - height) / 2);
      }
      return `width=${width},height=${height},left=${left},top=${top}`;
    };
    const label = (textKey) => { if (openButton && data[textKey]) openButton.textContent = data[textKey]; };
    const popupOpen = () => {
      try { return popup !== null && !popup.closed; } catch (e) { return false; }
    };

    // Opens the popup, or brings it to the front when it is already open. Returns false when it was blocked.
    const openPopup = () => {
      if (finished) return true;
      if (popupOpen()) {
        try { popup.focus(); } catch (e) { /* ignore */ }
        return true;
      }
      let opened = null;
      try { opened = window.open(paymentUrl, 'lp-linepay', features()); } catch (e) { opened = null; }
      if (!opened || opened.closed) {
        popup = null;
        setState('blocked', 'textBlocked');
        label('textOpen');
        return false;
      }
      popup = opened;
      try { popup.focus(); } catch (e) { /* ignore */ }
      if (body.dataset.state !== 'checking') setState('waiting', 'textWaiting');
      label('textShow');
      return true;
    };

    if (openButton) {
      openButton.addEventListener('click', (event) => {
        event.preventDefault();
        openPopup();
      });
    }
    // When the shopper closes the popup, the button opens it again.
    window.setInterval(() => { if (!finished && popup !== null && !popupOpen()) { popup = null; label('textOpen'); } }, 1000);

    // The LINE Pay window is ours to close once the outcome is known here (approved in another browser, say).
    const closePopup = () => { if (popupOpen()) { try { popup.close(); } catch (e) { /* ignore */ } } };

    poll(data.statusUrl, (status) => {
      if (SUCCESS.includes(status)) {
        finished = true;
        setState('done', 'textPaid');
        closePopup();
        goTo(data.resultUrl);
        return false;
      }
      if (ENDED[status]) {
        finished = true;
        setState('final', ENDED[status]);
        closePopup();
        const final = byId('lp-final');
        if (final) final.hidden = false;
        return false;
      }
      if (status === 'checking') setState('checking', 'textChecking');
      return true;
    });

    // Browsers allow a popup on load only sometimes; the button is the reliable path. The automatic one waits for
    // the first frame, when the window's outer size is known (or 300 ms, as frames stop in a hidden tab).
    let autoOpened = false;
    const autoOpen = () => { if (!autoOpened) { autoOpened = true; openPopup(); } };
    window.requestAnimationFrame(autoOpen);
    window.setTimeout(autoOpen, 300);
  };

  // The checking page: poll, and move to the result once the payment is done.
  const checkingPage = () => {
    poll(data.statusUrl, (status) => {
      if (SUCCESS.includes(status)) {
        setState('done', 'textPaid');
        goTo(data.resultUrl);
        return false;
      }
      if (ENDED[status]) {
        setState('final', 'textNotCompleted');
        return false;
      }
      return true;
    });
  };

  // A result page shown inside the popup: hand it to the window that opened the popup (same origin only), then close.
  // "hand-back" (receipt) moves the opener to this page; "close" (cancelled, failed) only closes when the opener is
  // the pay page, which shows the outcome itself.
  const leavePopup = (mode) => {
    const opener = window.opener;
    if (!opener || opener === window) return;
    try {
      if (opener.closed || opener.location.origin !== window.location.origin) return;
      const openerPage = opener.document.body ? opener.document.body.getAttribute('data-page') : null;
      if (mode === 'hand-back') {
        if (openerPage !== 'receipt' || opener.location.href !== window.location.href) opener.location.href = window.location.href;
      } else if (mode !== 'close' || openerPage !== 'pay') {
        return;
      }
      try { opener.focus(); } catch (e) { /* ignore */ }
      window.close();
    } catch (e) {
      // The opener is on another origin (or gone): stay on this page.
    }
  };

  // Forms that must submit once (pay, retry): the button is disabled after the first submit.
  const guardForms = () => {
    const forms = Array.from(document.querySelectorAll('form[data-once]'));
    forms.forEach((form) => {
      form.addEventListener('submit', (event) => {
        if (form.dataset.submitted === 'true') {
          event.preventDefault();
          return;
        }
        form.dataset.submitted = 'true';
        form.querySelectorAll('button').forEach((button) => { button.disabled = true; });
      });
    });
    // Back from the history cache: the page is as it was left, so allow the buttons again.
    window.addEventListener('pageshow', (event) => {
      if (!event.persisted) return;
      forms.forEach((form) => {
        delete form.dataset.submitted;
        form.querySelectorAll('button').forEach((button) => { button.disabled = false; });
      });
    });
  };

  guardForms();
  if (data.popup) leavePopup(data.popup);
  if (data.page === 'pay') payPage();
  else if (data.page === 'checking') checkingPage();
})();
