// What a browser transfers to show the person page: Debian's Chromium, driven by Playwright,
// opens the page twice in one profile (a first visit with an empty cache, then a second one),
// and adds up the bytes that came over the network (CDP `encodedDataLength`: headers and the
// body as sent, compressed or not; answers served from the cache count 0).
//   node bench/transfer.mjs URL COOKIE   (COOKIE: name=value of a signed-in session)
// Prints one JSON line: {"first_bytes":…, "second_bytes":…, "first_requests":…, …}.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(path.join(root, "end2end", "package.json"));
const { chromium } = require("@playwright/test");

const [url, cookie] = process.argv.slice(2);
if (!url || !cookie) {
  console.error("usage: node bench/transfer.mjs URL COOKIE");
  process.exit(2);
}
const [cookieName, ...rest] = cookie.split("=");
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium" });
const context = await browser.newContext();
await context.addCookies([{ name: cookieName, value: rest.join("="), url }]);
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send("Network.enable");
let bytes = 0;
let requests = 0;
cdp.on("Network.loadingFinished", (event) => {
  bytes += event.encodedDataLength;
  requests += 1;
});

async function visit() {
  bytes = 0;
  requests = 0;
  const response = await page.goto(url, { waitUntil: "networkidle" });
  if (!response || response.status() !== 200) {
    throw new Error(`the page answered ${response && response.status()}`);
  }
  return { bytes, requests };
}

const first = await visit();
const second = await visit();
console.log(JSON.stringify({
  first_bytes: first.bytes,
  first_requests: first.requests,
  second_bytes: second.bytes,
  second_requests: second.requests,
}));
await browser.close();
