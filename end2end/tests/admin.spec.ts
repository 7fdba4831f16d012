import { test, expect, type Browser } from "@playwright/test";
import { ADMIN, at, registerViaApi, signIn, uniqueEmail, waitForHydration } from "./helpers";

async function signedInPage(browser: Browser, email: string, password?: string, next = "/dashboard") {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`/login?next=${next}`);
  await signIn(page, email, password);
  await expect(page).toHaveURL(at(next));
  await waitForHydration(page);
  return { context, page };
}

test("an admin's forced logout sends a session user to the login page at the next navigation", async ({ browser }) => {
  const email = uniqueEmail("kicked");
  const setup = await browser.newContext();
  await registerViaApi(setup.request, email);
  await setup.close();
  const user = await signedInPage(browser, email);
  const admin = await signedInPage(browser, ADMIN.email, ADMIN.password, "/admin");

  const row = admin.page.locator(`tr[data-email="${email}"]`);
  await expect(row).toContainText("1"); // one session
  await row.getByRole("button", { name: "Force logout" }).click();
  await expect(admin.page.getByTestId("admin-result")).toContainText("Ended 1 session");

  await user.page.getByRole("link", { name: "Devices" }).click();
  await expect(user.page).toHaveURL(/\/login\?next=(%2F|\/)devices$/);
  await user.page.goto("/dashboard");
  await expect(user.page).toHaveURL(/\/login/);

  // The audit log shows it.
  await admin.page.goto("/admin?event=force_logout");
  await expect(admin.page.getByTestId("audit-log")).toContainText(email);
  await user.context.close();
  await admin.context.close();
});

test("a role change reaches the other browser at its next request", async ({ browser }) => {
  const email = uniqueEmail("promoted");
  const setup = await browser.newContext();
  await registerViaApi(setup.request, email);
  await setup.close();
  const user = await signedInPage(browser, email);
  const direct = await user.page.goto("/admin");
  expect(direct?.status()).toBe(403);

  const admin = await signedInPage(browser, ADMIN.email, ADMIN.password, "/admin");
  const row = admin.page.locator(`tr[data-email="${email}"]`);
  await row.getByRole("button", { name: "Make admin" }).click();
  await expect(admin.page.getByTestId("admin-result")).toContainText("Role changed to admin");

  await user.page.reload();
  await expect(user.page.getByTestId("admin-users")).toBeVisible();
  await user.context.close();
  await admin.context.close();
});

test("revoking a device signs that browser out", async ({ browser }) => {
  const email = uniqueEmail("twodevices");
  const setup = await browser.newContext();
  await registerViaApi(setup.request, email);
  await setup.close();
  const laptop = await signedInPage(browser, email);
  const phone = await signedInPage(browser, email);

  await laptop.page.goto("/devices");
  await waitForHydration(laptop.page);
  const other = laptop.page.locator("tr[data-mode='session']:not(.current)");
  await expect(other).toHaveCount(1);
  await other.getByRole("button", { name: "Revoke" }).click();
  await expect(laptop.page.locator("tr[data-mode='session']")).toHaveCount(1);

  await phone.page.reload();
  await expect(phone.page).toHaveURL(/\/login/);
  await laptop.page.reload();
  await expect(laptop.page).toHaveURL(at("/devices"));
  await laptop.context.close();
  await phone.context.close();
});

test("an admin's forced logout reaches a JWT-mode browser at once, as revocation checking is on", async ({ browser }) => {
  const email = uniqueEmail("kickedjwt");
  const context = await browser.newContext();
  await registerViaApi(context.request, email);
  const page = await context.newPage();
  await page.goto("/login?next=/dashboard");
  await waitForHydration(page);
  await page.getByTestId("mode-jwt").click();
  await expect(page.getByTestId("mode-jwt")).toHaveAttribute("aria-pressed", "true");
  await signIn(page, email);
  await expect(page).toHaveURL(at("/dashboard"));
  await expect(page.getByTestId("revocation-check")).toContainText("on");

  const admin = await signedInPage(browser, ADMIN.email, ADMIN.password, "/admin");
  const row = admin.page.locator(`tr[data-email="${email}"]`);
  await row.getByRole("button", { name: "Force logout" }).click();
  await expect(admin.page.getByTestId("admin-result")).toContainText("1 JWT login");

  // The access token has not expired, yet the very next navigation is refused: the family
  // lookup sees the revocation.
  await waitForHydration(page);
  await page.getByRole("link", { name: "Devices" }).click();
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)devices$/);
  await context.close();
  await admin.context.close();
});
