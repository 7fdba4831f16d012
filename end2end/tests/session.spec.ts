import { test, expect } from "@playwright/test";
import { ADMIN, at, PASSWORD, registerViaApi, sessionCookie, signIn, uniqueEmail, waitForHydration } from "./helpers";

test("a signed-out visitor is sent from the dashboard to the login page", async ({ page }) => {
  const response = await page.goto("/dashboard");
  expect(page.url()).toMatch(/\/login\?next=(%2F|\/)dashboard$/);
  expect(response?.status()).toBe(200);
  await expect(page.getByTestId("dashboard-welcome")).toHaveCount(0);
  await expect(page.getByTestId("login-mode")).toContainText("server-side session");
});

test("register, sign in, land on next, stay signed in after reload", async ({ page }) => {
  const email = uniqueEmail("flow");
  await page.goto("/register");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/login\?registered=1$/);
  await expect(page.getByRole("status")).toContainText("Registration received");

  await page.goto("/dashboard");
  await signIn(page, email);
  await expect(page).toHaveURL(at("/dashboard"));
  await expect(page.getByTestId("dashboard-welcome")).toContainText(email);
  await expect(page.getByTestId("nav-user")).toHaveText(email);

  const cookie = await sessionCookie(page);
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.secure).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");
  expect(cookie?.path).toBe("/");

  await page.reload();
  await expect(page.getByTestId("dashboard-welcome")).toContainText(email);
});

test("wrong credentials show one message next to the form", async ({ page }) => {
  await page.goto("/login");
  await signIn(page, uniqueEmail("nobody"), "not the password");
  await expect(page.getByTestId("form-error")).toHaveText("Invalid email or password.");
  await expect(page).toHaveURL(/\/login/);
});

test("after logout neither reload nor the back button shows protected content", async ({ page }) => {
  const email = uniqueEmail("logout");
  await registerViaApi(page.request, email);
  await page.goto("/login?next=/dashboard");
  await signIn(page, email);
  await expect(page.getByTestId("dashboard-welcome")).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  // The browser really dropped the __Host- cookie (the removal cookie was Secure, Path=/).
  expect(await sessionCookie(page)).toBeUndefined();

  await page.goBack();
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)dashboard$/);
  await expect(page.getByTestId("dashboard-welcome")).toHaveCount(0);

  await page.goto("/dashboard");
  await page.reload();
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)dashboard$/);
  await expect(page.getByTestId("dashboard-welcome")).toHaveCount(0);
});

test("a non-admin gets 403 on /admin and an admin sees it", async ({ browser }) => {
  const userContext = await browser.newContext();
  const user = await userContext.newPage();
  const email = uniqueEmail("plain");
  await registerViaApi(user.request, email);
  await user.goto("/login?next=/admin");
  await signIn(user, email);
  await expect(user).toHaveURL(at("/admin"));
  await expect(user.getByTestId("forbidden")).toBeVisible();
  await expect(user.getByTestId("admin-users")).toHaveCount(0);
  const direct = await user.goto("/admin");
  expect(direct?.status()).toBe(403);
  await userContext.close();

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await admin.goto("/login?next=/admin");
  await signIn(admin, ADMIN.email, ADMIN.password);
  await expect(admin).toHaveURL(at("/admin"));
  await expect(admin.getByTestId("admin-users")).toContainText(email);
  await adminContext.close();
});

test("sign in and sign out work with JavaScript disabled", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const email = uniqueEmail("nojs");
  await registerViaApi(page.request, email);

  await page.goto("/login?next=/dashboard");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("form-error")).toHaveText("Invalid email or password.");

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(at("/dashboard"));
  await expect(page.getByTestId("dashboard-welcome")).toContainText(email);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  expect(await sessionCookie(page)).toBeUndefined();
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);
  await context.close();
});

test("registration works with JavaScript disabled", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/register");
  await page.getByLabel("Email").fill(uniqueEmail("nojs-reg"));
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("#password-error")).toContainText("at least 8 characters");
  await context.close();
});

test("a successful registration without JavaScript lands on the login page", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/register");
  await page.getByLabel("Email").fill(uniqueEmail("nojs-ok"));
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/login\?registered=1$/);
  await context.close();
});
