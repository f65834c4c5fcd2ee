// Sign-in through OpenID Connect, against the test provider the harness starts
// (oidc/provider.mjs): its people, their tenants (`tid`) and roles (`roles`) are listed there.
// Their display names are "Last, First", which tells their accounts apart from the demo
// accounts of the same people in the same database.
import { test, expect } from "./fixtures";
import type { Browser, Page } from "@playwright/test";

test.beforeEach(() => {
  // Only when BASE_URL named a server of one's own: the harness always starts a provider.
  test.skip(
    !!process.env.E2E_EXTERNAL_SERVER && !process.env.OIDC_ISSUER,
    "BASE_URL names a running server; set OIDC_ISSUER to the oidc/provider.mjs it signs in with to run these",
  );
});

/** From the portal's sign-in page to the provider's. */
async function openProvider(page: Page, returnTo?: string) {
  await page.goto(returnTo ? `/sign-in?return_to=${encodeURIComponent(returnTo)}` : "/sign-in");
  await page.getByTestId("oidc-sign-in").click();
  await expect(page.getByRole("heading", { name: "Test identity provider" })).toBeVisible();
  expect(page.url().startsWith(`${process.env.OIDC_ISSUER}/`), "the browser is at the provider").toBe(true);
}

/** From the portal's sign-in page through the provider's, and back. */
async function signInThroughProvider(page: Page, username: string, returnTo?: string) {
  await openProvider(page, returnTo);
  await page.getByLabel("Username").fill(username);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Runs `check` as the Contoso admin, in a browser context of its own. */
async function asContosoAdmin(browser: Browser, baseURL: string | undefined, check: (page: Page) => Promise<void>) {
  const context = await browser.newContext({ baseURL });
  try {
    const page = await context.newPage();
    await signInThroughProvider(page, "megan.bowen@contoso.com", "/admin/accounts");
    await expect(page.getByTestId("accounts-table")).toBeVisible();
    await check(page);
  } finally {
    await context.close();
  }
}

test("a Contoso tenant admin signs in through the identity provider and reaches the accounts page", async ({ page }) => {
  await signInThroughProvider(page, "megan.bowen@contoso.com", "/admin/accounts");
  await expect(page).toHaveURL(/\/admin\/accounts$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as Bowen, Megan (Contoso Ltd)");
  await expect(page.getByRole("link", { name: "Accounts and roles" })).toBeVisible();
  // The token's "tenant_admin" became the portal's tenant admin role, shown as the provider's.
  const own = page.getByTestId("accounts-table").getByRole("row", { name: /Bowen, Megan/ });
  await expect(own.locator(".badge")).toHaveText(["Tenant admin"]);
  await expect(own).toContainText("from the identity provider");
});

test("Adele signs in through the identity provider as an end user and sees no admin pages", async ({ page }) => {
  await signInThroughProvider(page, "adele.vance@contoso.com");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as Vance, Adele (Contoso Ltd)");
  await expect(page.getByRole("link", { name: "Accounts and roles" })).toHaveCount(0);
  await page.goto("/admin/accounts");
  await expect(page.getByRole("alert")).toContainText("You do not have permission to do this.");
});

test("a support reviewer signs in through the identity provider with only the role the token names", async ({ page, browser, baseURL }) => {
  await signInThroughProvider(page, "lee.gu@contoso.com");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as Gu, Lee (Contoso Ltd)");
  await expect(page.getByRole("link", { name: "Accounts and roles" })).toHaveCount(0);
  await asContosoAdmin(browser, baseURL, async (admin) => {
    const row = admin.getByTestId("accounts-table").getByRole("row", { name: /Gu, Lee/ });
    await expect(row.locator(".badge")).toHaveText(["Support reviewer"]);
  });
});

test("an auditor signs in through the identity provider with only the role the token names", async ({ page, browser, baseURL }) => {
  await signInThroughProvider(page, "irvin.sayers@contoso.com");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Signed in as Sayers, Irvin (Contoso Ltd)");
  await expect(page.getByRole("link", { name: "Accounts and roles" })).toHaveCount(0);
  await asContosoAdmin(browser, baseURL, async (admin) => {
    const row = admin.getByTestId("accounts-table").getByRole("row", { name: /Sayers, Irvin/ });
    await expect(row.locator(".badge")).toHaveText(["Auditor"]);
  });
});

test("a Fabrikam admin signs in through the identity provider and sees only Fabrikam", async ({ page }) => {
  await signInThroughProvider(page, "alex.wilber@fabrikam.com", "/admin/accounts");
  const header = page.getByTestId("signed-in-as");
  await expect(header).toHaveText("Signed in as Wilber, Alex (Fabrikam Inc)");
  await expect(header).not.toContainText("Contoso");
  const table = page.getByTestId("accounts-table");
  await expect(table).toContainText("Nestor Wilke");
  await expect(table).not.toContainText("contoso.com");
});

test("an answer whose state was changed on the way back is refused, signs nobody in, and cannot be replayed", async ({ page }) => {
  // Playwright routes no redirect hop, so the redirects that follow the provider's sign-in form
  // are followed here instead, up to the one back to the portal, whose state is then changed.
  let genuine: string | undefined;
  await page.route(/\/interaction\/[^/]+\/login$/, async (route) => {
    let response = await route.fetch({ maxRedirects: 0 });
    let location = response.headers()["location"];
    while (location && !location.includes("/auth/oidc/callback")) {
      response = await page.request.get(new URL(location, route.request().url()).toString(), { maxRedirects: 0 });
      location = response.headers()["location"];
    }
    expect(location, "the provider sends the browser back to the portal").toBeDefined();
    genuine = location;
    const tampered = new URL(location!);
    tampered.searchParams.set("state", `${tampered.searchParams.get("state")}x`);
    await route.fulfill({ status: 303, headers: { location: tampered.toString() } });
  });
  await signInThroughProvider(page, "megan.bowen@contoso.com");
  await expect(page).toHaveURL(/\/sign-in\?error=state$/);
  await expect(page.getByTestId("sign-in-error")).toContainText("does not belong to this browser's sign-in");
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Sign in", exact: true })).toBeVisible();

  // The refused answer used up the sign-in: the untouched answer is no good any more either.
  expect(genuine, "the provider answered through the callback").toBeDefined();
  await page.unrouteAll();
  await page.goto(genuine!);
  await expect(page).toHaveURL(/\/sign-in\?error=expired$/);
  await expect(page.getByTestId("sign-in-error")).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
});

test("cancelling at the identity provider returns to the sign-in page with an explanation", async ({ page }) => {
  await openProvider(page);
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page).toHaveURL(/\/sign-in\?error=provider$/);
  await expect(page.getByTestId("sign-in-error")).toContainText("the identity provider could not complete the sign-in");
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
});

test("signing out after an OpenID Connect sign-in ends the session, also after a reload", async ({ page }) => {
  await signInThroughProvider(page, "adele.vance@contoso.com");
  await expect(page.getByTestId("signed-in-as")).toContainText("Vance, Adele");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in", exact: true })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("link", { name: "Sign in", exact: true })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
});
