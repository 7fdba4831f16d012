// Time to a fully hydrated protected page, for scripts/bench.sh: headless Chromium (Debian's),
// a fresh browser context per run (nothing cached), already signed in, measured from the
// navigation's start to the moment the app marks <body data-hydrated="true">.
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
const result = {};
for (const mode of ["session", "jwt"]) {
  const times = [];
  for (let i = 0; i < Number(runs); i++) {
    const context = await browser.newContext({ baseURL: base });
    // Sign in through the API; the context keeps the cookies as a browser would.
    const login = await context.request.post("/api/auth/login", { data: { email, password, mode } });
    if (login.status() !== 200) throw new Error(`login (${mode}) answered ${login.status()}`);
    const page = await context.newPage();
    await page.goto("/dashboard", { waitUntil: "commit" });
    await page.locator("body[data-hydrated='true']").waitFor({ state: "attached", timeout: 30_000 });
    if (!page.url().endsWith("/dashboard")) throw new Error(`landed on ${page.url()}, not /dashboard`);
    // Navigation Timing: from the navigation's start, in the page's own clock.
    const ms = await page.evaluate(() => performance.now());
    times.push(Math.round(ms));
    await context.close();
  }
  result[mode] = times;
}
await browser.close();
console.log(JSON.stringify(result));
