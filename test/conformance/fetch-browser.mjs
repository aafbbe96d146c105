#!/usr/bin/env node
/**
 * A scripted browser for sign-in tests and the conformance suite: set BROWSER to
 * `node test/conformance/fetch-browser.mjs`. It fetches the authorization URL and follows the redirects
 * (the suite's and the test authorization servers approve at once), which delivers the code to
 * mcp-sentinel's loopback listener. With FETCH_BROWSER_LOG set, appends each URL it opened to that file.
 */
import { appendFileSync } from 'node:fs';

const url = process.argv[2];
if (!url) {
  console.error('usage: fetch-browser.mjs URL');
  process.exit(2);
}
if (process.env.FETCH_BROWSER_LOG) appendFileSync(process.env.FETCH_BROWSER_LOG, `${url}\n`);
try {
  const response = await fetch(url, { redirect: 'follow' });
  await response.text();
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`fetch-browser: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
