import { defineConfig } from "@playwright/test";

// cargo-leptos starts the release server on 127.0.0.1:3000 before running this and stops it after.
export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // One worker: the tests share one server and a 2-core machine; parallel runs only add noise.
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: "http://127.0.0.1:3000",
    // Playwright cannot download its own browsers here: use Debian's Chromium.
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
    trace: "off",
  },
});
