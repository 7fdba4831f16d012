import { test, expect, type Page } from "@playwright/test";
import { at, registerViaApi, signIn, uniqueEmail, waitForHydration } from "./helpers";

async function switchMode(page: Page, mode: "session" | "jwt") {
  await page.getByTestId(`mode-${mode}`).click();
  await expect(page.getByTestId(`mode-${mode}`)).toHaveAttribute("aria-pressed", "true");
}

async function signInAs(page: Page, email: string, mode: "session" | "jwt", next: string) {
  await page.goto(`/login?next=${next}`);
  await waitForHydration(page);
  await switchMode(page, mode);
  await signIn(page, email);
  await expect(page).toHaveURL(at(next));
  await waitForHydration(page);
}

test("the inspector shows the HttpOnly credentials as absent from document.cookie, in both modes", async ({ page }) => {
  const email = uniqueEmail("inspect");
  await registerViaApi(page.request, email);
  await signInAs(page, email, "session", "/inspect");

  const inspector = page.getByTestId("inspector").first();
  await expect(inspector.getByTestId("inspector-mode")).toHaveText("session");
  await expect(inspector.getByTestId("session-record")).toContainText("fingerprint");
  await expect(inspector.locator('tr[data-cookie="__Host-sid"]')).toContainText("yes,");
  // What the page's own scripts can read, read by the page itself, agrees with Playwright's view.
  const visible = await page.evaluate(() => document.cookie);
  expect(visible).not.toContain("__Host-sid");
  await expect(inspector.getByTestId("js-credentials")).toContainText("__Host-sid: absent");
  await expect(inspector.getByTestId("timeline")).toContainText("login succeeded");

  // The same browser, switched to JWT mode and signed in there too.
  await signInAs(page, email, "jwt", "/inspect");
  await expect(inspector.getByTestId("inspector-mode")).toHaveText("jwt");
  await expect(inspector.getByTestId("token-record")).toContainText("EdDSA");
  await expect(inspector.getByTestId("jwt-countdown")).toContainText(/in \d+ s/);
  await expect(inspector.getByTestId("verified-how")).toContainText("verified by signature");
  await expect(inspector.getByTestId("refresh-chain").locator("li[data-state='active']")).toHaveCount(1);
  for (const name of ["__Host-access", "__Secure-refresh"]) {
    await expect(inspector.getByTestId("js-credentials")).toContainText(`${name}: absent`);
  }
  expect(await page.evaluate(() => document.cookie)).toBe("");
  // The access token lives 8 s in these tests: the chain grows as the app refreshes it.
  await expect(inspector.getByTestId("refresh-chain").locator("li[data-state='used']")).toHaveCount(1, { timeout: 15_000 });
  await expect(inspector.getByTestId("timeline")).toContainText("refresh");

  // The README's picture of the inspector, taken from this run.
  await page.screenshot({ path: "../docs/inspector.png", fullPage: true });
});

test("the inspector panel is on every page", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  await page.getByTestId("inspector-toggle").click();
  await expect(page.getByTestId("inspector")).toContainText("Not signed in under this mode");
});

test("the compare page's revocation probe: refused at once with sessions and checked JWTs", async ({ page }) => {
  const email = uniqueEmail("probe");
  await registerViaApi(page.request, email);

  await signInAs(page, email, "session", "/compare");
  await expect(page.getByTestId("compare-table")).toContainText("__Host-sid: 33 bytes");
  await page.getByTestId("probe").click();
  // The page loads again after the probe: the bar shows this browser signed out, the answer stays.
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByTestId("probe-result")).toContainText("Session mode: the old credential was refused immediately");
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);

  await signInAs(page, email, "jwt", "/compare");
  await expect(page.getByTestId("jwt-logout")).toContainText("refused at once");
  await page.getByTestId("probe").click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByTestId("probe-result")).toContainText("JWT mode, revocation checking on: the old credential was refused immediately");
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);
});
