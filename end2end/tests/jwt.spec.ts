import { test, expect, type Page } from "@playwright/test";
import { at, PASSWORD, registerViaApi, sessionCookie, signIn, uniqueEmail, waitForHydration } from "./helpers";

// scripts/test.sh runs the server with ACCESS_TOKEN_TTL=8s and no leeway.
const ACCESS_TTL_MS = 8_000;

async function cookie(page: Page, name: string) {
  return (await page.context().cookies()).find((c) => c.name === name);
}

async function switchMode(page: Page, mode: "session" | "jwt") {
  await page.getByTestId(`mode-${mode}`).click();
  await expect(page.getByTestId(`mode-${mode}`)).toHaveAttribute("aria-pressed", "true");
}

async function signInJwt(page: Page, email: string, next = "/dashboard") {
  await page.goto(`/login?next=${next}`);
  await waitForHydration(page);
  await switchMode(page, "jwt");
  await expect(page.getByTestId("login-mode")).toContainText("JWTs in HttpOnly cookies");
  await signIn(page, email);
  await expect(page).toHaveURL(at(next));
  await waitForHydration(page);
}

test("sign in under JWT mode and navigate protected pages", async ({ page }) => {
  const email = uniqueEmail("jwt");
  await registerViaApi(page.request, email);
  await signInJwt(page, email);
  await expect(page.getByTestId("dashboard-welcome")).toContainText(email);
  await expect(page.getByText("Authenticated by")).toBeVisible();
  await expect(page.getByTestId("revocation-check")).toContainText("on");

  const access = await cookie(page, "__Host-access");
  expect(access?.httpOnly && access?.secure && access?.sameSite === "Lax" && access?.path === "/").toBe(true);
  const refresh = await cookie(page, "__Secure-refresh");
  expect(refresh?.httpOnly && refresh?.secure && refresh?.sameSite === "Strict" && refresh?.path === "/api/auth").toBe(true);
  // The tokens never reach page JavaScript.
  const visible = await page.evaluate(() => document.cookie);
  expect(visible).not.toContain("access");
  expect(visible).not.toContain("refresh");

  // Every navigation is a page load that the server authorises again.
  await page.getByRole("link", { name: "Devices" }).click();
  await expect(page).toHaveURL(at("/devices"));
  await page.getByRole("link", { name: "Dashboard", exact: true }).click();
  await expect(page).toHaveURL(at("/dashboard"));
  await waitForHydration(page);
  await page.getByTestId("whoami").click();
  await expect(page.getByTestId("whoami-result")).toContainText("verified your jwt credential");
  await page.reload();
  await expect(page.getByTestId("dashboard-welcome")).toContainText(email);
});

test("an expired access token is refreshed without bouncing to the login page", async ({ page }) => {
  const email = uniqueEmail("expiry");
  await registerViaApi(page.request, email);
  await signInJwt(page, email);
  const first = (await cookie(page, "__Host-access"))?.value;

  // The browser drops an expired access cookie: simulate that moment, then call the server.
  await page.context().clearCookies({ name: "__Host-access" });
  await page.getByTestId("whoami").click();
  await expect(page.getByTestId("whoami-result")).toContainText("verified your jwt credential");
  expect((await cookie(page, "__Host-access"))?.value).not.toBe(first);

  // A full page load without an access token detours through the refresh endpoint.
  await page.context().clearCookies({ name: "__Host-access" });
  await page.reload();
  await expect(page).toHaveURL(at("/dashboard"));
  await expect(page.getByTestId("dashboard-welcome")).toContainText(email);

  // Real expiry: the page keeps its token fresh on its own; navigation and calls just work.
  await page.waitForTimeout(ACCESS_TTL_MS + 2_000);
  await page.getByTestId("whoami").click();
  await expect(page.getByTestId("whoami-result")).toContainText("verified your jwt credential");
  await page.getByRole("link", { name: "Secure Routes" }).click();
  await page.getByRole("link", { name: "Dashboard", exact: true }).click();
  await expect(page.getByTestId("dashboard-welcome")).toContainText(email);
  await page.reload();
  await expect(page.getByTestId("dashboard-welcome")).toContainText(email);
});

test("switching modes on a protected page re-evaluates access in both directions", async ({ page }) => {
  const email = uniqueEmail("switch");
  await registerViaApi(page.request, email);
  await page.goto("/login?next=/dashboard");
  await waitForHydration(page);
  await switchMode(page, "session");
  await signIn(page, email);
  await expect(page.getByTestId("dashboard-welcome")).toContainText(email);

  // Not signed in under JWT: off to the login page, with the way back.
  await page.getByTestId("mode-jwt").click();
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)dashboard$/);
  await expect(page.getByTestId("login-mode")).toContainText("JWTs in HttpOnly cookies");
  await signIn(page, email);
  await expect(page).toHaveURL(at("/dashboard"));
  await expect(page.locator(".facts")).toContainText("jwt");

  // Signed in under both now: switching stays on the page, and the page says which mode.
  await page.getByTestId("mode-session").click();
  await expect(page.getByTestId("mode-session")).toHaveAttribute("aria-pressed", "true");
  await expect(page).toHaveURL(at("/dashboard"));
  await expect(page.locator(".facts")).toContainText("session");
  await page.getByTestId("mode-jwt").click();
  await expect(page).toHaveURL(at("/dashboard"));
  await expect(page.locator(".facts")).toContainText("jwt");
  // The choice survives a reload.
  await page.reload();
  await expect(page.getByTestId("mode-jwt")).toHaveAttribute("aria-pressed", "true");
});

test("logout in each mode ends only that mode's credential", async ({ page }) => {
  const email = uniqueEmail("bothout");
  await registerViaApi(page.request, email);
  await page.goto("/login?next=/dashboard");
  await waitForHydration(page);
  await switchMode(page, "session");
  await signIn(page, email);
  await expect(page.getByTestId("dashboard-welcome")).toContainText(email);
  await signInJwt(page, email);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  expect(await cookie(page, "__Host-access")).toBeUndefined();
  expect(await cookie(page, "__Secure-refresh")).toBeUndefined();
  expect(await sessionCookie(page)).toBeDefined();
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);

  await waitForHydration(page);
  await switchMode(page, "session");
  await page.goto("/dashboard");
  await expect(page.getByTestId("dashboard-welcome")).toContainText(email);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  expect(await sessionCookie(page)).toBeUndefined();
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);
});
