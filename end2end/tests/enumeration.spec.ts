import { test, expect } from "@playwright/test";
import { PASSWORD, registerViaApi, uniqueEmail } from "./helpers";

// Runs against the release build that the browser tests use: timings of a debug build say
// nothing. Each attempt uses a fresh email, so the per-account brake never engages; the
// per-address limit is raised for the browser tests by scripts/test.sh.
// 60 pairs (120 alternating attempts): with 30 a loaded CI machine once put the medians 13%
// apart by noise alone. A real leak (no dummy hash for unknown emails) shows as ~95%.
const PAIRS = 60;
// The first attempts after the registrations run on cold caches and a growing blocking pool.
const WARMUP = 4;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

test("login, register and token answer the same for existing and unknown emails, in the same time", async ({ request }) => {
  test.setTimeout(120_000);
  const existing: string[] = [];
  for (let i = 0; i < PAIRS + WARMUP; i++) {
    const email = uniqueEmail(`enum${i}`);
    await registerViaApi(request, email);
    existing.push(email);
  }
  const times = { existing: [] as number[], unknown: [] as number[] };
  const answers = new Set<string>();
  for (let i = 0; i < PAIRS + WARMUP; i++) {
    // Alternate which goes first, so drift in the machine's load hits both alike.
    const order: Array<["existing" | "unknown", string]> = [
      ["existing", existing[i]],
      ["unknown", uniqueEmail(`nobody${i}`)],
    ];
    if (i % 2 === 1) order.reverse();
    for (const [kind, email] of order) {
      const started = performance.now();
      const r = await request.post("/api/auth/login", { data: { email, password: "a wrong password entirely" } });
      if (i >= WARMUP) times[kind].push(performance.now() - started);
      const cookies = r.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie").length;
      answers.add(`${r.status()} ${await r.text()} cookies=${cookies}`);
    }
  }
  expect([...answers]).toEqual([`401 {"error":"invalid_credentials","message":"Invalid email or password."} cookies=0`]);
  const [a, b] = [median(times.existing), median(times.unknown)];
  const spread = Math.abs(a - b) / Math.max(a, b);
  console.log(`login medians over ${PAIRS} pairs: existing ${a.toFixed(1)} ms, unknown ${b.toFixed(1)} ms, spread ${(spread * 100).toFixed(1)}%`);
  expect(spread).toBeLessThan(0.1);

  // Register: a taken email looks exactly like a new one.
  const taken = await request.post("/api/auth/register", { data: { email: existing[0], password: PASSWORD } });
  const fresh = await request.post("/api/auth/register", { data: { email: uniqueEmail("fresh"), password: PASSWORD } });
  expect(taken.status()).toBe(fresh.status());
  expect(await taken.text()).toBe(await fresh.text());

  // Token endpoint: same refusal for both.
  const t1 = await request.post("/api/auth/token", { data: { email: existing[1], password: "a wrong password entirely" } });
  const t2 = await request.post("/api/auth/token", { data: { email: uniqueEmail("nobody"), password: "a wrong password entirely" } });
  expect([t1.status(), await t1.text()]).toEqual([t2.status(), await t2.text()]);
});
