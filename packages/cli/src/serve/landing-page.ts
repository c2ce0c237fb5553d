/** The page `npm start` shows at `/` until the demo app exists: where the endpoint is, how to try it. */
export function landingPage(endpoint: string, dir: string): string {
  const e = escapeHtml(endpoint)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shuttle upload server</title>
<style>
  :root { color-scheme: light dark; --accent: #2563eb; --muted: #6b7280; --card: #f8fafc; --border: #e2e8f0; }
  @media (prefers-color-scheme: dark) { :root { --card: #111827; --border: #1f2937; --muted: #9ca3af; } }
  body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1.25rem; }
  h1 { font-size: 1.75rem; margin: 0 0 .25rem; }
  h1 span { color: var(--accent); }
  .lead { color: var(--muted); margin: 0 0 2rem; }
  .card { background: var(--card); border: 1px solid var(--border); border-radius: 12px; padding: 1.25rem 1.5rem; margin: 1rem 0; }
  .endpoint { font: 600 1.05rem ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--accent); word-break: break-all; }
  .status { display: inline-flex; align-items: center; gap: .5rem; font-size: .9rem; color: var(--muted); }
  .dot { width: .6rem; height: .6rem; border-radius: 50%; background: #16a34a; box-shadow: 0 0 0 3px #16a34a33; }
  pre { background: #0f172a; color: #e2e8f0; padding: 1rem; border-radius: 8px; overflow-x: auto; font-size: .85rem; }
  code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
  dt { font-weight: 600; } dd { margin: 0 0 .75rem; color: var(--muted); }
</style>
</head>
<body>
<h1><span>Shuttle</span> upload server</h1>
<p class="lead">Resumable uploads over tus 1.0. The demo page arrives with the Vue component; the endpoint works now.</p>
<div class="card">
  <div class="status"><span class="dot"></span>Running</div>
  <dl>
    <dt>tus endpoint</dt><dd class="endpoint">${e}</dd>
    <dt>Uploads stored in</dt><dd><code>${escapeHtml(dir)}</code></dd>
    <dt>Protocol</dt><dd>tus 1.0.0 with creation, creation-with-upload, creation-defer-length, termination, checksum (sha1, sha256, md5), checksum-trailer (sha256), expiration, concatenation; Repr-Digest (sha-256) on finished uploads</dd>
  </dl>
</div>
<div class="card">
<strong>Try it from a terminal</strong>
<pre><code>head -c 1048576 /dev/urandom &gt; sample.bin
curl -i -X POST ${e} -H 'Tus-Resumable: 1.0.0' \\
     -H 'Upload-Length: 1048576' -H "Upload-Metadata: filename $(printf sample.bin | base64)"
# then PATCH the bytes to the Location it answered:
curl -i -X PATCH &lt;location&gt; -H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' \\
     -H 'Content-Type: application/offset+octet-stream' --data-binary @sample.bin
curl -o back.bin &lt;location&gt;   # download what arrived</code></pre>
<p>Any tus client works too: <code>tus-js-client</code>, Uppy, <code>tusd</code>'s clients, or Shuttle's own engine.</p>
</div>
</body>
</html>
`
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
