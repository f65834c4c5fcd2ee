import { test, expect } from "./fixtures";

test("the overview page hydrates and a click calls a server function that reads the database", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  const result = page.getByTestId("status-result");
  await expect(result).toContainText("Not checked yet.");
  // The button exists in the server-rendered HTML before the wasm loads; only a hydrated page
  // reacts to the click, so retry until it does.
  await expect(async () => {
    await page.getByTestId("status-check").click();
    await expect(result).toContainText("Database reachable", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(result).toContainText(/migrations applied/);
  expect(errors, "no errors in the browser console").toEqual([]);
});

test("the language switch shows the portal in Dutch and remembers the choice", async ({ page }) => {
  await page.goto("/");
  await page.getByLabel("Language").selectOption("nl");
  await page.getByRole("button", { name: "Change language" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "nl");
  await expect(page.getByRole("heading", { level: 1, name: "Overzicht" })).toBeVisible();
  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { level: 1, name: "Aanmelden" })).toBeVisible();
});

test("an unknown address shows the not-found page with a way back", async ({ page }) => {
  const response = await page.goto("/does-not-exist");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the overview" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("the skip link is the first thing a keyboard reaches and moves focus to the content", async ({ page }) => {
  await page.goto("/");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to main content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("#main")).toBeFocused();
});
