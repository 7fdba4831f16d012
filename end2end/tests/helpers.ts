import { expect, type Page, type APIRequestContext } from "@playwright/test";

export const PASSWORD = "correct horse battery staple";
// Made by scripts/test.sh with `server create-admin` before the browser tests run.
export const ADMIN = { email: "admin@example.com", password: "e2e admin passphrase" };

export function uniqueEmail(tag: string): string {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export async function registerViaApi(request: APIRequestContext, email: string, password = PASSWORD) {
  const r = await request.post("/api/auth/register", { data: { email, password } });
  expect(r.status()).toBe(201);
}

/** The app sets `data-hydrated` on <body> once the wasm bundle has taken over the page. */
export async function waitForHydration(page: Page) {
  await page.locator("body[data-hydrated='true']").waitFor({ state: "attached" });
}

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function sessionCookie(page: Page) {
  return (await page.context().cookies()).find((c) => c.name === "__Host-sid");
}

/** Matches a URL whose path (and query, if given) is exactly `pathAndQuery`. */
export function at(pathAndQuery: string): RegExp {
  const escaped = pathAndQuery.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^https?://[^/]+${escaped}$`);
}
