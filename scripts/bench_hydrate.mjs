// Time to a fully hydrated protected page, for scripts/bench.sh: headless Chromium (Debian's),
// a fresh browser context per run (nothing cached), already signed in, measured from the
// navigation's start to the moment the app marks <body data-hydrated="true">.
//
// Then, per page, which files under /pkg/ the browser fetched until the page was hydrated (the
// main bundle, plus the wasm chunks of lazy pages), so the report can size what each page needs.
//
//   node scripts/bench_hydrate.mjs BASE_URL EMAIL PASSWORD RUNS   -> JSON on stdout
import { createRequire } from "node:module";
const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("@playwright/test");

const [base, email, password, runs] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
async function signedIn(mode) {
  const context = await browser.newContext({ baseURL: base });
  // Sign in through the API; the context keeps the cookies as a browser would.
  const login = await context.request.post("/api/auth/login", { data: { email, password, mode } });
  if (login.status() !== 200) throw new Error(`login (${mode}) answered ${login.status()}`);
  return context;
}

const result = { times: {}, pages: {} };
for (const mode of ["session", "jwt"]) {
  const times = [];
  for (let i = 0; i < Number(runs); i++) {
    const context = await signedIn(mode);
    const page = await context.newPage();
    await page.goto("/dashboard", { waitUntil: "commit" });
    await page.locator("body[data-hydrated='true']").waitFor({ state: "attached", timeout: 30_000 });
    if (!page.url().endsWith("/dashboard")) throw new Error(`landed on ${page.url()}, not /dashboard`);
    // Navigation Timing: from the navigation's start, in the page's own clock.
    const ms = await page.evaluate(() => performance.now());
    times.push(Math.round(ms));
    await context.close();
  }
  result.times[mode] = times;
}
for (const path of ["/", "/login", "/register", "/dashboard", "/devices", "/admin", "/inspect", "/compare"]) {
  const context = await signedIn("session");
  const page = await context.newPage();
  const files = new Set();
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/pkg/") && /\.(wasm|js)$/.test(u.pathname)) files.add(u.pathname.slice(5));
  });
  await page.goto(path, { waitUntil: "commit" });
  try {
    await page.locator("body[data-hydrated='true']").waitFor({ state: "attached", timeout: 30_000 });
  } catch (e) {
    throw new Error(`${path} (landed on ${page.url()}) did not hydrate: ${e.message}`);
  }
  await page.waitForLoadState("networkidle");
  result.pages[path] = [...files].sort();
  await context.close();
}
await browser.close();
console.log(JSON.stringify(result));
