/// admin.css, served by the responder at `{basePath}/admin/admin.css` (the admin pages' only stylesheet; CSP
/// `style-src 'self'` allows it, and no page carries a style attribute or element).
public enum AdminStyle {
    public static let css = """
        /* admin.css: the LINE Pay admin pages. System fonts; tables scroll on small screens. */
        :root{--green:#06C755;--ink:#1f2328;--muted:#59636e;--line:#dfe3e8;--bg:#f4f6f8;--card:#fff;--warn:#fff4e0;--err:#fdf1f0;--ok:#ebf9f1;--focus:#1a73e8}
        *,*::before,*::after{box-sizing:border-box}
        body.lpa{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        .lpa-header{display:flex;flex-wrap:wrap;align-items:center;gap:1rem;padding:.75rem 1rem;background:var(--card);border-bottom:1px solid var(--line)}
        .lpa-brand{margin:0;font-weight:700}
        .lpa-nav{display:flex;flex-wrap:wrap;align-items:center;gap:1rem}
        .lpa-nav a{color:var(--ink)}
        .lpa-user{color:var(--muted)}
        .lpa-main{max-width:72rem;margin:0 auto;padding:1rem}
        h1{font-size:1.4rem;margin:.5rem 0 1rem}
        h2{font-size:1.1rem;margin:0 0 .75rem}
        .lpa-card{margin:0 0 1rem;padding:1rem;background:var(--card);border:1px solid var(--line);border-radius:10px;overflow-x:auto}
        .lpa-form{display:grid;gap:.5rem;max-width:22rem}
        .lpa-search{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end}
        .lpa-search label,.lpa-inline label{display:flex;flex-direction:column;font-size:.875rem;color:var(--muted)}
        .lpa-inline{display:inline-flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:0}
        .lpa-actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end}
        input,select{font:inherit;padding:.375rem .5rem;border:1px solid var(--line);border-radius:6px;color:var(--ink);background:#fff}
        .lpa-button{display:inline-block;padding:.4rem .9rem;border:1px solid var(--line);border-radius:8px;background:var(--card);color:var(--ink);font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
        .lpa-primary{background:var(--green);border-color:var(--green);color:#fff}
        .lpa-danger{background:#d93025;border-color:#d93025;color:#fff}
        .lpa-button:disabled{opacity:.6;cursor:progress}
        .lpa-link{border:0;background:none;padding:0;color:var(--ink);text-decoration:underline;font:inherit;cursor:pointer}
        .lpa-button:focus-visible,.lpa-link:focus-visible,a:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
        .lpa-table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}
        .lpa-table caption{text-align:left;font-weight:600;padding:.25rem 0}
        .lpa-table th,.lpa-table td{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        .lpa-num{text-align:right!important;white-space:nowrap}
        .lpa-facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.5rem 1.5rem;margin:0}
        .lpa-facts dt{color:var(--muted);font-size:.8125rem}
        .lpa-facts dd{margin:0;overflow-wrap:anywhere}
        .lpa-notice{padding:.75rem 1rem;border-radius:8px;margin:0 0 1rem;border-left:4px solid var(--muted)}
        .lpa-ok{background:var(--ok);border-color:var(--green)}
        .lpa-warn{background:var(--warn);border-color:#f29900}
        .lpa-error{background:var(--err);border-color:#d93025}
        .lpa-info{background:#eef4fd;border-color:var(--focus)}
        .lpa-muted{color:var(--muted)}
        .lpa-checking{display:inline-block;padding:0 .4rem;border-radius:4px;background:var(--warn);font-size:.8125rem}
        .lpa-state{font-weight:600}
        .lpa-question{font-size:1.1rem;font-weight:600}
        .lpa-chart{margin:0 0 1rem}
        .lpa-chart svg{max-width:100%;height:auto;color:var(--muted)}
        .lpa-bar{fill:var(--green)}
        .lpa-chart-label,.lpa-chart-max{font-size:10px;fill:var(--muted)}
        .lpa-chart figcaption{font-size:.875rem;color:var(--muted)}
        .lpa-row-actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}

        """
}
