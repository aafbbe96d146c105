#!/usr/bin/env node
/**
 * A scripted browser for sign-in tests and the conformance suite: set BROWSER to
 * `node test/conformance/fetch-browser.mjs`. It opens the authorization URL and follows the redirects,
 * keeping cookies per host like a browser (the test authorization server's login and consent pages
 * approve at once), which delivers the code to mcp-sentinel's loopback listener.
 * With FETCH_BROWSER_LOG set, appends each URL it was asked to open to that file.
 */
import { appendFileSync } from 'node:fs';

const start = process.argv[2];
if (!start) {
  console.error('usage: fetch-browser.mjs URL');
  process.exit(2);
}
if (process.env.FETCH_BROWSER_LOG) appendFileSync(process.env.FETCH_BROWSER_LOG, `${start}\n`);

const jar = new Map(); // host -> Map(name -> value)
let url = new URL(start);
try {
  for (let hop = 0; hop < 20; hop++) {
    const cookies = jar.get(url.host);
    const headers = cookies ? { cookie: [...cookies].map(([n, v]) => `${n}=${v}`).join('; ') } : {};
    const response = await fetch(url, { redirect: 'manual', headers });
    for (const line of response.headers.getSetCookie?.() ?? []) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      if (index <= 0) continue;
      if (!jar.has(url.host)) jar.set(url.host, new Map());
      jar.get(url.host).set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
    }
    const location = response.headers.get('location');
    await response.arrayBuffer();
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url);
      continue;
    }
    process.exit(response.ok ? 0 : 1);
  }
  console.error('fetch-browser: too many redirects');
  process.exit(1);
} catch (error) {
  console.error(`fetch-browser: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
